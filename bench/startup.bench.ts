/**
 * Start-up of the `pollux` executable, whole process, against `node -e 0` measured in the same run
 * (alternating, median over the rounds): `pollux --help` and `pollux prompt` (one POLLUX criterion
 * of the taxonomy). The executable runs the compiled dist/, built here first. Target: under 0.3 s
 * median for both. Prints figures and ratios; asserts nothing.
 *
 *   node --import tsx bench/startup.bench.ts [--rounds 15]
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { renderTable } from '../src/report/text/table.ts';
import { buildDist } from './support/buildDist.ts';

const BIN = fileURLToPath(new URL('../bin/pollux.js', import.meta.url));
const roundsArg = process.argv.indexOf('--rounds');
const rounds = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : 15;
const TARGET_MS = 300;

const cases: Record<string, string[]> = {
  'node -e 0': ['-e', '0'],
  'pollux --help': [BIN, '--help'],
  'pollux prompt': [BIN, 'prompt', '--criterion', 'general', '--instruction', 'Объясни, почему небо голубое.', '--answer', 'Из-за рассеяния Рэлея.'],
};

/** Wall time, and CPU time (user + system, from /usr/bin/time): on a shared machine the CPU time is the steadier figure. */
function timeOnce(args: string[]): { wall: number; cpu: number } {
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', 'CPU %U %S', process.execPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  const wall = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  const m = /CPU ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr);
  return { wall, cpu: m ? (Number(m[1]) + Number(m[2])) * 1000 : NaN };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

buildDist();
const times: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
const cpu: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (const args of Object.values(cases)) timeOnce(args); // warm the file cache
for (let i = 0; i < rounds; i++) {
  const order = i % 2 === 0 ? Object.keys(cases) : Object.keys(cases).reverse();
  for (const name of order) {
    const t = timeOnce(cases[name]!);
    times[name]!.push(t.wall);
    cpu[name]!.push(t.cpu);
  }
}
const base = median(times['node -e 0']!);
const baseCpu = median(cpu['node -e 0']!);
console.log(`start-up, whole process, median of ${rounds} rounds (target: pollux under ${TARGET_MS} ms wall)`);
const rows = Object.entries(times).map(([name, xs]) => {
  const m = median(xs);
  const c = median(cpu[name]!);
  const verdict =
    name === 'node -e 0'
      ? 'baseline'
      : `${(m / base).toFixed(2)}× node -e 0 wall (+${Math.round(m - base)} ms), ${(c / baseCpu).toFixed(2)}× its CPU; ${m < TARGET_MS ? 'meets' : 'misses'} the target`;
  return [name, String(Math.round(m)), String(Math.round(Math.min(...xs))), String(Math.round(c)), verdict];
});
console.log(renderTable({ header: ['command', 'wall ms', 'min ms', 'CPU ms', 'against node -e 0'], rows, align: [undefined, undefined, undefined, undefined, 'left'], indent: '  ' }).join('\n'));
