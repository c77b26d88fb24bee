/**
 * Browser-facing hardening on every answer: helmet's headers (nosniff, no framing, a strict CSP)
 * and `Cache-Control: no-store` unless a route chose its own caching (the Swagger UI assets).
 *
 * The CSP allows only same-origin scripts, styles, images and connections, no inline scripts and no
 * framing: Swagger UI at /docs runs under it (its page loads its scripts from /docs/static), and so
 * will a dashboard served from static files without inline scripts. Left out on purpose:
 * `upgrade-insecure-requests` (it breaks /docs on a plain-HTTP address other than localhost) and
 * HSTS (the TLS-terminating proxy knows the domain and whether its subdomains are ready for it).
 */
import type { FastifyInstance } from 'fastify';
import helmet from '@fastify/helmet';

export const CONTENT_SECURITY_POLICY = {
  'default-src': ["'self'"],
  'base-uri': ["'self'"],
  'connect-src': ["'self'"],
  'font-src': ["'self'", 'data:'],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
  'img-src': ["'self'", 'data:'],
  'object-src': ["'none'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'"],
};

/**
 * Swagger UI's bundle sets one inline style (its hash below, from Chromium's CSP report); /docs
 * alone allows that exact one. A newer bundle with another style only costs a console warning.
 */
const SWAGGER_UI_STYLE = "'sha256-RL3ie0nH+Lzz2YNqQN83mnU0J1ot4QL7b99vMdIX99w='";

export function swaggerUiCsp(header: string): string {
  return header.replace("style-src 'self'", `style-src 'self' 'unsafe-hashes' ${SWAGGER_UI_STYLE}`);
}

export async function registerSecurityHeaders(app: FastifyInstance): Promise<void> {
  await app.register(helmet, {
    global: true,
    contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
    frameguard: { action: 'deny' },
    strictTransportSecurity: false,
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    // API answers carry tenant data and keys: no browser or proxy cache may keep them.
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    return payload;
  });
}
