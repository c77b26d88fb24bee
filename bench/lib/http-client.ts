/**
 * The benchmarks' HTTP client: node:http over kept-alive connections. It shares the machine with the
 * server it measures, so it must cost little: fetch (undici's WHATWG layer) spent about 1 ms of CPU
 * per request here, more than a third of what wafleet itself spends on a send.
 */
import { Agent, request } from 'node:http';

export interface HttpAnswer {
  status: number;
  text: string;
  headers: Record<string, string | string[] | undefined>;
}

const agent = new Agent({ keepAlive: true });

export function httpRequest(url: string, method: string, headers: Record<string, string>, body?: string): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method, agent, headers: body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), headers: incoming.headers }));
      incoming.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}
