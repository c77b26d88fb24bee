/**
 * The dashboard in real Chromium against a real wafleet (real Baileys engine) and sim/: log in,
 * create a session, see the QR, scan it through the simulator, watch the page turn WORKING without
 * a reload, send from the UI and see it delivered, retry a dead letter from the UI, and check that a
 * viewer cannot send (no button, and a 403 from the API) and that logout ends the login.
 * Screenshots go to test-output/dashboard/ (docs/dashboard/ keeps copies for docs/dashboard.md).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { loadConfig } from '../../src/config/config.ts';
import { eventually } from '../helpers/test-app.ts';
import { inbox, simJson, startE2E, virtualContact, type E2E } from '../e2e/harness.ts';
import { Receiver } from '../integration/webhooks-receiver.ts';
import { browserSkipReason, launchBrowser, outputDir } from './browser.ts';

const skip = browserSkipReason();
const PASSWORD = 'dashboard test passphrase';
const shots = outputDir('dashboard');

describe('the dashboard in Chromium', { skip: skip ?? false, timeout: 240_000 }, () => {
  let e: E2E;
  let base: string;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let context: BrowserContext;
  let page: Page;
  const receiver = new Receiver();
  const consoleErrors: string[] = [];

  before(async () => {
    if (!existsSync(new URL('../../dist/dashboard/index.html', import.meta.url))) throw new Error('dist/dashboard is missing: run "npm run build" first (npm test does).');
    const defaults = loadConfig({});
    e = await startE2E({ webhooks: { ...defaults.webhooks, allowPrivateUrls: true, retryWindowMs: 0, retryBaseMs: 20, pollMs: 50, settleMs: 0 } });
    await e.app.wafleet.resume(); // webhook dispatcher, retention
    base = await e.app.wafleet.app.listen({ host: '127.0.0.1', port: 0 });
    for (const [email, role, tenant] of [['olive@acme.test', 'operator', 'acme'], ['vera@acme.test', 'viewer', 'acme'], ['ada@wafleet.test', 'admin', undefined]] as const) {
      const created = await e.app.request({ method: 'POST', url: '/v1/users', payload: { email, password: PASSWORD, role, ...(tenant ? { tenant } : {}) } });
      assert.equal(created.statusCode, 201, created.body);
    }
    await receiver.start();
    await receiver.stop(); // down: its port refuses connections until started again
    browser = await launchBrowser();
    context = browser.context;
    page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(error.message));
  });
  after(async () => {
    await browser?.close();
    await receiver.stop();
    await e?.close();
  });

  async function logIn(email: string): Promise<void> {
    await page.goto(`${base}/`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
  }

  test('/ leads to the login page, which says how to create the first admin', async () => {
    await page.goto(`${base}/`);
    assert.match(page.url(), /\/dashboard\/$/);
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    assert.match(await page.textContent('body') ?? '', /users create --email .* --role admin/);
    await page.screenshot({ path: `${shots}login.png` });
  });

  test('an operator logs in, creates a session, sees the QR, and the page turns WORKING after the scan without a reload', async () => {
    await logIn('olive@acme.test');
    await page.getByLabel('Session id').fill('ui-phone');
    await page.getByRole('button', { name: 'Create and link a phone' }).click();
    const canvas = page.locator('canvas[data-qr]');
    await canvas.waitFor({ timeout: 30_000 });
    await page.screenshot({ path: `${shots}link-a-phone.png` });
    await page.evaluate(() => Object.assign(globalThis, { sameDocument: true }));
    const qr = await canvas.getAttribute('data-qr');
    assert.ok(qr && qr.includes(','), 'the QR drawn is the one WhatsApp issued');
    const scan = await simJson(e.sim, 'POST', '/admin/scan-qr', { qr, phone: '15550200001', name: 'UI Phone' });
    assert.equal(scan.status, 200, JSON.stringify(scan.body));
    await page.locator('[data-linked="true"]').waitFor({ timeout: 30_000 });
    assert.match(await page.locator('[data-linked="true"]').textContent() ?? '', /Linked to 15550200001/);
    assert.equal(await page.evaluate(() => (globalThis as { sameDocument?: boolean }).sameDocument), true, 'no reload happened');
    await page.screenshot({ path: `${shots}linked.png` });
  });

  test('a message sent from the UI arrives at the phone and its row shows it delivered', async () => {
    await virtualContact(e, '15550200002', 'Bea');
    await page.getByRole('link', { name: 'Open the session' }).click();
    await page.getByLabel('To').fill('+15550200002');
    await page.getByLabel('Text').fill('Hello from the dashboard');
    await page.getByRole('button', { name: 'Send' }).click();
    const arrived = await eventually(() => inbox(e, '15550200002'), (items) => items.some((m) => (m.message.conversation ?? m.message.extendedTextMessage?.text) === 'Hello from the dashboard'), 20_000);
    const id = arrived.find((m) => (m.message.conversation ?? m.message.extendedTextMessage?.text) === 'Hello from the dashboard').id as string;
    await page.locator(`tr[data-message="${id}"] .ticks[data-status="delivered"], tr[data-message="${id}"] .ticks[data-status="read"]`).waitFor({ timeout: 20_000 });
    await page.screenshot({ path: `${shots}session.png`, fullPage: true });
    // The analytics rollups were fed by the real engine's events.
    const stats = await eventually(async () => (await e.app.request({ method: 'GET', url: '/v1/analytics/messages?session=ui-phone&bucket=hour', key: e.key })).json(), (s) => s.totals.sent >= 1 && s.totals.delivered + s.totals.read >= 1, 10_000);
    assert.equal(stats.items[0].sessionId, 'ui-phone');
  });

  test('a webhook to a dead receiver shows a dead letter, retried from the UI once the receiver is up', async () => {
    await page.getByRole('link', { name: 'Webhooks' }).click();
    await page.getByLabel('URL').fill(receiver.url);
    await page.getByLabel('Events', { exact: false }).first().fill('message.*');
    await page.getByRole('button', { name: 'Create webhook' }).click();
    await page.getByRole('status').filter({ hasText: 'Signing secret' }).waitFor();
    const hookRow = page.locator('tr[data-webhook]').filter({ hasText: receiver.url });
    await hookRow.getByRole('button', { name: 'Test' }).click();
    await page.getByRole('status').filter({ hasText: 'Test event not delivered' }).waitFor();
    const sent = await e.app.request({ method: 'POST', url: '/v1/sessions/ui-phone/messages?mode=async', key: e.key, payload: { to: '15550200002', type: 'text', text: 'to the dead receiver' } });
    assert.equal(sent.statusCode, 202, sent.body);
    const deadRow = page.locator('tr[data-dead-letter]').first();
    await eventually(async () => {
      await page.getByRole('button', { name: 'Refresh' }).first().click();
      return deadRow.count();
    }, (n) => n > 0, 20_000);
    await page.screenshot({ path: `${shots}webhooks-dead-letter.png`, fullPage: true });
    await receiver.start();
    await page.getByRole('button', { name: 'Retry all' }).click();
    await eventually(() => receiver.received.length, (n) => n > 0, 20_000);
    assert.ok(receiver.received.every((r) => r.body.type.startsWith('message.')));
    await eventually(async () => {
      await page.getByRole('button', { name: 'Refresh' }).first().click();
      return page.locator('[data-dead-letters="none"]').count();
    }, (n) => n === 1, 20_000);
    await eventually(async () => (await e.app.request({ method: 'GET', url: '/v1/analytics/messages?session=ui-phone', key: e.key })).json().totals, (totals) => totals.webhookFailed >= 1 && totals.webhookOk >= 1, 10_000);
    await hookRow.getByRole('button', { name: 'Test' }).click();
    await page.getByRole('status').filter({ hasText: 'Test event delivered: HTTP 200' }).waitFor();
    assert.equal(receiver.received.at(-1)!.body.type, 'webhook.test');
  });

  test('logout ends the login: the old cookies no longer open the API', async () => {
    const before = await context.cookies(base);
    const access = before.find((c) => c.name === 'wafleet_access');
    assert.ok(access?.httpOnly && access.sameSite === 'Strict', 'httpOnly, SameSite=Strict');
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    const cookie = before.map((c) => `${c.name}=${c.value}`).join('; ');
    const replay = await fetch(`${base}/v1/sessions`, { headers: { cookie } });
    assert.equal(replay.status, 401, 'a copy of the old cookies is refused');
  });

  test('a viewer sees no send or delete button, and the API answers 403 when the viewer calls it directly', async () => {
    await logIn('vera@acme.test');
    await page.goto(`${base}/dashboard/#/sessions/ui-phone`);
    await page.getByRole('heading', { name: 'Recent messages' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Send' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Delete' }).count(), 0);
    assert.equal(await page.getByRole('link', { name: 'Webhooks' }).count(), 0);
    const direct = await page.evaluate(async () => {
      const me = await (await fetch('/v1/auth/me')).json() as { csrfToken: string };
      const answer = await fetch('/v1/sessions/ui-phone/messages', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrfToken }, body: JSON.stringify({ to: '15550200002', type: 'text', text: 'viewer' }) });
      return { status: answer.status, body: await answer.json() as { error: { code: string } } };
    });
    assert.deepEqual([direct.status, direct.body.error.code], [403, 'FORBIDDEN']);
    await page.screenshot({ path: `${shots}viewer-session.png`, fullPage: true });
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
  });

  test('an admin sees users, the audit log of what happened, and the pages fit a phone-width screen', async () => {
    await logIn('ada@wafleet.test');
    await page.getByRole('link', { name: 'Users' }).click();
    await page.locator('tr[data-user="vera@acme.test"]').waitFor();
    await page.screenshot({ path: `${shots}users.png`, fullPage: true });
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.locator('tr[data-action="session.create"]').first().waitFor();
    for (const action of ['auth.login', 'auth.logout', 'webhook.create', 'dead-letter.retry']) {
      assert.ok(await page.locator(`tr[data-action="${action}"]`).count() > 0, `audit row ${action}`);
    }
    await page.screenshot({ path: `${shots}audit.png`, fullPage: true });
    await page.getByRole('link', { name: 'Sessions' }).click();
    await page.locator('tr[data-session="ui-phone"] [data-status="WORKING"]').waitFor();
    await page.screenshot({ path: `${shots}sessions.png` });
    await page.setViewportSize({ width: 390, height: 844 });
    // Runs in the page, where `document` exists (this file is compiled without the DOM types).
    const overflow = await page.evaluate(() => { const root = (globalThis as any).document.documentElement; return root.scrollWidth - root.clientWidth; });
    assert.ok(overflow <= 0, `no sideways scrolling at 390 px (overflow ${overflow} px)`);
    await page.screenshot({ path: `${shots}phone-sessions.png`, fullPage: true });
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  test('the Nodes page shows this node from the real API, and a three-node cluster from a fixture', async () => {
    const real = (await e.app.request({ method: 'GET', url: '/v1/nodes' })).json().items as Array<{ id: string }>;
    assert.ok(real.length >= 1, 'a single wafleet is a cluster of one');
    await page.getByRole('link', { name: 'Nodes' }).click();
    await page.locator(`tr[data-node="${real[0]!.id}"]`).waitFor();
    assert.match(await page.locator(`tr[data-node="${real[0]!.id}"]`).textContent() ?? '', /active/);
    const now = Date.now();
    // The fixture's heartbeats, moved to just now (2 s, 20 s ago; the dead one long ago).
    const nodes = JSON.parse(readFileSync(new URL('../fixtures/nodes.json', import.meta.url), 'utf8')) as { items: Array<{ lastHeartbeatAt: number }> };
    const fixture = JSON.stringify({ items: nodes.items.map((node) => ({ ...node, lastHeartbeatAt: now - (1_764_867_600_000 - node.lastHeartbeatAt) })) });
    const points = Array.from({ length: 30 }, (_, i) => ({ at: now - (30 - i) * 60_000, sessions: 200 + i, cpuPercent: 30 + (i % 7) * 5, rssBytes: (700 + i * 3) * 1048576, eventLoopLagMs: 2 + (i % 4), messagesInPerMin: 500, messagesOutPerMin: 480, apiP95Ms: 15 + (i % 5), apiP99Ms: 40 + (i % 9), errorRate: 0 }));
    await page.route('**/v1/nodes', (route) => route.fulfill({ contentType: 'application/json', body: fixture }));
    await page.route('**/v1/nodes/*/stats?**', (route) => route.fulfill({ contentType: 'application/json', body: JSON.stringify({ items: points }) }));
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.locator('tr[data-node="node-a"]').waitFor();
    assert.deepEqual(await page.locator('tr[data-node]').evaluateAll((rows) => rows.map((row) => (row as unknown as { dataset: { node: string } }).dataset.node)), ['node-a', 'node-b', 'node-c']);
    assert.match(await page.locator('tr[data-node="node-a"]').textContent() ?? '', /250 \/ 500 sessions.*63%.*1024 MiB/);
    await page.getByRole('button', { name: 'node-a' }).click();
    await page.getByRole('heading', { name: 'Node node-a, last hour' }).waitFor();
    assert.equal(await page.locator('.chart canvas').count(), 3, 'CPU, memory and latency charts');
    await page.screenshot({ path: `${shots}nodes.png`, fullPage: true });
    await page.unroute('**/v1/nodes');
    await page.unroute('**/v1/nodes/*/stats?**');
  });

  test('no page logged a script error (or a Content-Security-Policy violation)', () => {
    assert.deepEqual(consoleErrors.filter((text) => !/favicon|status of 40[134]/.test(text)), []);
  });
});
