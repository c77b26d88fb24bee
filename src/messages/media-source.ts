/**
 * Turns a media reference from the API (URL or base64) into bytes, with a size limit, a timeout
 * and a content-type check, so one bad URL cannot exhaust memory or hang a send.
 */
import { AppError } from '../errors/app-error.ts';
import type { MediaPayload } from '../engines/messaging.ts';
import { downloadMedia, type DownloadOptions } from './media-download.ts';

export interface MediaInput {
  url?: string;
  base64?: string;
  mimetype?: string;
  fileName?: string;
}

/** The byte limit, the deadline, and the guarded agents media URLs are fetched through. */
export type MediaLimits = DownloadOptions;

/** Which content types each kind of message accepts (documents take anything). */
const ACCEPTED: Record<string, RegExp> = {
  image: /^image\/(jpeg|png|webp|gif)$/,
  video: /^video\//,
  audio: /^audio\//,
  sticker: /^image\/webp$/,
  document: /^[\w.+-]+\/[\w.+-]+$/,
};

function checkType(kind: string, mimetype: string): string {
  const clean = mimetype.split(';')[0]!.trim().toLowerCase();
  if (!ACCEPTED[kind]?.test(clean)) {
    throw new AppError('MEDIA_TYPE_NOT_ALLOWED', `A ${kind} message cannot carry "${clean || 'unknown'}" content.`);
  }
  return clean;
}

function fetchMedia(url: string, limits: MediaLimits): Promise<{ data: Buffer; mimetype: string | undefined }> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new AppError('VALIDATION_FAILED', `media.url "${url}" is not a URL.`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new AppError('VALIDATION_FAILED', 'media.url must be an http:// or https:// URL.');
  }
  return downloadMedia(parsed, limits);
}

export async function loadMedia(kind: string, input: MediaInput, limits: MediaLimits): Promise<MediaPayload> {
  let data: Buffer;
  let mimetype = input.mimetype;
  if (input.base64 !== undefined) {
    const compact = input.base64.replace(/^data:[^;]+;base64,/, '').replace(/\s/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length === 0) {
      throw new AppError('VALIDATION_FAILED', 'media.base64 is not valid base64.');
    }
    if ((compact.length * 3) / 4 > limits.maxBytes + 3) throw new AppError('MEDIA_TOO_LARGE', `The media is larger than the ${limits.maxBytes}-byte limit.`);
    data = Buffer.from(compact, 'base64');
  } else if (input.url !== undefined) {
    const fetched = await fetchMedia(input.url, limits);
    data = fetched.data;
    mimetype ??= fetched.mimetype;
  } else {
    throw new AppError('VALIDATION_FAILED', 'media needs "url" or "base64".');
  }
  if (!mimetype) throw new AppError('VALIDATION_FAILED', 'media.mimetype is required when it cannot be taken from the URL.');
  return { data, mimetype: checkType(kind, mimetype), ...(input.fileName ? { fileName: input.fileName } : {}) };
}
