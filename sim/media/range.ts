// Serves a byte buffer with single-range HTTP Range support (RFC 9110 §14).
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface ByteRange {
  start: number;
  end: number; // inclusive
}

/** Parses `bytes=a-b`, `bytes=a-`, `bytes=-n`. Returns null when absent/unsupported, 'unsatisfiable' when out of range. */
export function parseRange(header: string | undefined, size: number): ByteRange | null | 'unsatisfiable' {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null; // multi-range or malformed: serve the whole body
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}

export function serveBlob(req: IncomingMessage, res: ServerResponse, bytes: Buffer): void {
  const size = bytes.length;
  const base = { 'accept-ranges': 'bytes', 'content-type': 'application/octet-stream' };
  const range = parseRange(req.headers.range, size);
  if (range === 'unsatisfiable') {
    res.writeHead(416, { ...base, 'content-range': `bytes */${size}` });
    res.end();
    return;
  }
  const { start, end } = range ?? { start: 0, end: size - 1 };
  const headers = { ...base, 'content-length': String(Math.max(0, end - start + 1)) };
  if (range) res.writeHead(206, { ...headers, 'content-range': `bytes ${start}-${end}/${size}` });
  else res.writeHead(200, headers);
  res.end(req.method === 'HEAD' ? undefined : bytes.subarray(start, end + 1));
}
