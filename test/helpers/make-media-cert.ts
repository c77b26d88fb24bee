/**
 * TEST ONLY. Writes a self-signed certificate for the simulator's HTTPS media host into a folder.
 * The test runner does this once, before any test process starts, and passes the certificate in
 * NODE_EXTRA_CA_CERTS (read only at process start) so Baileys in tests trusts the sim's media host.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createMediaCert } from '../../sim/media/index.ts';

const dir = process.argv[2];
if (!dir) throw new Error('usage: make-media-cert.ts <dir>');
mkdirSync(dir, { recursive: true });
const { cert, key } = await createMediaCert();
writeFileSync(join(dir, 'cert.pem'), cert);
writeFileSync(join(dir, 'key.pem'), key, { mode: 0o600 });
