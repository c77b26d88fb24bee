/**
 * GET of a media URL with a size limit, one deadline for every hop and the body, and redirects
 * followed by hand. node:http(s) over the guarded agents of net/outbound-guard.ts rather than
 * fetch: the agents check the address each connection dials, so the first request and every
 * redirect hop are refused when they lead to an internal address, whatever DNS answered before.
 */
import { request as httpRequest, type Agent as HttpAgent, type IncomingMessage } from 'node:http';
import { request as httpsRequest, type Agent as HttpsAgent } from 'node:https';
import { AppError } from '../errors/app-error.ts';
import { AddressNotAllowedError } from '../net/outbound-guard.ts';

export interface MediaAgents {
  http: HttpAgent;
  https: HttpsAgent;
}

export interface DownloadOptions {
  maxBytes: number;
  timeoutMs: number;
  agents: MediaAgents;
}

export const MAX_REDIRECTS = 3;

function get(url: URL, agents: MediaAgents, signal: AbortSignal): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const secure = url.protocol === 'https:';
    const request = (secure ? httpsRequest : httpRequest)(url, { agent: secure ? agents.https : agents.http, signal, headers: { 'user-agent': 'wafleet-media/1' } }, resolve);
    request.on('error', reject);
    request.end();
  });
}

async function readLimited(response: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(response.headers['content-length'] ?? 0);
  if (declared > maxBytes) throw new AppError('MEDIA_TOO_LARGE', `The media is ${declared} bytes; the limit is ${maxBytes}.`);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > maxBytes) throw new AppError('MEDIA_TOO_LARGE', `The media is larger than the ${maxBytes}-byte limit.`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function failure(error: unknown, hop: number, timeoutMs: number): AppError {
  if (error instanceof AppError) return error;
  const where = hop === 0 ? 'media.url' : `media.url (redirect ${hop})`;
  if (error instanceof AddressNotAllowedError) return new AppError('URL_NOT_ALLOWED', `${where}: ${error.message}.`);
  const name = error instanceof Error ? error.name : '';
  const reason = name === 'AbortError' || name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : error instanceof Error ? error.message : String(error);
  return new AppError('MEDIA_FETCH_FAILED', `The media URL could not be fetched: ${reason}.`);
}

export async function downloadMedia(url: URL, options: DownloadOptions): Promise<{ data: Buffer; mimetype: string | undefined }> {
  const signal = AbortSignal.timeout(options.timeoutMs);
  let current = url;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    let response: IncomingMessage | undefined;
    try {
      response = await get(current, options.agents, signal);
      const status = response.statusCode ?? 0;
      const location = response.headers.location;
      if (status >= 300 && status < 400 && location) {
        response.resume();
        current = new URL(location, current);
        if (current.protocol !== 'http:' && current.protocol !== 'https:') throw new AppError('MEDIA_FETCH_FAILED', `The media URL redirected to a ${current.protocol} URL.`);
        continue;
      }
      if (status < 200 || status >= 300) throw new AppError('MEDIA_FETCH_FAILED', `Fetching the media URL answered HTTP ${status}.`);
      return { data: await readLimited(response, options.maxBytes), mimetype: response.headers['content-type'] };
    } catch (error) {
      response?.destroy();
      throw failure(error, hop, options.timeoutMs);
    }
  }
  throw new AppError('MEDIA_FETCH_FAILED', `The media URL redirected more than ${MAX_REDIRECTS} times.`);
}
