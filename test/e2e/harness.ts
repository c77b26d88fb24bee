/**
 * End-to-end harness: sim/ as WhatsApp (with phones that speak Signal), wafleet with the real Baileys
 * engine over the real HTTP API (app.inject), and helpers to pair sessions the way a person would.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSim, type RunningSim, type StartSimOptions } from '../../sim/index.ts';
import { startMediaServer, type MediaServer } from '../../sim/media/index.ts';
import { mediaExtension } from '../../sim/server/media-extension.ts';
import { pinSimRoot } from '../helpers/sim-trust-preload.ts';
import { createTestApp, eventually, type TestApp } from '../helpers/test-app.ts';
import type { Config } from '../../src/config/config.ts';

/*
 * Baileys arms long timers (pre-key upload, initial sync) that it never clears; unref them so a
 * finished test file exits at once instead of 30 s later. Test-only.
 */
const realSetTimeout = globalThis.setTimeout;
globalThis.setTimeout = ((fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]) => {
  const timer = realSetTimeout(fn, ms, ...args);
  if ((ms ?? 0) >= 5_000) timer.unref();
  return timer;
}) as typeof setTimeout;

export interface E2E {
  sim: RunningSim;
  media: MediaServer | undefined;
  app: TestApp;
  key: string;
  close(): Promise<void>;
}

export async function simJson(sim: RunningSim, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${sim.adminUrl}${path}`, {
    method,
    ...(body ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

export async function startE2E(overrides: Partial<Config> = {}, dataDir?: string, simOptions: Pick<StartSimOptions, 'qrRefs'> = {}): Promise<E2E> {
  // The media host must present the certificate this process trusts from its start (see run-tests.mjs).
  const certDir = process.env.WAFLEET_TEST_MEDIA_CERT_DIR;
  const media = certDir
    ? await startMediaServer({ host: '127.0.0.1', port: 0, cert: { cert: readFileSync(join(certDir, 'cert.pem'), 'utf8'), key: readFileSync(join(certDir, 'key.pem'), 'utf8') } })
    : undefined;
  const sim = await startSim({ ...simOptions, media: false, extensions: media ? [mediaExtension(media)] : [] });
  pinSimRoot(sim.rootPublicKey);
  const app = await createTestApp({ waUrl: sim.wsUrl, ...overrides }, dataDir);
  const key = await app.tenantWithKey('acme');
  return {
    sim,
    media,
    app,
    key,
    async close() {
      await app.close();
      await sim.stop();
      await media?.close();
    },
  };
}

export async function sessionStatus(e: E2E, id: string): Promise<any> {
  return (await e.app.request({ method: 'GET', url: `/v1/sessions/${id}`, key: e.key })).json();
}

export async function waitForStatus(e: E2E, id: string, status: string, timeoutMs = 20_000): Promise<any> {
  return eventually(() => sessionStatus(e, id), (s) => s.status === status, timeoutMs);
}

/** Creates a Baileys session and pairs it by "scanning" the QR the API serves, as a person would. */
export async function pairByQr(e: E2E, id: string, phone: string): Promise<any> {
  const created = await e.app.request({ method: 'POST', url: '/v1/sessions', key: e.key, payload: { id, start: true } });
  assert.equal(created.statusCode, 201, created.body);
  assert.equal(created.json().engine, 'baileys');
  await waitForStatus(e, id, 'SCAN_QR');
  const qr = await e.app.request({ method: 'GET', url: `/v1/sessions/${id}/qr?format=raw`, key: e.key });
  assert.equal(qr.statusCode, 200, qr.body);
  const scan = await simJson(e.sim, 'POST', '/admin/scan-qr', { qr: qr.body, phone, name: `Phone ${phone}` });
  assert.equal(scan.status, 200, JSON.stringify(scan.body));
  return waitForStatus(e, id, 'WORKING');
}

/** A virtual contact: an account whose simulated phone sends and receives real Signal messages. */
export async function virtualContact(e: E2E, phone: string, name: string): Promise<{ phone: string; lid: string; jid: string }> {
  const created = await simJson(e.sim, 'POST', '/admin/contacts', { phone, name });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body;
}

export async function inbox(e: E2E, phone: string): Promise<any[]> {
  return (await simJson(e.sim, 'GET', `/admin/contacts/${phone}/inbox`)).body;
}
