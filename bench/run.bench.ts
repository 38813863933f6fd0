/**
 * The run engine against a local OpenAI-compatible server (bench/support/benchServer.ts, a process of
 * its own). Every client runs in a fresh process too. Three parts:
 * - overhead: judgments/s of pollux (runJudgments as a library, and `pollux run` as a child process,
 *   startup and the enumeration pass included) beside a bare loop of the openai SDK sending the same
 *   prompts at the same concurrency and storing nothing, and one of undici's request API (what pollux
 *   sends through, so its ratio is pollux's own overhead); alternating order, median over the rounds;
 * - latency:  a server answering after --delay ms at concurrency 256: judgments/s against the ideal
 *   concurrency / delay;
 * - memory:   `pollux run` over --requests requests (default 1,000,000): wall time, peak RSS and the
 *   course of RSS; stopped if RSS passes --rss-ceiling MB, so that a leak cannot starve the machine.
 * Prints figures and ratios; asserts nothing.
 *
 *   node --import tsx bench/run.bench.ts [--parts overhead,latency,memory] [--overhead-requests 20000]
 *     [--concurrency 64] [--rounds 2] [--latency-requests 2560] [--latency-concurrency 256]
 *     [--delay 1000] [--requests 1000000] [--memory-concurrency 128] [--rss-ceiling 2000 (MB)]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeBenchDataset } from './support/benchDataset.ts';
import type { BareResult, LibraryResult } from './support/runParts.ts';
import { buildDist } from './support/buildDist.ts';

const BIN = fileURLToPath(new URL('../bin/pollux.js', import.meta.url));
const SERVER = fileURLToPath(new URL('./support/benchServer.ts', import.meta.url));
const PARTS = fileURLToPath(new URL('./support/runParts.ts', import.meta.url));
const TIME = '/usr/bin/time';
const CRITERIA = 4;
// overhead: pollux against the bare openai-SDK loop, whole process, at concurrency 64 over 8,000 requests.
const TARGET = { overhead: 0.9, latency: 0.9, memoryMB: 300 };

const DEFAULTS = {
  parts: 'overhead,latency,memory',
  'overhead-requests': '20000',
  concurrency: '64',
  rounds: '2',
  'latency-requests': '2560',
  'latency-concurrency': '256',
  delay: '1000',
  requests: '1000000',
  'memory-concurrency': '128',
  'rss-ceiling': '2000',
};
type Option = keyof typeof DEFAULTS;

function parseArgs(argv: string[]): Record<Option, string> {
  const out = { ...DEFAULTS };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [flag, inline] = arg.startsWith('--') ? arg.slice(2).split('=', 2) : [arg, undefined];
    if (!(flag && flag in DEFAULTS)) throw new Error(`unknown argument ${arg}; options: ${Object.keys(DEFAULTS).map((k) => `--${k}`).join(' ')}`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`${arg}: missing value`);
    out[flag as Option] = value;
  }
  return out;
}

const opts = parseArgs(process.argv.slice(2));
// `pollux run` is measured as users run it: the compiled executable, built from the sources now.
buildDist();
const num = (o: Option): number => {
  const n = Number(opts[o].replace(/_/g, ''));
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${o}: expected a positive integer, got ${opts[o]}`);
  return n;
};
const parts = new Set(opts.parts.split(','));

const fmt = (n: number, digits = 0) => n.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const MB = (kib: number) => (kib * 1024) / 1e6;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

/** Collects a child's stdout; resolves on exit, rejects on a non-zero status unless `accept` says otherwise. */
function finished(child: ChildProcess, what: string, accept: () => boolean = () => false): Promise<string> {
  let stdout = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => (code === 0 || accept() ? resolve(stdout) : reject(new Error(`${what} ended with ${code ?? signal}`))));
  });
}

/** Resident and peak resident KiB of a process, from /proc (null where there is none). */
function memoryOf(pid: number): { rss: number; hwm: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = /VmRSS:\s+(\d+) kB/.exec(status);
    const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
    return rss && hwm ? { rss: Number(rss[1]), hwm: Number(hwm[1]) } : null;
  } catch {
    return null;
  }
}

/** The node process under /usr/bin/time: its only child. */
function childPid(pid: number): number | null {
  try {
    const first = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/)[0];
    return first ? Number(first) : null;
  } catch {
    return null;
  }
}

interface BenchServer {
  url: string;
  stop(): Promise<{ served: number; cpuMs: number }>;
}

async function startServer(delayMs: number): Promise<BenchServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', SERVER, '--delay', String(delayMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const done = finished(child, 'bench server');
  const url = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    const onData = (d: Buffer) => {
      buffered += d.toString('utf8');
      const nl = buffered.indexOf('\n');
      if (nl < 0) return;
      child.stdout?.off('data', onData);
      resolve(buffered.slice(0, nl));
    };
    child.stdout?.on('data', onData);
    done.catch(reject);
  });
  return {
    url,
    stop: async () => {
      child.kill('SIGTERM');
      const lines = (await done).trim().split('\n');
      return JSON.parse(lines[lines.length - 1] as string) as { served: number; cpuMs: number };
    },
  };
}

async function clientPart<T>(part: 'bare' | 'bare-undici' | 'library', args: Record<string, unknown>): Promise<T> {
  const child = spawn(process.execPath, ['--import', 'tsx', PARTS, part, JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'inherit'] });
  return JSON.parse(await finished(child, part)) as T;
}

interface CliRun {
  wallSeconds: number;
  /** Resident KiB sampled every half second: [seconds since start, KiB]. */
  rssSamples: Array<[number, number]>;
  /** Stopped (SIGTERM: finish what is in flight, then exit) because RSS passed the ceiling. */
  stoppedAtCeiling: boolean;
  /** The summary's own rate: from runJudgments' start (enumeration included, process startup not). */
  summaryRate: number;
  judged: number;
  scored: number;
  peakKiB: number | null;
}

/**
 * `pollux run` as a user starts it (the executable itself, so its shebang's Node flags apply, as with
 * `npx pollux`); peak RSS from /usr/bin/time (or /proc polling without it). Past
 * `ceilingKiB` of RSS the run is stopped, so a leak cannot take the memory of a shared machine.
 */
async function cliRun(dataset: string, url: string, concurrency: number, out: string, dir: string, ceilingKiB = Infinity): Promise<CliRun> {
  const args = [BIN, 'run', dataset, '--judge', url, '--concurrency', String(concurrency), '--out', out, '--quiet', '--json'];
  const timeFile = join(dir, `time-${Date.now()}.txt`);
  const useTime = existsSync(TIME);
  const t0 = performance.now();
  const child = useTime
    ? spawn(TIME, ['-f', '%M', '-o', timeFile, ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
    : spawn(BIN, args.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
  let polledKiB: number | null = null;
  let nodePid: number | null = useTime ? null : (child.pid ?? null);
  let stoppedAtCeiling = false;
  const rssSamples: Array<[number, number]> = [];
  const poll = setInterval(() => {
    if (nodePid === null && child.pid !== undefined) nodePid = childPid(child.pid);
    const m = nodePid === null ? null : memoryOf(nodePid);
    if (!m || nodePid === null) return;
    polledKiB = Math.max(polledKiB ?? 0, m.hwm);
    rssSamples.push([(performance.now() - t0) / 1000, m.rss]);
    if (m.rss > ceilingKiB && !stoppedAtCeiling) {
      stoppedAtCeiling = true;
      process.kill(nodePid, 'SIGTERM');
    }
  }, 500);
  try {
    const stdout = await finished(child, 'pollux run', () => stoppedAtCeiling);
    const wallSeconds = (performance.now() - t0) / 1000;
    const summary = JSON.parse(stdout) as { judgedNow: number; judgmentsPerSecond: number; counts: { scored: number } };
    const peakKiB = useTime ? Number(readFileSync(timeFile, 'utf8').trim().split('\n').pop()) : polledKiB;
    return {
      wallSeconds,
      rssSamples,
      stoppedAtCeiling,
      summaryRate: summary.judgmentsPerSecond,
      judged: summary.judgedNow,
      scored: summary.counts.scored,
      peakKiB,
    };
  } finally {
    clearInterval(poll);
  }
}

function datasetFor(dir: string, name: string, requests: number): { file: string; requests: number } {
  const file = join(dir, `${name}.jsonl`);
  return { file, requests: writeBenchDataset(file, Math.ceil(requests / CRITERIA), CRITERIA) };
}

let storeCount = 0;
const freshStore = (dir: string) => join(dir, `run-${++storeCount}.sqlite`);

async function overhead(dir: string): Promise<number | null> {
  const concurrency = num('concurrency');
  const rounds = num('rounds');
  const { file, requests } = datasetFor(dir, 'overhead', num('overhead-requests'));
  const server = await startServer(0);
  const rates: Record<'bare' | 'undici' | 'library' | 'cli' | 'cliWall', number[]> = { bare: [], undici: [], library: [], cli: [], cliWall: [] };
  const libraryRuns: LibraryResult[] = [];
  let cliPeakKiB: number | null = null;
  const bareRuns: BareResult[] = [];
  try {
    // The server's JIT warms on this, not on whichever client comes first.
    await clientPart<BareResult>('bare', { url: server.url, dataset: file, concurrency, limit: 2_000 });
    console.log(`overhead: ${fmt(requests)} requests, concurrency ${concurrency}, ${rounds} round(s), instant server`);
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? ['bare', 'undici', 'library', 'cli'] : ['cli', 'library', 'undici', 'bare'];
      const line: string[] = [];
      for (const kind of order) {
        if (kind === 'bare') {
          const b = await clientPart<BareResult>('bare', { url: server.url, dataset: file, concurrency });
          if (b.failed > 0) console.log(`  bare loop: ${b.failed} request(s) failed`);
          rates.bare.push(b.ok / b.seconds);
          bareRuns.push(b);
          line.push(`bare ${fmt(b.ok / b.seconds)}`);
        } else if (kind === 'undici') {
          const u = await clientPart<BareResult>('bare-undici', { url: server.url, dataset: file, concurrency });
          if (u.failed > 0) console.log(`  bare undici loop: ${u.failed} request(s) failed`);
          rates.undici.push(u.ok / u.seconds);
          line.push(`bare undici ${fmt(u.ok / u.seconds)}`);
        } else if (kind === 'library') {
          const l = await clientPart<LibraryResult>('library', { url: server.url, dataset: file, concurrency, storeFile: freshStore(dir) });
          if (l.scored !== requests) console.log(`  library: ${fmt(l.scored)} of ${fmt(requests)} scored`);
          rates.library.push(l.requests / l.seconds);
          libraryRuns.push(l);
          line.push(`library ${fmt(l.requests / l.seconds)}`);
        } else {
          const c = await cliRun(file, server.url, concurrency, freshStore(dir), dir);
          if (c.scored !== requests) console.log(`  CLI: ${fmt(c.scored)} of ${fmt(requests)} scored`);
          rates.cli.push(c.summaryRate);
          rates.cliWall.push(c.judged / c.wallSeconds);
          cliPeakKiB = Math.max(cliPeakKiB ?? 0, c.peakKiB ?? 0) || null;
          line.push(`CLI ${fmt(c.summaryRate)}`);
        }
      }
      console.log(`  round ${r + 1} (${order.join(', ')}): ${line.join(', ')} j/s`);
    }
  } finally {
    const s = await server.stop();
    console.log(`  server: ${fmt(s.served)} requests served, ${fmt(s.cpuMs / 1000, 1)} s CPU`);
  }
  const bare = median(rates.bare);
  const lib = median(rates.library);
  const cli = median(rates.cli);
  const enumerate = median(libraryRuns.map((l) => l.enumerateSeconds ?? NaN));
  const judging = median(libraryRuns.map((l) => l.requests / (l.judgingSeconds ?? NaN)));
  console.log(`overhead: bare ${fmt(bare)} j/s, pollux ${fmt(lib)} j/s (library), ratio ${fmt(lib / bare, 2)} (target ≥ ${fmt(TARGET.overhead, 2)})`);
  // pollux sends through undici's request API, not the SDK: this ratio is its own overhead.
  const undici = median(rates.undici);
  console.log(`overhead: bare undici loop ${fmt(undici)} j/s; pollux library ${fmt(lib / undici, 2)}, CLI ${fmt(cli / undici, 2)} of it`);
  console.log(
    `overhead: pollux run CLI ${fmt(cli)} j/s by its summary (${fmt(median(rates.cliWall))} j/s by the wall clock, process startup included), ratio ${fmt(cli / bare, 2)}`,
  );
  console.log(
    `  library split: listing the requests ${fmt(enumerate, 2)} s, then judging at ${fmt(judging)} j/s (ratio ${fmt(judging / bare, 2)} to bare); ` +
      `peak RSS library ${fmt(median(libraryRuns.map((l) => MB(l.peakMiB * 1024))))} MB, bare ${fmt(median(bareRuns.map((b) => MB(b.peakMiB * 1024))))} MB` +
      (cliPeakKiB ? `, CLI ${fmt(MB(cliPeakKiB))} MB` : ''),
  );
  return cliPeakKiB;
}

async function latency(dir: string): Promise<void> {
  const concurrency = num('latency-concurrency');
  const delayMs = num('delay');
  const { file, requests } = datasetFor(dir, 'latency', num('latency-requests'));
  const ideal = concurrency / (delayMs / 1000);
  const server = await startServer(delayMs);
  try {
    console.log(`latency: ${fmt(requests)} requests, concurrency ${concurrency}, server answering after ${fmt(delayMs)} ms: ideal ${fmt(ideal)} j/s`);
    const b = await clientPart<BareResult>('bare', { url: server.url, dataset: file, concurrency });
    const l = await clientPart<LibraryResult>('library', { url: server.url, dataset: file, concurrency, storeFile: freshStore(dir) });
    const c = await cliRun(file, server.url, concurrency, freshStore(dir), dir);
    const lib = l.requests / l.seconds;
    console.log(`latency: bare ${fmt(b.ok / b.seconds, 1)} j/s (ratio ${fmt(b.ok / b.seconds / ideal, 2)} to ideal)`);
    console.log(`latency: pollux ${fmt(lib, 1)} j/s (library), ratio ${fmt(lib / ideal, 2)} to ideal (target ≥ ${fmt(TARGET.latency, 2)}); ratio to bare ${fmt(lib / (b.ok / b.seconds), 2)}`);
    console.log(`latency: pollux run CLI ${fmt(c.summaryRate, 1)} j/s by its summary, ratio ${fmt(c.summaryRate / ideal, 2)} to ideal`);
  } finally {
    await server.stop();
  }
}

/** RSS at a quarter, half, three quarters and the end of the run: flat, or growing with the requests. */
function rssCourse(samples: Array<[number, number]>): string {
  if (samples.length === 0) return 'no RSS samples';
  const end = (samples[samples.length - 1] as [number, number])[0];
  const at = (f: number) => (samples.find(([t]) => t >= f * end) ?? (samples[samples.length - 1] as [number, number]))[1];
  return `RSS at 25/50/75/100% of the wall time: ${[0.25, 0.5, 0.75, 1].map((f) => fmt(MB(at(f)))).join(' / ')} MB`;
}

async function memory(dir: string, smallPeakKiB: number | null): Promise<void> {
  const concurrency = num('memory-concurrency');
  const ceilingMB = num('rss-ceiling');
  const t0 = performance.now();
  const { file, requests } = datasetFor(dir, 'memory', num('requests'));
  const writeSeconds = (performance.now() - t0) / 1000;
  console.log(
    `memory: ${fmt(requests)} requests (${fmt(requests / CRITERIA)} samples × ${CRITERIA} criteria, dataset ${fmt(statSync(file).size / 1e6)} MB written in ${fmt(writeSeconds, 1)} s), ` +
      `pollux run --concurrency ${concurrency}, instant server; stopped if its RSS passes ${fmt(ceilingMB)} MB`,
  );
  const server = await startServer(0);
  try {
    const out = freshStore(dir);
    const c = await cliRun(file, server.url, concurrency, out, dir, (ceilingMB * 1e6) / 1024);
    if (c.stoppedAtCeiling) console.log(`  RSS passed ${fmt(ceilingMB)} MB: stopped after ${fmt(c.judged)} of ${fmt(requests)} requests`);
    else if (c.scored !== requests) console.log(`  ${fmt(c.scored)} of ${fmt(requests)} scored`);
    const peak = c.peakKiB === null ? null : MB(c.peakKiB);
    console.log(
      `memory: ${fmt(c.judged)} requests judged in ${fmt(c.wallSeconds, 1)} s (${fmt(c.summaryRate)} j/s by the summary), run file ${fmt(statSync(out).size / 1e6)} MB, ` +
        `peak RSS ${peak === null ? 'unknown' : `${fmt(peak)} MB`} (target < ${TARGET.memoryMB} MB)` +
        (peak !== null && smallPeakKiB ? `; ratio to the CLI's peak at ${opts['overhead-requests']} requests ${fmt(peak / MB(smallPeakKiB), 2)}` : ''),
    );
    console.log(`  ${rssCourse(c.rssSamples)}`);
  } finally {
    await server.stop();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'pollux-run-bench-'));
try {
  let smallPeak: number | null = null;
  if (parts.has('overhead')) smallPeak = await overhead(dir);
  if (parts.has('latency')) await latency(dir);
  if (parts.has('memory')) await memory(dir, smallPeak);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
