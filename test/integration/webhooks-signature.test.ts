/** The verification recipes of docs/webhooks.md, run exactly as printed, against a real delivery. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { eventually, type TestApp } from '../helpers/test-app.ts';
import { Receiver, type Received } from './webhooks-receiver.ts';
import { createHook, webhookApp, workingSession } from './webhooks-fixtures.ts';

const DOC = readFileSync(new URL('../../docs/webhooks.md', import.meta.url), 'utf8');
const block = (lang: string, marker: string): string => {
  const found = [...DOC.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!).find((code) => code.includes(marker));
  if (!found) throw new Error(`no ${lang} block with ${marker} in docs/webhooks.md`);
  return found;
};

type Verify = (secret: string, headers: Record<string, unknown>, rawBody: string) => boolean;
const nodeRecipe = new Function('createHmac', 'timingSafeEqual', `${block('js', 'verifyWafleet').replace(/^import .*$/m, '')}\nreturn verifyWafleet;`)(createHmac, timingSafeEqual) as Verify;

function pythonRecipe(cases: Array<{ secret: string; headers: Record<string, string>; body: string }>): boolean[] | undefined {
  const script = `${block('python', 'verify_wafleet')}\nimport json, sys\nprint(json.dumps([verify_wafleet(c["secret"], c["headers"], c["body"].encode()) for c in json.load(sys.stdin)]))\n`;
  const run = spawnSync('python3', ['-c', script], { input: JSON.stringify(cases), encoding: 'utf8' });
  if (run.error) return undefined; // no python3 here
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout) as boolean[];
}

describe('signature recipes from docs/webhooks.md', () => {
  let t: TestApp;
  let receiver: Receiver;
  let secret: string;
  let delivered: Received;
  before(async () => {
    t = await webhookApp();
    const key = await t.tenantWithKey('acme');
    receiver = await new Receiver().start();
    secret = (await createHook(t, key, { url: receiver.url, events: ['message.received'] })).secret;
    await workingSession(t, key, 'sig');
    t.fake.sessions.get('sig')!.receive('15551230000', 'héllo "quoted" ✓');
    delivered = (await eventually(() => receiver.received, (r) => r.length > 0))[0]!;
  });
  after(async () => {
    await receiver.stop();
    await t.close();
  });

  const headers = (overrides: Record<string, string> = {}) => ({
    'x-wafleet-timestamp': String(delivered.headers['x-wafleet-timestamp']),
    'x-wafleet-signature': String(delivered.headers['x-wafleet-signature']),
    ...overrides,
  });

  test('Node: a real delivery verifies; a tampered body, another secret, a forged or stale timestamp do not', () => {
    assert.equal(nodeRecipe(secret, headers(), delivered.raw), true);
    assert.equal(nodeRecipe(secret, headers(), delivered.raw.replace('quoted', 'quoteD')), false);
    assert.equal(nodeRecipe('whsec_another-secret-0000', headers(), delivered.raw), false);
    assert.equal(nodeRecipe(secret, headers({ 'x-wafleet-timestamp': String(Number(headers()['x-wafleet-timestamp']) + 1) }), delivered.raw), false);
    const old = Math.floor(Date.now() / 1000) - 3600;
    const staleSig = createHmac('sha256', secret).update(`${old}.${delivered.raw}`).digest('hex');
    assert.equal(nodeRecipe(secret, { 'x-wafleet-timestamp': String(old), 'x-wafleet-signature': staleSig }, delivered.raw), false, 'correctly signed but an hour old');
    assert.equal(nodeRecipe(secret, {}, delivered.raw), false);
  });

  test('Python: the same verdicts', (ctx) => {
    const old = Math.floor(Date.now() / 1000) - 3600;
    const staleSig = createHmac('sha256', secret).update(`${old}.${delivered.raw}`).digest('hex');
    const verdicts = pythonRecipe([
      { secret, headers: headers(), body: delivered.raw },
      { secret, headers: headers(), body: delivered.raw.replace('quoted', 'quoteD') },
      { secret: 'whsec_another-secret-0000', headers: headers(), body: delivered.raw },
      { secret, headers: { 'x-wafleet-timestamp': String(old), 'x-wafleet-signature': staleSig }, body: delivered.raw },
    ]);
    if (!verdicts) {
      ctx.skip('python3 not installed');
      return;
    }
    assert.deepEqual(verdicts, [true, false, false, false]);
  });
});
