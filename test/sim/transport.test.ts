import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import { proto } from 'baileys';
import WebSocket from 'ws';
import { startSim, type RunningSim } from '../../sim/index.ts';
import { createServerIdentity, keyPairFromSeed } from '../../sim/server/keys.ts';

// libsignal's verifySignature returns the real XEdDSA verdict (Baileys' Curve.verify in rc14 drops it).
const curve = createRequire(import.meta.url)('libsignal/src/curve.js') as {
  verifySignature(pub: Buffer, msg: Buffer, sig: Buffer): boolean;
};
const djb = (key: Buffer) => Buffer.concat([Buffer.from([5]), key]);

let sim: RunningSim;
before(async () => {
  sim = await startSim({ media: false, virtualPhones: false });
});
after(async () => sim.stop());

test('certificate chain: real XEdDSA signatures root → intermediate (issuer 0) → leaf naming the Noise static key', () => {
  const identity = createServerIdentity('chain-test');
  const chain = proto.CertChain.decode(identity.certChain);
  const inter = proto.CertChain.NoiseCertificate.Details.decode(chain.intermediate!.details!);
  const leaf = proto.CertChain.NoiseCertificate.Details.decode(chain.leaf!.details!);
  assert.equal(inter.issuerSerial, 0);
  assert.equal(curve.verifySignature(djb(identity.root.public), Buffer.from(chain.intermediate!.details!), Buffer.from(chain.intermediate!.signature!)), true);
  assert.equal(curve.verifySignature(djb(Buffer.from(inter.key!)), Buffer.from(chain.leaf!.details!), Buffer.from(chain.leaf!.signature!)), true);
  assert.deepEqual(Buffer.from(leaf.key!), identity.noiseStatic.public);
  const tampered = Buffer.from(chain.leaf!.details!);
  tampered[tampered.length - 1]! ^= 1;
  assert.equal(curve.verifySignature(djb(Buffer.from(inter.key!)), tampered, Buffer.from(chain.leaf!.signature!)), false);
});

test('root seed gives a stable root key; no seed gives a fresh one', () => {
  assert.deepEqual(keyPairFromSeed('a', 'root').public, keyPairFromSeed('a', 'root').public);
  assert.notDeepEqual(keyPairFromSeed('a', 'root').public, keyPairFromSeed('b', 'root').public);
  assert.notDeepEqual(createServerIdentity().root.public, createServerIdentity().root.public);
});

function closesAfter(bytes: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(sim.wsUrl);
    const timer = setTimeout(() => (ws.terminate(), reject(new Error('still open'))), 3_000);
    ws.on('open', () => ws.send(bytes));
    ws.on('close', () => (clearTimeout(timer), resolve()));
    ws.on('error', () => undefined);
  });
}

test('an unsupported dictionary version (6.x speaks 2) is disconnected', async () => {
  const hello = Buffer.from(proto.HandshakeMessage.encode({ clientHello: { ephemeral: Buffer.alloc(32, 9) } }).finish());
  const frame = Buffer.concat([Buffer.from([0x57, 0x41, 6, 2]), Buffer.from([0, 0, hello.length]), hello]);
  await closesAfter(frame);
});

test('garbage instead of the intro header is disconnected', async () => {
  await closesAfter(Buffer.from('GET / HTTP/1.1\r\n\r\n'));
});

test('the WebSocket path answers plain HTTP with 426', async () => {
  const res = await fetch(sim.wsUrl.replace('ws://', 'http://'));
  assert.equal(res.status, 426);
  await res.text();
});
