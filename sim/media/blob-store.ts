// Stores uploaded (already encrypted) media blobs: in memory, optionally mirrored to a directory.
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

export interface StoredBlob {
  id: string;
  /** Upload path family, e.g. "/mms/image" or "" (md-app-state). */
  kind: string;
  /** base64url sha256 of the encrypted bytes, as sent by the client in `token`. */
  encSha256: string;
  bytes: Buffer;
  uploadedAt: number;
}

export class BlobStore {
  private readonly blobs = new Map<string, StoredBlob>();

  /** @param dir optional directory; blobs are written as `<id>.enc` and reloaded on miss. */
  constructor(private readonly dir?: string) {
    if (dir) mkdirSync(dir, { recursive: true });
  }

  put(blob: StoredBlob): void {
    this.blobs.set(blob.id, blob);
    if (this.dir) {
      writeFileSync(join(this.dir, `${blob.id}.enc`), blob.bytes);
      const meta = { id: blob.id, kind: blob.kind, encSha256: blob.encSha256, uploadedAt: blob.uploadedAt };
      writeFileSync(join(this.dir, `${blob.id}.json`), JSON.stringify(meta));
    }
  }

  get(id: string): StoredBlob | undefined {
    const hit = this.blobs.get(id);
    if (hit || !this.dir || !/^[A-Za-z0-9_-]+$/.test(id)) return hit;
    const file = join(this.dir, `${id}.enc`);
    if (!existsSync(file)) return undefined;
    const meta = JSON.parse(readFileSync(join(this.dir, `${id}.json`), 'utf8')) as Omit<StoredBlob, 'bytes'>;
    const blob: StoredBlob = { ...meta, bytes: readFileSync(file) };
    this.blobs.set(id, blob);
    return blob;
  }

  /** Finds a blob by the client's encrypted-file hash (uploads are idempotent per hash). */
  findByHash(encSha256: string): StoredBlob | undefined {
    for (const b of this.blobs.values()) if (b.encSha256 === encSha256) return b;
    return undefined;
  }

  get size(): number {
    return this.blobs.size;
  }

  stats(): { count: number; bytes: number } {
    let bytes = 0;
    for (const b of this.blobs.values()) bytes += b.bytes.length;
    return { count: this.blobs.size, bytes };
  }
}
