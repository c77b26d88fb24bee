/**
 * Ajv coerces a query-string or path value such as "1e309" to Infinity and lets it through as an
 * integer within any minimum/maximum (its coercion skips the finiteness check, and the range
 * keywords only judge finite numbers). Once validation has run, a non-finite number in the query
 * or the path parameters is refused here, before a handler hands it to the database.
 */
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors/app-error.ts';

function refuseNonFinite(values: unknown, where: string): void {
  if (values === null || typeof values !== 'object') return;
  for (const [name, value] of Object.entries(values)) {
    if (typeof value === 'number' && !Number.isFinite(value)) {
      throw new AppError('VALIDATION_FAILED', `${where}.${name} must be a finite number.`, { field: `${where}.${name}` });
    }
  }
}

export function registerFiniteNumberCheck(app: FastifyInstance): void {
  app.addHook('preHandler', async (request) => {
    refuseNonFinite(request.query, 'querystring');
    refuseNonFinite(request.params, 'params');
  });
}
