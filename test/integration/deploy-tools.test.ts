/**
 * The deploy/ files, each checked by the tool that runs them: docker-compose, systemd-analyze,
 * kubectl kustomize, promtool. (nginx runs for real in nginx-proxy.test.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONFIG_VARIABLES } from '../../src/config/config.ts';
import { runTool, toolOrSkip } from '../helpers/system-tools.ts';

const ROOT = new URL('../..', import.meta.url).pathname;
const DEPLOY = join(ROOT, 'deploy');

function scratch(t: { after(fn: () => void): void }, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** deploy/ and the Dockerfile in a scratch folder laid out like the repository, with a filled .env. */
function composeCopy(t: { after(fn: () => void): void }, fill: Record<string, string>): string {
  const dir = scratch(t, 'wafleet-compose-');
  cpSync(DEPLOY, join(dir, 'deploy'), { recursive: true });
  cpSync(join(ROOT, 'Dockerfile'), join(dir, 'Dockerfile'));
  let env = readFileSync(join(DEPLOY, 'compose/.env.example'), 'utf8');
  for (const [name, value] of Object.entries(fill)) env = env.replace(new RegExp(`^${name}=.*$`, 'm'), `${name}=${value}`);
  writeFileSync(join(dir, 'deploy/compose/.env'), env);
  return join(dir, 'deploy/compose');
}

const SECRETS = { POSTGRES_PASSWORD: 'pg-secret', GRAFANA_ADMIN_PASSWORD: 'grafana-secret', WAFLEET_MASTER_KEY: 'bWFzdGVyLWtleS1tYXN0ZXIta2V5LW1hc3Rlci1rZXk=' };

test('docker-compose config: PostgreSQL, PgBouncer, three nodes with their identity, nginx, Prometheus, Grafana', (t) => {
  const compose = toolOrSkip(t, 'docker-compose', 'docker-compose');
  if (!compose) return;
  const dir = composeCopy(t, SECRETS);
  const run = runTool(compose, ['config'], { cwd: dir, env: { PATH: process.env.PATH } });
  assert.equal(run.status, 0, run.stderr);
  const config = run.stdout;
  for (const service of ['postgres', 'pgbouncer', 'wafleet-1', 'wafleet-2', 'wafleet-3', 'nginx', 'prometheus', 'grafana']) {
    assert.match(config, new RegExp(`^  ${service}:$`, 'm'), `service ${service}`);
  }
  for (const node of ['wafleet-1', 'wafleet-2', 'wafleet-3']) {
    assert.match(config, new RegExp(`WAFLEET_NODE_ID: ${node}\\n\\s+WAFLEET_NODE_URL: http://${node}:3000`), `${node} knows who it is`);
  }
  assert.match(config, /DATABASE_URL: postgres:\/\/wafleet:pg-secret@pgbouncer:5432\/wafleet/);
  assert.match(config, /WAFLEET_HOST: 0\.0\.0\.0/, 'nginx reaches the nodes only if they listen beyond loopback');
  assert.match(config, /deploy\/grafana\/wafleet\.json:\/var\/lib\/grafana\/dashboards\/wafleet\.json:ro/);
  assert.match(config, /deploy\/prometheus\/alerts\.yml:\/etc\/prometheus\/alerts\.yml:ro/);
});

test('docker-compose config without a required secret fails and names it', (t) => {
  const compose = toolOrSkip(t, 'docker-compose', 'docker-compose');
  if (!compose) return;
  const dir = composeCopy(t, { ...SECRETS, WAFLEET_MASTER_KEY: '' });
  const run = runTool(compose, ['config'], { cwd: dir, env: { PATH: process.env.PATH } });
  assert.notEqual(run.status, 0);
  assert.match(run.stderr, /set WAFLEET_MASTER_KEY in \.env/);
});

test('.env.example documents every variable wafleet reads, and the cluster ones', () => {
  const example = readFileSync(join(DEPLOY, 'compose/.env.example'), 'utf8');
  const missing = CONFIG_VARIABLES.filter((name) => !new RegExp(`^#? ?${name}=`, 'm').test(example));
  assert.deepEqual(missing, []);
  for (const name of ['WAFLEET_NODE_ID', 'WAFLEET_NODE_URL', 'WAFLEET_NODE_CAPACITY', 'WAFLEET_NODE_WEIGHT', 'WAFLEET_NODE_TAGS', 'WAFLEET_CLUSTER_SECRET']) {
    assert.match(example, new RegExp(`^# ${name}=`, 'm'));
  }
});

test('systemd-analyze verify accepts wafleet.service and an instance of wafleet@.service', (t) => {
  const analyze = toolOrSkip(t, 'systemd-analyze', 'systemd');
  if (!analyze) return;
  const dir = scratch(t, 'wafleet-units-');
  // The units name /usr/bin/node; verify checks that ExecStart exists, so point it at this node.
  for (const unit of ['wafleet.service', 'wafleet@.service']) {
    const text = readFileSync(join(DEPLOY, 'systemd', unit), 'utf8');
    assert.match(text, /ExecStart=.*\/usr\/bin\/node \/opt\/wafleet\/dist\/main\.js serve/);
    for (const directive of ['Restart=on-failure', 'LimitNOFILE=', 'MemoryMax=', 'NoNewPrivileges=yes', 'ProtectSystem=strict', 'PrivateTmp=yes', 'EnvironmentFile=/etc/wafleet/wafleet.env']) {
      assert.ok(text.includes(directive), `${unit} has ${directive}`);
    }
    writeFileSync(join(dir, unit), text.replaceAll('/usr/bin/node', process.execPath));
  }
  const run = runTool(analyze, ['verify', '--man=no', join(dir, 'wafleet.service'), join(dir, 'wafleet@3001.service')], { cwd: dir });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stderr.trim(), '', 'no warnings either');

  // The check is real: a typo in a directive is reported.
  writeFileSync(join(dir, 'wafleet.service'), readFileSync(join(dir, 'wafleet.service'), 'utf8').replace('NoNewPrivileges=yes', 'NoNewPrivilege=yes'));
  assert.match(runTool(analyze, ['verify', '--man=no', join(dir, 'wafleet.service')], { cwd: dir }).stderr, /Unknown key 'NoNewPrivilege'/);
});

test('kubectl kustomize builds the base: StatefulSet with probes, secrets by reference, PDB, services', (t) => {
  const kubectl = toolOrSkip(t, 'kubectl', 'kubernetes-client');
  if (!kubectl) return;
  const run = runTool(kubectl, ['kustomize', join(DEPLOY, 'kubernetes/base')]);
  assert.equal(run.status, 0, run.stderr);
  const out = run.stdout;
  for (const kind of ['ConfigMap', 'Service', 'StatefulSet', 'PodDisruptionBudget']) assert.match(out, new RegExp(`^kind: ${kind}$`, 'm'));
  assert.match(out, /readinessProbe:\n\s+failureThreshold: \d+\n\s+httpGet:\n\s+path: \/ready/);
  assert.match(out, /livenessProbe:\n\s+failureThreshold: \d+\n\s+httpGet:\n\s+path: \/health/);
  for (const key of ['master-key', 'admin-key', 'database-url']) assert.match(out, new RegExp(`key: ${key}\\n\\s+name: wafleet-secrets`));
  assert.doesNotMatch(out, /^kind: Secret$/m, 'secrets are referenced, never shipped');
  assert.match(out, /name: WAFLEET_NODE_ID\n\s+value: \$\(POD_NAME\)/);
  assert.match(out, /WAFLEET_HOST: 0\.0\.0\.0/, 'the kubelet probes and the Service reach the pod only beyond loopback');
  assert.match(out, /requests:\n\s+cpu: \S+\n\s+memory: \S+/);

  const version = runTool(kubectl, ['version', '--client']).stdout;
  if (!/Kustomize Version: v[3-9]/.test(version)) {
    t.diagnostic(`the ServiceMonitor overlay needs kubectl 1.21+; this one is ${version.split('\n')[0]}`);
    return;
  }
  const overlay = runTool(kubectl, ['kustomize', join(DEPLOY, 'kubernetes/with-servicemonitor')]);
  assert.equal(overlay.status, 0, overlay.stderr);
  assert.match(overlay.stdout, /^kind: ServiceMonitor$/m);
});

test('promtool: the alert rules are valid and their unit tests pass', (t) => {
  const promtool = toolOrSkip(t, 'promtool', 'prometheus');
  if (!promtool) return;
  const check = runTool(promtool, ['check', 'rules', join(DEPLOY, 'prometheus/alerts.yml')]);
  assert.equal(check.status, 0, check.stdout + check.stderr);
  assert.match(check.stdout, /SUCCESS: 1\d rules found/);
  const rules = readFileSync(join(DEPLOY, 'prometheus/alerts.yml'), 'utf8');
  const names = [...rules.matchAll(/- alert: (\w+)/g)].map((m) => m[1]);
  const cases = readFileSync(join(DEPLOY, 'prometheus/alerts.test.yml'), 'utf8');
  assert.deepEqual(names.filter((name) => !cases.includes(`alertname: ${name}\n`)), [], 'every rule has a case');
  const unit = runTool(promtool, ['test', 'rules', join(DEPLOY, 'prometheus/alerts.test.yml')]);
  assert.equal(unit.status, 0, unit.stdout + unit.stderr);
  assert.match(unit.stdout, /SUCCESS/);
});
