import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../support/cli.ts';
import { writeGenericDataset } from '../support/datasets.ts';
import { startFakeJudgeServer, type FakeJudgeServer } from '../support/fakeJudgeServer.ts';
import { polluxRow, toColumns, writeParquet } from '../data/helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'pollux-located-'));
let server: FakeJudgeServer;
let run: string;
const dataset = join(dir, 'ds.jsonl');

before(async () => {
  server = await startFakeJudgeServer();
  writeGenericDataset(dataset, 150, 4);
  run = join(dir, 'run.sqlite');
  const r = await runCli(['run', dataset, '--judge', server.url, '--out', run, '--quiet']);
  assert.equal(r.code, 0, r.stderr);
});
after(() => server.close());

test('a damaged run file: score, meta and export name it, exit 2', async () => {
  const damaged = join(dir, 'damaged.sqlite');
  const bytes = readFileSync(run);
  // Keep the header page (the file still opens as a run file); scramble the pages after it.
  for (let i = 4096 * 2; i < bytes.length; i += 3) bytes[i] = (bytes[i] ?? 0) ^ 0x5a;
  writeFileSync(damaged, bytes);
  for (const args of [['score', damaged], ['meta', damaged], ['export', damaged, '-o', join(dir, 'd.jsonl')]]) {
    const r = await runCli(args);
    assert.equal(r.code, 2, `${args[0]}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`${damaged.replace(/[/.]/g, '\\$&')}: .*(damaged|not a pollux run file|cannot read)`), args[0]);
    assert.doesNotMatch(r.stderr, /unexpected error/);
  }
});

test('a damaged Parquet file names the file and the rows, exit 2', async () => {
  const rows = Array.from({ length: 50 }, (_, i) => polluxRow({ answer: `Ответ ${i} `.repeat(30) }));
  const file = writeParquet(dir, 'damaged.parquet', toColumns(rows));
  const bytes = readFileSync(file);
  const footer = bytes.readUInt32LE(bytes.length - 8);
  for (let i = 4; i < bytes.length - footer - 8; i += 7) bytes[i] = 0xff;
  writeFileSync(file, bytes);
  const r = await runCli(['plan', file]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /damaged\.parquet, row 1: damaged Parquet data in rows 1–50/);
});

test('missing, unwritable or wrong output folders: a message naming the path, exit 2, no stale lock', async () => {
  const file = join(dir, 'plain-file');
  writeFileSync(file, 'x');
  mkdirSync(join(dir, 'a-folder.jsonl'));
  const cases: Array<[string[], RegExp]> = [
    [['export', run, '-o', join(dir, 'missing', 'x.jsonl')], /cannot write .*missing\/x\.jsonl: no such file or folder \(ENOENT\)/],
    [['export', run, '-o', join(file, 'x.jsonl')], /plain-file\/x\.jsonl: a part of the path is not a folder \(ENOTDIR\)/],
    [['export', run, '-o', join(dir, 'a-folder.jsonl')], /a-folder\.jsonl: is a folder, not a file \(EISDIR\)/],
    [['batch', 'export', dataset, '-o', join(dir, 'missing', 'req.jsonl'), '--out', join(dir, 'b.sqlite'), '--model', 'ai-forever/pollux-judge-7b'], /missing\/req\.jsonl: cannot write the requests file: ENOENT/],
    [['plan', dataset, '--rejects', join(dir, 'missing', 'r.jsonl')], /^$|missing\/r\.jsonl/],
  ];
  for (const [args, pattern] of cases) {
    const r = await runCli(args);
    if (args[0] === 'plan') continue; // a clean dataset writes no rejects file
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, pattern);
    assert.doesNotMatch(r.stderr, /unexpected error|\n\s+at /);
  }
  // The refused batch export left no lock behind: the next one runs.
  const next = await runCli(['batch', 'export', dataset, '-o', join(dir, 'req.jsonl'), '--out', join(dir, 'b.sqlite'), '--model', 'ai-forever/pollux-judge-7b']);
  assert.equal(next.code, 0, next.stderr);
});

test('messages that say what is wrong: a huge number, --human-format, a mistyped flag, an unknown --criterion', async () => {
  const huge = join(dir, 'huge.jsonl');
  writeFileSync(huge, `${JSON.stringify(polluxRow()).replace(/"criteria_score":[^,}]+/, '"criteria_score":1e309')}\n`);
  const plan = await runCli(['plan', huge]);
  assert.match(plan.stdout + plan.stderr, /criteria_score.*expected a finite number, got .*too large/);

  const meta = await runCli(['meta', run, '--human', join(dir, 'x.xml'), '--human-format', 'xml']);
  assert.equal(meta.code, 2);
  assert.match(meta.stderr, /^pollux: --human-format: unknown format "xml"/m);

  const typo = await runCli(['score', run, '--jsn']);
  assert.equal(typo.code, 2);
  const lines = typo.stderr.trim().split('\n');
  assert.match(lines[lines.length - 1] ?? '', /Did you mean --json\?/);
  assert.ok(lines.length <= 3, typo.stderr);

  const criterion = await runCli(['plan', dataset, '--criterion', 'generl']);
  assert.equal(criterion.code, 2);
  assert.match(criterion.stderr, /unknown criterion key "generl"; did you mean general/);
});

test('a rubric level written as a 400-digit number is rejected when read', async () => {
  const file = join(dir, 'level.jsonl');
  const rubric = `0: нет\n\n1: да\n\n${'9'.repeat(400)}: очень`;
  writeFileSync(file, `${JSON.stringify({ instruction: 'И', answer: 'О', criteria: [{ name: 'Странный', rubric }] })}\n`);
  const r = await runCli(['plan', file]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stdout + r.stderr, /rubric level is a number too large/);
});
