import assert from 'node:assert/strict';
import { mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli, spawnCli } from '../support/cli.ts';
import { startFakeJudgeServer, verdict, type FakeJudgeServer } from '../support/fakeJudgeServer.ts';

const dir = realpathSync(mkdtempSync(join(tmpdir(), 'pollux-main-')));
let server: FakeJudgeServer;

before(async () => {
  server = await startFakeJudgeServer({ reply: () => verdict(2) });
});
after(() => server.close());

const item = ['--instruction', 'И', '--answer', 'О', '--criterion-name', 'К', '--rubric', '0: a\n\n1: b\n\n2: c'];

test('main() returns the exit code and leaves process.exitCode and the process directory alone', async () => {
  const before = process.exitCode;
  const cwd = process.cwd();
  const bad = await runCli(['judge', ...item]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /missing --judge/);
  const unscored = await runCli(['judge', ...item, '--judge', server.url, '--rubric', '0: a\n\n1: b']);
  assert.equal(unscored.code, 1, 'a score of 2 on a 0–1 scale has no valid score');
  assert.equal(process.exitCode, before);
  assert.equal(process.cwd(), cwd);
});

test('the API key comes from the injected environment, POLLUX_API_KEY before OPENAI_API_KEY', async () => {
  const r = await runCli(['judge', ...item, '--judge', server.url], { env: { POLLUX_API_KEY: 'injected-key', OPENAI_API_KEY: 'other' } });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(server.headers.at(-1)?.authorization, 'Bearer injected-key');
  const o = await runCli(['judge', ...item, '--judge', server.url], { env: { POLLUX_API_KEY: '', OPENAI_API_KEY: 'openai-key' } });
  assert.equal(o.code, 0, o.stderr);
  assert.equal(server.headers.at(-1)?.authorization, 'Bearer openai-key');
});

test('relative paths are read from the injected working directory', async () => {
  writeFileSync(join(dir, 'answer.txt'), 'ответ из файла');
  const r = await runCli(['prompt', ...item, '--answer', '@answer.txt'], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /ответ из файла/);
  const elsewhere = await runCli(['prompt', ...item, '--answer', '@answer.txt']);
  assert.equal(elsewhere.code, 2);
  assert.match(elsewhere.stderr, /answer\.txt/);
});

test('--help lists every command without loading any; help for one command shows its options', async () => {
  const r = await runCli(['--help']);
  assert.equal(r.code, 0);
  for (const name of ['prompt', 'judge', 'run', 'plan', 'batch', 'criteria', 'score', 'export', 'meta']) assert.match(r.stdout, new RegExp(`\\n  ${name} `));
  const run = await runCli(['help', 'run']);
  assert.equal(run.code, 0);
  assert.match(run.stdout, /--concurrency <n\|auto>/);
  const unknown = await runCli(['frob']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown command 'frob'/);
});

test('the pollux executable: exit codes, --version and output as a process', async () => {
  const v = await spawnCli(['--version']);
  assert.equal(v.code, 0);
  assert.match(v.stdout, /^\d+\.\d+\.\d+\n$/);
  const bad = await spawnCli(['judge', ...item]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /missing --judge/);
});
