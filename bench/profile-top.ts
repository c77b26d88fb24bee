/**
 * Summarizes a V8 .cpuprofile (from node --cpu-prof): self time by function and by package/folder.
 *   node --import tsx bench/profile-top.ts <file.cpuprofile> [--top 25] [--busiest-ms 3000]
 * --busiest-ms N: only the N ms window with the least idle time (e.g. the measured burst, not startup).
 * --from-s A --to-s B: only samples between A and B seconds after the profile started.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '25' }, 'busiest-ms': { type: 'string' }, 'from-s': { type: 'string' }, 'to-s': { type: 'string' } } });
const top = Number(values.top);

function area(url: string): string {
  if (!url) return '(native/gc/idle)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return `npm:${nm[1]}`;
  const ours = /\/(src|sim|bench|test)\/([^/]+)/.exec(url);
  if (ours) return `${ours[1]}/${ours[2]}`;
  if (url.startsWith('node:')) return 'node-core';
  return url;
}

for (const file of positionals) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  const times: number[] = [];
  let t = 0;
  for (const delta of profile.timeDeltas) times.push((t += delta));
  let [from, to] = [0, profile.samples.length];
  if (values['busiest-ms']) {
    const width = Number(values['busiest-ms']) * 1000;
    const idleId = profile.nodes.find((n) => n.callFrame.functionName === '(idle)')?.id;
    let best = -1;
    let busy = 0;
    let lo = 0;
    for (let hi = 0; hi < profile.samples.length; hi++) {
      if (profile.samples[hi] !== idleId) busy += profile.timeDeltas[hi] ?? 0;
      while (times[hi]! - times[lo]! > width) {
        if (profile.samples[lo] !== idleId) busy -= profile.timeDeltas[lo] ?? 0;
        lo++;
      }
      if (busy > best) [best, from, to] = [busy, lo, hi + 1];
    }
    console.log(`busiest ${values['busiest-ms']} ms window: ${(best / 1000).toFixed(0)} ms busy, at +${(times[from]! / 1e6).toFixed(1)} s`);
  }
  if (values['from-s'] || values['to-s']) {
    const a = Number(values['from-s'] ?? 0) * 1e6;
    const b = values['to-s'] ? Number(values['to-s']) * 1e6 : Infinity;
    from = times.findIndex((x) => x >= a);
    to = times.findIndex((x) => x > b);
    if (from < 0) from = times.length;
    if (to < 0) to = times.length;
  }
  for (let i = from; i < to; i++) {
    const id = profile.samples[i]!;
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const byFn = new Map<string, number>();
  const byArea = new Map<string, number>();
  for (const [id, us] of self) {
    const node = byId.get(id)!;
    const { functionName, url, lineNumber } = node.callFrame;
    const key = `${functionName || '(anonymous)'} ${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(src|sim|bench|test)\//, '$1/')}:${lineNumber + 1}`;
    byFn.set(key, (byFn.get(key) ?? 0) + us);
    const a = area(url) + (url ? '' : ` ${functionName}`);
    byArea.set(a, (byArea.get(a) ?? 0) + us);
  }
  const pct = (us: number) => `${((us / total) * 100).toFixed(1).padStart(5)}%`;
  console.log(`\n${file}: ${(total / 1e6).toFixed(2)} s sampled`);
  console.log('-- by area (self time)');
  for (const [k, us] of [...byArea].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(us)}  ${k}`);
  console.log('-- by function (self time)');
  for (const [k, us] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(us)}  ${k}`);
}
