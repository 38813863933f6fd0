import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { BIN, ROOT, runCli } from '../support/cli.ts';
import { writeGenericDataset } from '../support/datasets.ts';
import { startFakeJudgeServer, verdict, type FakeJudgeServer } from '../support/fakeJudgeServer.ts';

const dir = mkdtempSync(join(tmpdir(), 'pollux-resume-'));
let server: FakeJudgeServer;
let garbageFor: RegExp | null = null;
let slowMs = 0;

before(async () => {
  server = await startFakeJudgeServer({
    reply: ({ prompt }) => {
      if (garbageFor && garbageFor.test(prompt)) return { kind: 'verdict', text: 'без вердикта' };
      return { ...verdict(1), delayMs: slowMs + 5 + Math.floor(Math.random() * 25) };
    },
  });
});
after(() => server.close());

function storeRows(file: string) {
  const db = new Database(file, { readonly: true });
  try {
    const rows = db.prepare('SELECT key, status, score FROM requests').all() as Array<{ key: string; status: string; score: number | null }>;
    const integrity = (db.prepare('PRAGMA integrity_check').get() as { integrity_check: string }).integrity_check;
    return { rows, integrity };
  } finally {
    db.close();
  }
}

/** What the run file holds judged so far: cheap enough to ask every few milliseconds while a run writes it. */
function countJudged(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare("SELECT count(*) AS n FROM requests WHERE status != 'pending'").get() as { n: number }).n;
  } finally {
    db.close();
  }
}

function spawnRun(args: string[]) {
  return spawn(process.execPath, [BIN, 'run', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
}

test('kill -9 at random moments, several times, then resume: exactly one judgment per request', async () => {
  const dataset = join(dir, 'kill.jsonl');
  const total = writeGenericDataset(dataset, 80, 4);
  const out = join(dir, 'kill.sqlite');
  const args = [dataset, '--judge', server.url, '--out', out, '--concurrency', '24', '--quiet'];
  let kills = 0;
  slowMs = 40;
  for (let round = 0; round < 4; round++) {
    const doneBefore = existsSync(out) ? countJudged(out) : 0;
    // Kill at a random point of the remaining work, judged by what the run file holds.
    const killAt = doneBefore + Math.floor((total - doneBefore) * (0.1 + Math.random() * 0.3));
    const child = spawnRun(args);
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    let exitCode: number | null | undefined;
    child.on('exit', (code) => (exitCode = code));
    while (exitCode === undefined) {
      await new Promise((r) => setTimeout(r, 20));
      if (!existsSync(out)) continue;
      let done = 0;
      try {
        done = countJudged(out);
      } catch {
        continue; // the file is still being created
      }
      if (done >= killAt && exitCode === undefined) {
        child.kill('SIGKILL');
        break;
      }
    }
    while (exitCode === undefined) await new Promise((r) => setTimeout(r, 10));
    if (exitCode === null) kills++;
    else assert.equal(exitCode, 0, stderr);
    const { rows, integrity } = storeRows(out);
    assert.equal(integrity, 'ok');
    assert.ok(rows.length <= total);
  }
  slowMs = 0;
  assert.ok(kills >= 1, 'at least one run was killed mid-way');
  const r = await runCli(['run', ...args, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const { rows, integrity } = storeRows(out);
  assert.equal(integrity, 'ok');
  assert.equal(rows.length, total);
  assert.equal(new Set(rows.map((x) => x.key)).size, total);
  assert.deepEqual([...new Set(rows.map((x) => x.status))], ['scored']);
  assert.ok(rows.every((x) => x.score === 1));
  // What was judged before a kill was not asked again: the server saw each prompt about once
  // (only requests in flight at a kill are asked twice).
  const summary = JSON.parse(r.stdout);
  assert.equal(summary.counts.scored, total);
});

test('Ctrl-C stops taking requests, waits for those in flight, exits 130; a rerun resumes', async () => {
  const dataset = join(dir, 'sigint.jsonl');
  const total = writeGenericDataset(dataset, 80, 3);
  const out = join(dir, 'sigint.sqlite');
  const args = [dataset, '--judge', server.url, '--out', out, '--concurrency', '4'];
  const child = spawnRun(args);
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  // Wait until judging has started, then interrupt.
  while (!/judging/.test(stderr)) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 300));
  child.kill('SIGINT');
  const code = await exited;
  assert.equal(code, 130, stderr);
  assert.match(stderr, /stopping: no new requests; waiting for \d+ in flight/);
  const partial = storeRows(out);
  const done = partial.rows.filter((x) => x.status !== 'pending').length;
  assert.ok(done > 0 && done < total, `done ${done} of ${total}`);
  const r = await runCli(['run', ...args, '--quiet', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const summary = JSON.parse(r.stdout);
  assert.equal(summary.judgedNow, total - done);
  assert.equal(summary.counts.scored, total);
});

test('two endpoints, one dying mid-run: the run finishes on the other', async () => {
  const dying = await startFakeJudgeServer({ reply: ({ n }) => ({ ...verdict(1), delayMs: 10 + (n % 5) }) });
  let closed = false;
  const watcher = setInterval(() => {
    if (!closed && dying.requests.length >= 30) {
      closed = true;
      void dying.close();
    }
  }, 5);
  const dataset = join(dir, 'two.jsonl');
  const total = writeGenericDataset(dataset, 80, 3);
  const out = join(dir, 'two.sqlite');
  const r = await runCli(['run', dataset, '--judge', `${server.url},${dying.url}`, '--out', out, '--concurrency', '8', '--json', '--quiet']);
  clearInterval(watcher);
  if (!closed) await dying.close();
  assert.equal(r.code, 0, r.stderr);
  const summary = JSON.parse(r.stdout);
  assert.equal(summary.counts.total, total);
  assert.equal(summary.counts.scored, total, JSON.stringify(summary.counts));
  assert.equal(summary.endpoints.length, 2);
  const dead = summary.endpoints.find((e: { name: string }) => e.name === dying.url);
  assert.ok(dead.sent >= 30 && dead.failed >= 1, JSON.stringify(dead));
  assert.ok(dead.sent < total / 2, 'the failing endpoint was benched');
});

test('a changed dataset: unchanged requests keep their judgments, only the new one is asked; other changes are refused', async () => {
  const dataset = join(dir, 'changed.jsonl');
  writeGenericDataset(dataset, 5, 2);
  const out = join(dir, 'changed.sqlite');
  assert.equal((await runCli(['run', dataset, '--judge', server.url, '--out', out, '--quiet'])).code, 0);
  appendFileSync(dataset, `${JSON.stringify({ instruction: 'новое', answer: 'да', criteria: [{ name: 'К', rubric: '0: a\n1: b' }] })}\n`);
  const sent = server.requests.length;
  const r = await runCli(['run', dataset, '--judge', server.url, '--out', out, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  assert.deepEqual([s.judgedNow, s.carriedOver, s.counts.scored, s.counts.total], [1, 10, 11, 11]);
  assert.equal(server.requests.length - sent, 1);
  assert.match(r.stderr, /the dataset changed: the previous run was moved aside to .*changed\.sqlite\..*\.bak; 10 judgment\(s\) of unchanged requests carried over/);
  // The manifest now holds the new fingerprint: the same command resumes with nothing to do.
  const again = await runCli(['run', dataset, '--judge', server.url, '--out', out, '--json', '--quiet']);
  assert.deepEqual([again.code, JSON.parse(again.stdout).judgedNow], [0, 0]);
  const r2 = await runCli(['run', dataset, '--judge', server.url, '--out', out, '--quiet', '--temperature', '0.1']);
  assert.equal(r2.code, 2);
  assert.match(r2.stderr, /judge parameter temperature: 0 → 0\.1/);
  const r3 = await runCli(['run', dataset, '--judge', server.url, '--out', out, '--force-new', '--temperature', '0.1', '--json', '--quiet']);
  assert.equal(r3.code, 0, r3.stderr);
  assert.deepEqual([JSON.parse(r3.stdout).counts.total, JSON.parse(r3.stdout).carriedOver, JSON.parse(r3.stdout).judgedNow], [11, 0, 11]);
  assert.ok(readdirSync(dir).filter((f) => f.startsWith('changed.sqlite.') && f.endsWith('.bak')).length >= 2);
});

test('--retry-unscored asks only the unscored requests again', async () => {
  const dataset = join(dir, 'retry.jsonl');
  const total = writeGenericDataset(dataset, 10, 2);
  const out = join(dir, 'retry.sqlite');
  garbageFor = /Ответ [0-4] модели/;
  const first = await runCli(['run', dataset, '--judge', server.url, '--out', out, '--json', '--quiet', '--reask', '0']);
  garbageFor = null;
  const s1 = JSON.parse(first.stdout);
  assert.equal(s1.counts.unscored, 10);
  const before = server.requests.length;
  const again = await runCli(['run', dataset, '--judge', server.url, '--out', out, '--json', '--quiet', '--retry-unscored']);
  const s2 = JSON.parse(again.stdout);
  assert.equal(server.requests.length - before, 10);
  assert.equal(s2.counts.scored, total);
  const plain = await runCli(['run', dataset, '--judge', server.url, '--out', out, '--json', '--quiet']);
  assert.equal(JSON.parse(plain.stdout).judgedNow, 0);
});

test('criteria of one answer go out back to back (prefix-cache order) and the shared share is reported', async () => {
  const dataset = join(dir, 'prefix.jsonl');
  writeGenericDataset(dataset, 6, 4);
  const out = join(dir, 'prefix.sqlite');
  const before = server.requests.length;
  const r = await runCli(['run', dataset, '--judge', server.url, '--out', out, '--concurrency', '1', '--json', '--quiet']);
  const prompts = server.requests.slice(before).map((q) => q.prompt);
  const answers = prompts.map((p) => /Ответ (\d+) модели/.exec(p)?.[1]);
  assert.deepEqual(answers, ['0', '0', '0', '0', '1', '1', '1', '1', '2', '2', '2', '2', '3', '3', '3', '3', '4', '4', '4', '4', '5', '5', '5', '5']);
  const share = JSON.parse(r.stdout).prefixShare;
  assert.ok(share > 0.5 && share < 1, `prefix share ${share}`);
});

test('batch export writes OpenAI Batch lines; batch import fills the run, reporting unknown ids and bad lines', async () => {
  const dataset = join(dir, 'batch.jsonl');
  const total = writeGenericDataset(dataset, 4, 2);
  const out = join(dir, 'batch.sqlite');
  const reqFile = join(dir, 'requests.jsonl');
  const e = await runCli(['batch', 'export', dataset, '-o', reqFile, '--out', out, '--model', 'ai-forever/pollux-judge-32b', '--param', 'seed=1', '--json']);
  assert.equal(e.code, 0, e.stderr);
  const lines = readFileSync(reqFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.length, total);
  for (const l of lines) {
    assert.equal(l.method, 'POST');
    assert.equal(l.url, '/v1/chat/completions');
    assert.equal(l.body.model, 'ai-forever/pollux-judge-32b');
    assert.equal(l.body.temperature, 0);
    assert.equal(l.body.max_tokens, 1024);
    assert.equal(l.body.seed, 1);
    assert.equal(l.body.messages.length, 1);
    assert.equal(l.body.messages[0].role, 'user');
    assert.match(l.body.messages[0].content, /^### Задание для оценки:\n/);
  }
  const results = lines.map((l, i) =>
    JSON.stringify({
      id: `batch_req_${i}`,
      custom_id: l.custom_id,
      response:
        i === 0
          ? { status_code: 500, request_id: 'r', body: { error: { message: 'boom' } } }
          : { status_code: 200, request_id: 'r', body: { model: l.body.model, choices: [{ index: 0, message: { role: 'assistant', content: i === 1 ? 'мусор' : '[FEEDBACK] ok [RESULT] 1 [END]' }, finish_reason: 'stop' }], usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 } } },
      error: null,
    }),
  );
  results.push(JSON.stringify({ id: 'x', custom_id: 'no-such-id', response: { status_code: 200, body: {} }, error: null }));
  results.push('{not json');
  const resFile = join(dir, 'results.jsonl');
  writeFileSync(resFile, `${results.join('\n')}\n`);
  const imp = await runCli(['batch', 'import', out, resFile, '--json']);
  assert.equal(imp.code, 1, imp.stderr);
  const s = JSON.parse(imp.stdout);
  assert.deepEqual([s.imported, s.scored, s.unscored, s.errors, s.unknownIds, s.malformed], [total, total - 2, 1, 1, 1, 1]);
  const { rows } = storeRows(out);
  assert.equal(rows.filter((x) => x.status === 'pending').length, 0);
});

test('--limit judges the first N requests; a rerun without it judges the rest', async () => {
  const dataset = join(dir, 'limit.jsonl');
  const total = writeGenericDataset(dataset, 10, 2);
  const out = join(dir, 'limit.sqlite');
  const first = await runCli(['run', dataset, '--judge', server.url, '--out', out, '--limit', '7', '--json', '--quiet']);
  assert.equal(first.code, 0, first.stderr);
  assert.deepEqual([JSON.parse(first.stdout).judgedNow, JSON.parse(first.stdout).counts.total], [7, 7]);
  const rest = await runCli(['run', dataset, '--judge', server.url, '--out', out, '--json', '--quiet']);
  const s = JSON.parse(rest.stdout);
  assert.deepEqual([s.judgedNow, s.counts.total, s.counts.scored], [total - 7, total, total]);
});

test('a second pollux run on a file in use is refused; a lock left by a killed run is taken over', async () => {
  const dataset = join(dir, 'lock.jsonl');
  writeGenericDataset(dataset, 40, 2);
  const out = join(dir, 'lock.sqlite');
  slowMs = 100;
  const first = spawnRun([dataset, '--judge', server.url, '--out', out, '--concurrency', '2']);
  let stderr = '';
  first.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<void>((resolve) => first.on('exit', () => resolve()));
  while (!/judging/.test(stderr)) await new Promise((r) => setTimeout(r, 50));
  const second = await runCli(['run', dataset, '--judge', server.url, '--out', out, '--quiet']);
  assert.equal(second.code, 2);
  assert.match(second.stderr, new RegExp(`in use by another pollux process \\(pid ${first.pid}`));
  first.kill('SIGKILL');
  await exited;
  slowMs = 0;
  assert.ok(existsSync(`${out}.lock`), 'a killed run leaves its lock behind');
  const third = await runCli(['run', dataset, '--judge', server.url, '--out', out, '--quiet', '--json']);
  assert.equal(third.code, 0, third.stderr);
  assert.equal(JSON.parse(third.stdout).counts.pending, 0);
  assert.ok(!existsSync(`${out}.lock`), 'the lock is released at the end');
});
