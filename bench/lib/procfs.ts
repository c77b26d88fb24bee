/** Reads a process's memory and CPU from /proc (Linux), so nothing in the measured process reports on itself. */
import { readFileSync } from 'node:fs';

/** Clock ticks per second for /proc/<pid>/stat times (getconf CLK_TCK; 100 on Linux x86/arm). */
const CLK_TCK = 100;

/** Resident set size in bytes (VmRSS). */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]) * 1024;
}

/** User + system CPU seconds consumed so far. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return (utime + stime) / CLK_TCK;
}

/** Samples CPU over `ms` and returns the share of one core used (0.01 = 1%). */
export async function cpuShare(pid: number, ms: number): Promise<number> {
  const before = cpuSeconds(pid);
  const started = process.hrtime.bigint();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  return (cpuSeconds(pid) - before) / elapsed;
}

export function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

/** The machine's CPU time so far, all cores: busy and total ticks (/proc/stat, first line). */
export function machineTicks(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = fields.reduce((sum, value) => sum + value, 0);
  // idle and iowait are the fields 4 and 5 of the cpu line.
  return { busy: total - (fields[3] ?? 0) - (fields[4] ?? 0), total };
}

/** Share of all cores busy between two machineTicks() readings (1 = every core all the time). */
export function busyShare(before: { busy: number; total: number }, after: { busy: number; total: number }): number {
  const total = after.total - before.total;
  return total > 0 ? (after.busy - before.busy) / total : 0;
}
