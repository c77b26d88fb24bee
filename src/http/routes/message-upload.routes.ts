/**
 * Multipart upload send: `POST /v1/sessions/{id}/messages/upload` with a `file` part and the send
 * fields as form fields, for callers that have the bytes rather than a URL.
 */
import type { FastifyInstance } from 'fastify';
import multipart from '@fastify/multipart';
import type { SendRequest } from '../../messages/send-request.ts';
import type { SendMode, SendService } from '../../outbound/send-service.ts';
import { AppError } from '../../errors/app-error.ts';
import { idempotencyKeyOf, sendQuery } from '../schemas/outbound.ts';
import { principalOf } from '../plugins/auth.ts';
import { errorBody, errorResponses } from '../schemas/common.ts';
import { messageView } from '../schemas/messages.ts';

const MEDIA_TYPES = ['image', 'video', 'audio', 'voice', 'document', 'sticker'] as const;
const TEXT_FIELDS = new Set(['to', 'type', 'caption', 'fileName', 'mimetype', 'replyTo']);

type UploadFields = Partial<Record<'to' | 'type' | 'caption' | 'fileName' | 'mimetype' | 'replyTo', string>>;

function toSendRequest(fields: UploadFields, file: { data: Buffer; mimetype: string; filename: string } | undefined): SendRequest {
  if (!file) throw new AppError('VALIDATION_FAILED', 'Add the media as a form part named "file".', { field: 'body.file' });
  if (!fields.to) throw new AppError('VALIDATION_FAILED', 'Add the recipient as a form field "to".', { field: 'body.to' });
  const type = fields.type ?? 'document';
  if (!(MEDIA_TYPES as readonly string[]).includes(type)) {
    throw new AppError('VALIDATION_FAILED', `Form field "type" must be one of ${MEDIA_TYPES.join(', ')}.`, { field: 'body.type' });
  }
  const fileName = fields.fileName ?? (file.filename || undefined);
  return {
    to: fields.to,
    type: type as SendRequest['type'],
    ...(fields.caption ? { caption: fields.caption } : {}),
    ...(fields.replyTo ? { replyTo: fields.replyTo } : {}),
    media: { base64: file.data.toString('base64'), mimetype: fields.mimetype ?? file.mimetype, ...(fileName ? { fileName } : {}) },
  };
}

export async function registerUploadRoute(app: FastifyInstance, deps: { sender: SendService; maxBytes: number }): Promise<void> {
  await app.register(async (scope) => {
    await scope.register(multipart, { limits: { fileSize: deps.maxBytes, files: 1, fields: TEXT_FIELDS.size, fieldSize: 64 * 1024 } });
    scope.post<{ Params: { id: string }; Querystring: { mode: SendMode; timeoutMs?: number } }>('/v1/sessions/:id/messages/upload', {
      schema: {
        tags: ['messages'],
        summary: 'Send media uploaded as multipart/form-data: fields to, type (image|video|audio|voice|document|sticker), caption, fileName, mimetype, replyTo; part "file" (scope send)',
        params: { type: 'object', properties: { id: { type: 'string', minLength: 1, maxLength: 200 } }, required: ['id'] },
        querystring: sendQuery,
        consumes: ['multipart/form-data'],
        response: { 201: messageView, 202: messageView, ...errorResponses, 413: errorBody, 415: errorBody, 429: errorBody, 502: errorBody },
      },
    }, async (request, reply) => {
      if (!request.isMultipart()) throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send this as multipart/form-data with a "file" part.');
      const fields: UploadFields = {};
      let file: { data: Buffer; mimetype: string; filename: string } | undefined;
      for await (const part of request.parts()) {
        if (part.type === 'file') {
          const data = await part.toBuffer();
          if (part.file.truncated) throw new AppError('MEDIA_TOO_LARGE', `The file is larger than the ${deps.maxBytes}-byte limit.`);
          file = { data, mimetype: part.mimetype, filename: part.filename };
        } else if (TEXT_FIELDS.has(part.fieldname)) {
          fields[part.fieldname as keyof UploadFields] = String(part.value);
        } else {
          throw new AppError('VALIDATION_FAILED', `"${part.fieldname}" is not a known field: remove it.`, { field: `body.${part.fieldname}` });
        }
      }
      const result = await deps.sender.send(principalOf(request), request.params.id, toSendRequest(fields, file), {
        mode: request.query.mode,
        ...(request.query.timeoutMs !== undefined ? { timeoutMs: request.query.timeoutMs } : {}),
        ...idempotencyKeyOf(request),
      });
      if (result.replayed) reply.header('idempotent-replayed', 'true');
      return reply.status(result.statusCode).send(result.message);
    });
  });
}
