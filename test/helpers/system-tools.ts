/**
 * Tests that check deploy files with the real tool (nginx, promtool, docker-compose, systemd-analyze,
 * kubectl). Outside CI a missing tool skips the test with the package to install; under CI=true
 * (.ci/run installs them all) a missing tool fails it.
 */
import { spawnSync } from 'node:child_process';
import type { TestContext } from 'node:test';

export function findTool(command: string): string | undefined {
  const found = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

/** The tool's path, or undefined after marking the test skipped (never under CI). */
export function toolOrSkip(t: TestContext, command: string, debianPackage: string): string | undefined {
  const path = findTool(command);
  if (path) return path;
  const hint = `${command} is not installed: apt-get install -y ${debianPackage} (.ci/run does)`;
  if (process.env.CI === 'true') throw new Error(`CI must run this test: ${hint}`);
  t.skip(hint);
  return undefined;
}

export interface ToolRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runTool(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): ToolRun {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 60_000, ...options });
  return { status: result.status, stdout: result.stdout ?? '', stderr: `${result.stderr ?? ''}${result.error ? String(result.error) : ''}` };
}
