import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { runCli } from '../support/cli.ts';
import { writeGenericDataset } from '../support/datasets.ts';
import { startFakeJudgeServer, verdict, type FakeAction, type FakeJudgeServer } from '../support/fakeJudgeServer.ts';
import { listenOnLoopback, type LoopbackListener } from '../support/loopback.ts';

const dir = mkdtempSync(join(tmpdir(), 'pollux-endpoint-'));
const dataset = join(dir, 'ds.jsonl');
const SECRET = 'sk-test-5e3c7a1f9b';

/**
 * A strict OpenAI-compatible server: routes only under /v1, a bearer key required, and error bodies
 * that echo the Authorization header back (as some proxies do).
 */
let strict: LoopbackListener;
before(async () => {
  writeGenericDataset(dataset, 4, 2);
  const server: Server = createServer((req, res) => {
    const auth = req.headers.authorization ?? '';
    if (!req.url?.startsWith('/v1/')) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `no route ${req.url}` } }));
      return;
    }
    if (auth !== `Bearer ${SECRET}`) {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `invalid key in header "${auth}"` } }));
      return;
    }
    if (req.url === '/v1/models') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'list', data: [{ id: 'judge-a', object: 'model' }] }));
      return;
    }
    res.writeHead(500, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { message: `upstream failed for request with authorization ${auth}` } }));
  });
  strict = await listenOnLoopback(server);
});
after(() => strict.close());

const root = () => strict.url.replace(/\/v1$/, '');

test('nothing listening: one clear message at once, no run file', async () => {
  const probe = createServer();
  const closed = await listenOnLoopback(probe);
  await closed.close();
  const out = join(dir, 'dead.sqlite');
  const r = await runCli(['run', dataset, '--judge', closed.url, '--out', out, '--quiet']);
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, new RegExp(`nothing listens at ${closed.url.replace(/[/.]/g, '\\$&')}`));
  assert.equal(existsSync(out), false);
});

test('a URL without /v1, a missing or refused key, a model not served: each named before judging', async () => {
  const cases: Array<[string[], Record<string, string>, number, RegExp]> = [
    [['--judge', root()], { POLLUX_API_KEY: SECRET }, 3, new RegExp(`did you mean ${root().replace(/[/.]/g, '\\$&')}/v1\\?`)],
    [['--judge', strict.url], { POLLUX_API_KEY: '', OPENAI_API_KEY: '' }, 3, /set POLLUX_API_KEY or OPENAI_API_KEY/],
    [['--judge', strict.url], { POLLUX_API_KEY: 'wrong-key' }, 3, /API key .* was refused/],
    [['--judge', strict.url, '--model', 'judge-b'], { POLLUX_API_KEY: SECRET }, 2, /does not serve the model "judge-b"; it serves: judge-a/],
  ];
  for (const [flags, env, code, pattern] of cases) {
    const out = join(dir, 'wrong.sqlite');
    const r = await runCli(['run', dataset, ...flags, '--out', out, '--quiet'], { env });
    assert.equal(r.code, code, `${flags.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, pattern);
    assert.doesNotMatch(r.stderr, /wrong-key/);
    assert.equal(existsSync(out), false);
  }
});

test('an echoed API key never reaches the output or the run file', async () => {
  const out = join(dir, 'echo.sqlite');
  const r = await runCli(['run', dataset, '--judge', strict.url, '--out', out, '--max-attempts', '1', '--concurrency', '2'], { env: { POLLUX_API_KEY: SECRET } });
  assert.equal(r.code, 3, r.stderr);
  assert.ok(!`${r.stdout}${r.stderr}`.includes(SECRET));
  const db = new Database(out, { readonly: true });
  const reasons = db.prepare(`SELECT reason FROM judgments WHERE status = 'error'`).pluck().all() as string[];
  db.close();
  assert.equal(reasons.length, 8);
  assert.match(reasons[0] ?? '', /Bearer \[redacted\]/);
  assert.ok(!readFileSync(out).includes(SECRET));
});

let judge: FakeJudgeServer;
let behaviour: (n: number, prompt: string) => FakeAction = () => verdict(1);
before(async () => {
  judge = await startFakeJudgeServer({ reply: ({ n, prompt }) => behaviour(n, prompt) });
});
after(() => judge.close());

test('an endpoint that goes down mid-run: the run stops, the rest stay pending, a rerun continues', async () => {
  const big = join(dir, 'big.jsonl');
  writeGenericDataset(big, 60, 2);
  const out = join(dir, 'outage.sqlite');
  const start = judge.requests.length;
  behaviour = (n) => (n - start <= 10 ? verdict(1) : { kind: 'reset' });
  const r = await runCli(['run', big, '--judge', judge.url, '--out', out, '--concurrency', '2', '--json', '--quiet']);
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /endpoint is down/);
  assert.match(r.stderr, /run the same command again/);
  const s = JSON.parse(r.stdout);
  assert.equal(s.counts.scored, 10);
  assert.ok(s.counts.pending >= 100, JSON.stringify(s.counts));
  assert.ok(judge.requests.length - start < 40, `${judge.requests.length - start} requests sent into the outage`);
  behaviour = () => verdict(1);
  const again = await runCli(['run', big, '--judge', judge.url, '--out', out, '--json', '--quiet']);
  assert.equal(again.code, 0, again.stderr);
  const t = JSON.parse(again.stdout);
  assert.deepEqual([t.counts.scored, t.counts.error, t.counts.pending], [120, 0, 0]);
});

test("errors that were the endpoint's fault are asked again by the next run; a request's own 400 waits for --retry-errors", async () => {
  const out = join(dir, 'retry.sqlite');
  behaviour = (_n, prompt) => (/Ответ 1 /.test(prompt) ? { kind: 'status', status: 400 } : { kind: 'status', status: 503 });
  const first = await runCli(['run', dataset, '--judge', judge.url, '--out', out, '--max-attempts', '1', '--json', '--quiet']);
  assert.equal(first.code, 3, first.stderr);
  assert.equal(JSON.parse(first.stdout).counts.error, 8);
  behaviour = () => verdict(1);
  const second = await runCli(['run', dataset, '--judge', judge.url, '--out', out, '--json', '--quiet']);
  assert.equal(second.code, 0, second.stderr);
  const s = JSON.parse(second.stdout);
  assert.deepEqual([s.counts.scored, s.counts.error], [6, 2]);
  const third = await runCli(['run', dataset, '--judge', judge.url, '--out', out, '--json', '--quiet', '--retry-errors']);
  assert.deepEqual([JSON.parse(third.stdout).counts.scored, JSON.parse(third.stdout).counts.error], [8, 0]);
});
