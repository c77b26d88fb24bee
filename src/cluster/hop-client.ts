/**
 * The node-to-node hop: one client call passed on to the node that runs the session, over kept-alive
 * connections (undici), signed as a hop (cluster-auth.ts). A node that cannot be reached at all
 * (refused, no route, timeout before any answer) is reported as such, so the caller can fall back.
 */
import type { Readable } from 'node:stream';
import { Agent, request } from 'undici';
import type { ClusterAuth } from './cluster-auth.ts';

export interface HopRequest {
  method: string;
  /** Path and query, as the client sent them. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string | Buffer | Readable | undefined;
  clientIp: string;
}

export interface HopResponse {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: Readable;
}

/** Headers that belong to one connection, never passed on. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'host', 'content-length']);
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET']);

export class HopClient {
  private readonly agent = new Agent({ keepAliveTimeout: 30_000, connectTimeout: 3_000, headersTimeout: 10 * 60_000, bodyTimeout: 10 * 60_000 });

  constructor(private readonly auth: ClusterAuth) {}

  /** The owner's answer, or undefined when the node could not be reached. */
  async send(target: { url: string }, hop: HopRequest): Promise<HopResponse | undefined> {
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(hop.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
    Object.assign(headers, this.auth.sign(hop.method, hop.url, hop.clientIp));
    if (typeof hop.body === 'string' || Buffer.isBuffer(hop.body)) headers['content-length'] = String(Buffer.byteLength(hop.body));
    try {
      const response = await request(`${target.url}${hop.url}`, { method: hop.method as 'GET', headers, body: hop.body ?? null, dispatcher: this.agent });
      const passed: Record<string, string | string[] | undefined> = {};
      for (const [name, value] of Object.entries(response.headers)) if (!HOP_BY_HOP.has(name) || name === 'content-length') passed[name] = value;
      return { statusCode: response.statusCode, headers: passed, body: response.body };
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code && UNREACHABLE.has(code)) return undefined;
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}
