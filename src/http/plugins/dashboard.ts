/**
 * Serves the dashboard (a static single-page app built by `npm run build` into dist/dashboard) at
 * /dashboard/, and sends `/` there. It is a client of the public API only. Every asset is a file
 * under 'self' (no inline script or style), so it runs under a strict Content-Security-Policy.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import { AppError } from '../../errors/app-error.ts';
import { sendError } from './errors.ts';

export async function registerDashboard(app: FastifyInstance, root: string | undefined): Promise<void> {
  app.get('/', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/dashboard/', 302));
  app.get('/dashboard', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/dashboard/', 302));
  if (!root || !existsSync(join(root, 'index.html'))) {
    app.get('/dashboard/*', { schema: { hide: true } }, async (request, reply) =>
      sendError(reply, request, new AppError('NOT_FOUND', 'The dashboard is not built: run "npm run build" (npm start does it).')),
    );
    return;
  }
  await app.register(fastifyStatic, {
    root,
    prefix: '/dashboard/',
    index: 'index.html',
    wildcard: true,
    schemaHide: true,
    setHeaders(res, path) {
      // Vite names assets by content hash: they never change; index.html must always be fresh.
      res.header('cache-control', path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
}
