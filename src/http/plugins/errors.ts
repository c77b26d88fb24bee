/** One error body for every failure: { error: { code, message, requestId, details? } }. */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, isAppError } from '../../errors/app-error.ts';
import type { ErrorCode } from '../../errors/codes.ts';

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'VALIDATION_FAILED',
  // @fastify/multipart limits
  FST_REQ_FILE_TOO_LARGE: 'MEDIA_TOO_LARGE',
  FST_FILES_LIMIT: 'VALIDATION_FAILED',
  FST_FIELDS_LIMIT: 'VALIDATION_FAILED',
  FST_PARTS_LIMIT: 'VALIDATION_FAILED',
  FST_INVALID_MULTIPART_CONTENT_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  // @fastify/static (Swagger UI assets): traversal and NUL forms keep the plugin's 403.
  FST_STATIC_FORBIDDEN_PATH: 'PATH_NOT_ALLOWED',
  // Router (frameworkErrors)
  FST_ERR_BAD_URL: 'VALIDATION_FAILED',
  FST_ERR_MAX_PARAM_LENGTH: 'URL_TOO_LONG',
};

/** A client error raised by a plugin without a code of ours keeps its status. */
const BY_STATUS: Record<number, ErrorCode> = { 400: 'VALIDATION_FAILED', 403: 'PATH_NOT_ALLOWED', 404: 'NOT_FOUND', 413: 'PAYLOAD_TOO_LARGE', 414: 'URL_TOO_LONG', 415: 'UNSUPPORTED_MEDIA_TYPE' };

function toAppError(error: FastifyError): AppError {
  if (isAppError(error)) return error;
  if (error.validation) {
    const first = error.validation[0];
    const field = [error.validationContext, first?.instancePath?.replace(/^\//, '').replace(/\//g, '.')]
      .filter(Boolean)
      .join('.');
    const extra = first?.params && 'additionalProperty' in first.params ? `.${String(first.params.additionalProperty)}` : '';
    const message = first?.keyword === 'additionalProperties'
      ? `${field}${extra} is not a known field: remove it.`
      : `${field || 'request'} ${first?.message ?? 'is invalid'}.`;
    return new AppError('VALIDATION_FAILED', message, { field: `${field}${extra}` });
  }
  const mapped = error.code ? FASTIFY_CODES[error.code] : undefined;
  if (mapped === 'INVALID_JSON') return new AppError(mapped, `The body is not valid JSON: ${error.message}`);
  // Limit errors (multipart) say which limit was hit; the rest keep the registry message.
  if (mapped === 'PATH_NOT_ALLOWED' || mapped === 'URL_TOO_LONG') return new AppError(mapped);
  if (mapped === 'VALIDATION_FAILED' && error.code === 'FST_ERR_BAD_URL') return new AppError(mapped, 'The URL is not valid: it has a malformed percent-encoding.');
  if (mapped) return new AppError(mapped, mapped === 'UNSUPPORTED_MEDIA_TYPE' ? undefined : error.message);
  if (error instanceof SyntaxError && error.statusCode === 400) return new AppError('INVALID_JSON', `The body is not valid JSON: ${error.message}`);
  const byStatus = error.statusCode !== undefined ? BY_STATUS[error.statusCode] : undefined;
  if (byStatus) return new AppError(byStatus);
  return new AppError('INTERNAL');
}

export function sendError(reply: FastifyReply, request: FastifyRequest, error: AppError): FastifyReply {
  const retryAfter = error.details?.retryAfterSeconds;
  if (typeof retryAfter === 'number') reply.header('retry-after', String(retryAfter));
  return reply.status(error.status).send({
    error: { code: error.code, message: error.message, requestId: request.id, ...(error.details ? { details: error.details } : {}) },
  });
}

function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const appError = toAppError(error);
  if (appError.code === 'INTERNAL') request.log.error({ err: error }, 'unhandled error');
  else if (appError.status >= 500) request.log.warn({ code: appError.code, err: error }, 'request failed');
  return sendError(reply, request, appError);
}

/**
 * Fastify's `frameworkErrors` option: what the router rejects before any route (a malformed
 * percent-encoding, an over-long parameter) gets the same error body. No hook runs for these
 * requests, so the headers every answer carries are set here.
 */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  reply.header('x-request-id', request.id).header('cache-control', 'no-store').header('x-content-type-options', 'nosniff');
  handleError(error, request, reply);
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, request, new AppError('NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]}.`)),
  );
}
