import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { acquireRunLock } from '../../src/engine/runLock.ts';
import { RejectsWriter } from '../../src/data/problems.ts';
import { BIN, ROOT, runCli, type CliResult } from '../support/cli.ts';
import { writeGenericDataset } from '../support/datasets.ts';
import { startFakeJudgeServer, type FakeJudgeServer } from '../support/fakeJudgeServer.ts';

const dir = mkdtempSync(join(tmpdir(), 'pollux-never-destroy-'));
let server: FakeJudgeServer;
let dataset: string;
let judgedRun: string;

function judgmentsIn(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(`SELECT count(*) FROM judgments WHERE status = 'scored'`).pluck().get() as number;
  } finally {
    db.close();
  }
}

before(async () => {
  server = await startFakeJudgeServer();
  dataset = join(dir, 'ds.jsonl');
  writeGenericDataset(dataset, 6, 2);
  judgedRun = join(dir, 'judged.sqlite');
  const r = await runCli(['run', dataset, '--judge', server.url, '--out', judgedRun, '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(judgmentsIn(judgedRun), 12);
});
after(() => server.close());

function assertRefused(r: CliResult, pattern: RegExp): void {
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, pattern);
}

test('batch export whose requests file is its own run file is refused; the run keeps its judgments', async () => {
  const before = readFileSync(judgedRun);
  const r = await runCli(['batch', 'export', dataset, '-o', judgedRun, '--out', judgedRun, '--model', 'ai-forever/pollux-judge-7b']);
  assertRefused(r, /same file/);
  assert.deepEqual(readFileSync(judgedRun), before);
  assert.equal(judgmentsIn(judgedRun), 12);
});

test('batch export -o DATASET, plan --rejects DATASET and a run whose rejects file is the dataset are refused', async () => {
  const bad = join(dir, 'x.rejects.jsonl');
  writeFileSync(bad, `${readFileSync(dataset, 'utf8')}{"id": "broken"}\n`);
  const original = readFileSync(bad, 'utf8');
  const cases: Array<[string[], RegExp]> = [
    [['batch', 'export', bad, '-o', bad, '--model', 'm', '--out', join(dir, 'b.sqlite')], /--output .* is the dataset/],
    [['plan', bad, '--rejects', bad], /--rejects .* is the dataset/],
    [['run', bad, '--judge', server.url, '--out', join(dir, 'x.sqlite')], /rejects file .* is the dataset/],
  ];
  for (const [args, pattern] of cases) {
    assertRefused(await runCli(args), pattern);
    assert.equal(readFileSync(bad, 'utf8'), original, args.join(' '));
  }
  assert.equal(existsSync(join(dir, 'x.sqlite')), false);
  assert.equal(existsSync(join(dir, 'b.sqlite')), false);
});

test('export into a symlink to its run file, or over another run file, is refused', async () => {
  const link = join(dir, 'link.jsonl');
  symlinkSync(judgedRun, link);
  const before = readFileSync(judgedRun);
  assertRefused(await runCli(['export', judgedRun, '-o', link]), /is the run file/);
  const other = join(dir, 'other.sqlite');
  writeFileSync(other, before);
  assertRefused(await runCli(['export', judgedRun, '-o', other, '--format', 'jsonl']), /SQLite database/);
  assert.deepEqual(readFileSync(other), before);
  assert.deepEqual(readFileSync(judgedRun), before);
});

test('score --csv never replaces a run file named like one of its tables', async () => {
  const csvDir = join(dir, 'tables');
  mkdirSync(csvDir);
  const run = join(csvDir, 'leaderboard.csv');
  writeFileSync(run, readFileSync(judgedRun));
  assertRefused(await runCli(['score', run, '--csv', csvDir]), /refusing to overwrite/);
  assert.equal(judgmentsIn(run), 12);
});

test('a rejects file replaces the previous one only when complete', () => {
  const path = join(dir, 'r.rejects.jsonl');
  writeFileSync(path, 'previous\n');
  const w = new RejectsWriter(path);
  w.write({ file: 'a.jsonl', line: 1, message: 'bad' });
  assert.equal(readFileSync(path, 'utf8'), 'previous\n');
  assert.equal(w.close(), path);
  assert.match(readFileSync(path, 'utf8'), /"message":"bad"/);
});

test('the lock follows symlinks, and batch import takes it', async () => {
  const run = join(dir, 'locked.sqlite');
  const r0 = await runCli(['batch', 'export', dataset, '-o', join(dir, 'req.jsonl'), '--out', run, '--model', 'ai-forever/pollux-judge-7b']);
  assert.equal(r0.code, 0, r0.stderr);
  const link = join(dir, 'locked-link.sqlite');
  symlinkSync(run, link);
  const lock = acquireRunLock(run);
  try {
    assertRefused(await runCli(['run', dataset, '--judge', server.url, '--out', link, '--quiet']), /in use by another pollux process/);
    assertRefused(await runCli(['batch', 'export', dataset, '-o', join(dir, 'req2.jsonl'), '--out', link, '--model', 'ai-forever/pollux-judge-7b']), /in use/);
    writeFileSync(join(dir, 'results.jsonl'), '');
    assertRefused(await runCli(['batch', 'import', link, join(dir, 'results.jsonl')]), /in use/);
    assertRefused(await runCli(['batch', 'import', run, join(dir, 'results.jsonl')]), /in use/);
  } finally {
    lock.release();
  }
  assert.equal(server.requests.filter((q) => q.n > 12).length, 0);
});

/**
 * The first folder on the way to the checkout that other users may not enter (a checkout inside a
 * `mktemp -d` folder, mode 700), or null: as root the reader runs as nobody, who must reach the code.
 */
function closedToOthers(path: string): string | null {
  for (let p = path; ; p = dirname(p)) {
    if ((statSync(p).mode & 0o001) === 0) return p;
    if (dirname(p) === p) return null;
  }
}

/** Runs the CLI as a user who may read but not write the run file (root may write anything). */
function runAsReader(args: string[]): Promise<CliResult> {
  const asRoot = process.getuid?.() === 0;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      env: { ...process.env, HOME: tmpdir() },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

test('score, meta and export read a run file the user cannot write, and leave nothing beside it', async (t) => {
  const closed = process.getuid?.() === 0 ? closedToOthers(ROOT) : null;
  if (closed) {
    t.skip(`run as root from ${ROOT}: the reader runs as nobody, who cannot enter ${closed}; run the tests from a checkout other users can reach`);
    return;
  }
  // mkdtemp folders are private: the reader must be able to reach the file.
  chmodSync(dir, 0o755);
  const roDir = join(dir, 'readonly');
  mkdirSync(roDir);
  const fresh = join(roDir, 'fresh.sqlite');
  writeFileSync(fresh, readFileSync(judgedRun));
  // A file closed in WAL mode by an older pollux: the header still says WAL.
  const old = join(roDir, 'old.sqlite');
  writeFileSync(old, readFileSync(judgedRun));
  const db = new Database(old);
  db.pragma('journal_mode = WAL');
  db.close();
  assert.equal(readFileSync(old)[18], 2);
  for (const f of [fresh, old]) chmodSync(f, 0o444);
  chmodSync(roDir, 0o555);
  const outDir = mkdtempSync(join(tmpdir(), 'pollux-reader-out-'));
  chmodSync(outDir, 0o777);
  try {
    for (const run of [fresh, old]) {
      for (const args of [['score', run], ['meta', run, '--bootstrap', '0'], ['export', run, '-o', join(outDir, 'x.jsonl')]]) {
        const r = await runAsReader(args);
        assert.doesNotMatch(r.stderr, /readonly|unexpected/, `${args.join(' ')}: ${r.stderr}`);
        assert.ok(r.code === 0 || (args[0] === 'meta' && r.code === 2 && /expert/.test(r.stderr)), `${args.join(' ')}: ${r.code} ${r.stderr}`);
      }
    }
    assert.equal(readFileSync(join(outDir, 'x.jsonl'), 'utf8').trim().split('\n').length, 12);
    assert.deepEqual(readdirSync(roDir).sort(), ['fresh.sqlite', 'old.sqlite']);
  } finally {
    chmodSync(roDir, 0o755);
  }
  // The run file the writer closed is at rest in rollback-journal mode, with nothing beside it.
  assert.equal(readFileSync(judgedRun)[18], 1);
  assert.equal(existsSync(`${judgedRun}-wal`), false);
  assert.ok(statSync(judgedRun).size > 0);
});
