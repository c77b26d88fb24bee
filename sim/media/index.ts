export { startMediaServer, type MediaServer, type MediaServerOptions } from './media-server.ts';
export { buildMediaConnReply, isMediaConnIq, type MediaConnHost, type MediaConnOptions } from './media-conn.ts';
export { createMediaCert, type MediaCert } from './cert.ts';
export { BlobStore, type StoredBlob } from './blob-store.ts';
export { parseRange, serveBlob, type ByteRange } from './range.ts';
