// Self-signed TLS certificate for the media host (127.0.0.1 / localhost).
import { writeFile } from 'node:fs/promises';
import { generate } from 'selfsigned';

export interface MediaCert {
  /** PEM certificate; trust it in clients through NODE_EXTRA_CA_CERTS (read at process start). */
  cert: string;
  /** PEM private key. */
  key: string;
}

/**
 * Generates a fresh certificate valid for `localhost`, `127.0.0.1` and `::1`.
 * When `pemPath` is given, the certificate PEM is written there so a child process can be started
 * with `NODE_EXTRA_CA_CERTS=<pemPath>`.
 */
export async function createMediaCert(pemPath?: string): Promise<MediaCert> {
  const notBeforeDate = new Date(Date.now() - 60_000);
  const notAfterDate = new Date(Date.now() + 30 * 24 * 3600 * 1000);
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
  if (pemPath) await writeFile(pemPath, pems.cert, 'utf8');
  return { cert: pems.cert, key: pems.private };
}
