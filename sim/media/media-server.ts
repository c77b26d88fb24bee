// HTTPS media host speaking Baileys 7.0.0-rc14's upload/download protocol.
//   upload:   POST https://<host>/mms/<type>/<encSha256 b64url>?auth=<auth>&token=<same hash>
//             → 200 {"url": "https://<host><direct_path>&mms3=true", "direct_path": "/v/t62.7118-24/<id>.enc?..."}
//   download: GET  https://<host><direct_path>  (Baileys uses the host of `url`; Range supported)
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BlobStore } from './blob-store.ts';
import { createMediaCert, type MediaCert } from './cert.ts';
import { serveBlob } from './range.ts';

export interface MediaServerOptions {
  host?: string;
  port?: number;
  /** Write the certificate PEM here (for NODE_EXTRA_CA_CERTS in child processes). */
  certPath?: string;
  /** Reuse an existing certificate instead of generating one. */
  cert?: MediaCert;
  /** Mirror blobs to this directory (the download-signing key is kept there too, so links survive a restart). */
  dir?: string;
  /** Key for the `oh` download signature; default: random, or persisted in `dir`. */
  signingKey?: Buffer;
  /** Max upload size in bytes (default 100 MiB). */
  maxBytes?: number;
  /** Default lifetime of tokens from issueAuth(), seconds (default 3600). */
  authTtlSec?: number;
  now?: () => number;
}

export interface MediaServer {
  /** "127.0.0.1:PORT" — put it in media_conn <host hostname=…/>. */
  readonly hostname: string;
  readonly port: number;
  readonly certPem: string;
  readonly store: BlobStore;
  /** Mints an upload auth token (what media_conn@auth carries). */
  issueAuth(ttlSec?: number): string;
  revokeAuth(auth: string): void;
  stats(): { uploads: number; downloads: number; rejected: number; blobs: number; bytes: number };
  close(): Promise<void>;
}

const UPLOAD_PATH = /^(?:\/mms\/[a-z-]+|\/product\/image|\/pps\/[a-z-]+)?\/([A-Za-z0-9_-]{43})$/;
const DOWNLOAD_PATH = /^\/(?:v\/)?[a-z0-9.-]+\/(?:[a-z0-9.-]+\/)?([A-Za-z0-9_-]+)\.enc$/i;

function signingKeyFor(dir: string | undefined): Buffer {
  if (!dir) return randomBytes(32);
  const file = join(dir, 'signing.key');
  if (existsSync(file)) return readFileSync(file);
  const key = randomBytes(32);
  writeFileSync(file, key, { mode: 0o600 });
  return key;
}

export async function startMediaServer(opts: MediaServerOptions = {}): Promise<MediaServer> {
  const now = opts.now ?? Date.now;
  const cert = opts.cert ?? (await createMediaCert(opts.certPath));
  if (opts.cert && opts.certPath) {
    const { writeFile } = await import('node:fs/promises');
    await writeFile(opts.certPath, cert.cert, 'utf8');
  }
  const store = new BlobStore(opts.dir);
  const secret = opts.signingKey ?? signingKeyFor(opts.dir);
  const auths = new Map<string, number>();
  const maxBytes = opts.maxBytes ?? 104_857_600;
  const counters = { uploads: 0, downloads: 0, rejected: 0 };
  let hostname = '';

  const sign = (id: string): string => createHmac('sha256', secret).update(id).digest('base64url').slice(0, 32);
  const json = (res: ServerResponse, status: number, body: unknown): void => {
    if (status >= 400) counters.rejected++;
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
  const authOk = (auth: string | null): boolean => {
    if (!auth) return false;
    const exp = auths.get(auth);
    return exp !== undefined && exp > now();
  };

  const upload = async (req: IncomingMessage, res: ServerResponse, url: URL, token: string): Promise<void> => {
    if (!authOk(url.searchParams.get('auth'))) return json(res, 401, { error: 'bad auth', code: 401 });
    if (url.searchParams.get('token') !== token) return json(res, 400, { error: 'token mismatch' });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of req as AsyncIterable<Buffer>) {
      size += c.length;
      if (size > maxBytes) return json(res, 413, { error: 'too large' });
      chunks.push(c);
    }
    const bytes = Buffer.concat(chunks);
    const hash = createHash('sha256').update(bytes).digest('base64url');
    if (hash !== token) return json(res, 400, { error: 'hash mismatch' });
    const kind = url.pathname.slice(0, url.pathname.length - token.length - 1);
    const existing = store.findByHash(hash);
    const id = existing?.id ?? `${now()}_${randomBytes(9).toString('base64url')}`;
    if (!existing) store.put({ id, kind, encSha256: hash, bytes, uploadedAt: now() });
    counters.uploads++;
    const oe = Math.floor(now() / 1000 + 30 * 24 * 3600).toString(16).toUpperCase();
    const directPath = `/v/t62.7118-24/${id}.enc?ccb=11-4&oh=${sign(id)}&oe=${oe}&_nc_sid=5e03e0`;
    json(res, 200, { url: `https://${hostname}${directPath}&mms3=true`, direct_path: directPath });
  };

  const download = (req: IncomingMessage, res: ServerResponse, url: URL, id: string): void => {
    const oh = Buffer.from(url.searchParams.get('oh') ?? '');
    const want = Buffer.from(sign(id));
    if (oh.length !== want.length || !timingSafeEqual(oh, want)) return json(res, 403, { error: 'bad signature' });
    const blob = store.get(id);
    if (!blob) return json(res, 404, { error: 'not found' });
    counters.downloads++;
    serveBlob(req, res, blob.bytes);
  };

  const server: Server = createServer({ cert: cert.cert, key: cert.key }, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://media.local');
    const up = UPLOAD_PATH.exec(url.pathname);
    const down = DOWNLOAD_PATH.exec(url.pathname);
    if (req.method === 'POST' && up?.[1]) {
      upload(req, res, url, up[1]).catch((err: unknown) => json(res, 500, { error: String(err) }));
    } else if ((req.method === 'GET' || req.method === 'HEAD') && down?.[1]) {
      download(req, res, url, down[1]);
    } else {
      json(res, 404, { error: 'no route' });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const addr = server.address() as AddressInfo;
  hostname = `${opts.host ?? '127.0.0.1'}:${addr.port}`;

  return {
    hostname,
    port: addr.port,
    certPem: cert.cert,
    store,
    issueAuth(ttlSec = opts.authTtlSec ?? 3600) {
      const auth = randomBytes(24).toString('base64');
      auths.set(auth, now() + ttlSec * 1000);
      return auth;
    },
    revokeAuth(auth) {
      auths.delete(auth);
    },
    stats() {
      return { ...counters, blobs: store.size, bytes: store.stats().bytes };
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
