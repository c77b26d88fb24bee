/**
 * JSON bodies are UTF-8 (RFC 8259 §8.1): a JSON content type naming another charset (utf-7,
 * latin1, utf-16…) is refused with 415 instead of being read as UTF-8 anyway, where a UTF-7 body
 * could smuggle characters past a filter that reads it the other way.
 */
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors/app-error.ts';

const JSON_TYPE = /^application\/(?:[\w.-]+\+)?json$/i;

/** The charset parameter of a content type, lower-cased and unquoted; undefined when absent. */
export function charsetOf(contentType: string): string | undefined {
  for (const parameter of contentType.split(';').slice(1)) {
    const [name, ...value] = parameter.split('=');
    if (name?.trim().toLowerCase() === 'charset') return value.join('=').trim().replace(/^"(.*)"$/, '$1').toLowerCase();
  }
  return undefined;
}

export function registerJsonCharsetCheck(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    const contentType = request.headers['content-type'];
    if (!contentType || !JSON_TYPE.test(contentType.split(';')[0]!.trim())) return;
    const charset = charsetOf(contentType);
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
      throw new AppError('UNSUPPORTED_MEDIA_TYPE', `A JSON body must be UTF-8: send "content-type: application/json" or "application/json; charset=utf-8", not charset=${charset.slice(0, 40)}.`);
    }
  });
}
