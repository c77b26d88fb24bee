/**
 * CORS for browser clients on the origins in WAFLEET_CORS_ORIGINS; nothing at all when it is empty
 * (a preflight then answers 404, and browsers keep other sites out). A listed origin gets its own
 * origin back, with credentials allowed; any other origin gets no CORS header whatsoever, so
 * `Access-Control-Allow-Credentials` is never sent to a site that is not on the list.
 */
import type { FastifyInstance } from 'fastify';
import cors from '@fastify/cors';

const ALLOWED_HEADERS = ['authorization', 'x-api-key', 'content-type', 'idempotency-key', 'x-request-id'];
const EXPOSED_HEADERS = ['x-request-id', 'retry-after', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'content-disposition'];
const PREFLIGHT_CACHE_SECONDS = 600;

export async function registerCors(app: FastifyInstance, origins: readonly string[]): Promise<void> {
  if (origins.length === 0) return;
  const listed = new Set(origins);
  await app.register(cors, {
    // A string answer is echoed as Access-Control-Allow-Origin; false leaves the request without CORS.
    origin: (origin, callback) => callback(null, origin !== undefined && listed.has(origin) ? origin : false),
    credentials: true,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ALLOWED_HEADERS,
    exposedHeaders: EXPOSED_HEADERS,
    maxAge: PREFLIGHT_CACHE_SECONDS,
  });
}
