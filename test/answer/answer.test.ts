import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { splitReasoning } from '../../src/answer/index.ts';
import { BIN, ROOT, runCli } from '../support/cli.ts';
import { startFakeJudgeServer, type FakeAction, type FakeRequest } from '../support/fakeJudgeServer.ts';

const dir = mkdtempSync(join(tmpdir(), 'pollux-answer-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** POLLUX-instructions rows: prompt_id, instruction, a criteria list. */
function writeInstructions(file: string, n: number): string[] {
  const ids: string[] = [];
  const lines = Array.from({ length: n }, (_, i) => {
    ids.push(`p${i}`);
    return JSON.stringify({
      prompt_id: `p${i}`,
      instruction: `Вопрос ${i}: почему небо голубое?`,
      reference_answer: null,
      task_type: 'Отредактировать текст',
      criteria: [{ criteria_name: 'Общее качество', rubrics: '0: плохо\n\n1: средне\n\n2: хорошо' }],
    });
  });
  writeFileSync(file, `${lines.join('\n')}\n`);
  return ids;
}

function readJsonl(file: string): Array<Record<string, unknown>> {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** The model under test: answers "Ответ на: <instruction>", with scripted oddities. */
function modelReply(req: FakeRequest): FakeAction {
  const q = req.prompt;
  if (q.startsWith('Вопрос 1:')) return { kind: 'verdict', text: `<think>Подумаем о ${q.length} символах.</think>\n\nОтвет на: ${q}` };
  if (q.startsWith('Вопрос 2:')) return { kind: 'verdict', text: 'Ответ, оборванный на полусло', finishReason: 'length' };
  if (q.startsWith('Вопрос 3:')) return { kind: 'verdict', text: `Ответ на: ${q}`, reasoning: 'отдельное рассуждение' };
  return { kind: 'verdict', text: `Ответ на: ${q}` };
}

test('splitReasoning keeps the answer for the judge and the thinking beside it', () => {
  assert.deepEqual(splitReasoning('<think>a</think>\n ответ', null), { answer: 'ответ', reasoning: 'a' });
  assert.deepEqual(splitReasoning('a</think>ответ', 'b'), { answer: 'ответ', reasoning: 'b\n\na' });
  assert.deepEqual(splitReasoning('<think>не закончил', null), { answer: '', reasoning: 'не закончил' });
  assert.deepEqual(splitReasoning('ответ про <think> тег', null), { answer: 'ответ про <think> тег', reasoning: null });
  assert.deepEqual(splitReasoning('ответ', null), { answer: 'ответ', reasoning: null });
  assert.deepEqual(splitReasoning('<think>1</think>начало <think>2</think> конец', null), { answer: 'начало  конец', reasoning: '1\n\n2' });
});

test('pollux answer writes the answers file pollux run reads, with reasoning split off and truncation flagged', async (t) => {
  const server = await startFakeJudgeServer({ models: ['my-model'], reply: modelReply });
  t.after(() => server.close());
  const data = join(dir, 'instr.jsonl');
  writeInstructions(data, 5);
  const out = join(dir, 'answers.jsonl');
  writeFileSync(join(dir, 'system.txt'), 'Отвечай по-русски.');
  const r = await runCli(['answer', data, '--model-url', server.url, '--out', out, '--system', `@${join(dir, 'system.txt')}`, '--param', 'seed=7', '--json', '--quiet'], {
    env: { POLLUX_MODEL_API_KEY: 'sk-model-secret', POLLUX_API_KEY: 'sk-judge-secret' },
  });
  assert.equal(r.code, 0, r.stderr);
  const summary = JSON.parse(r.stdout);
  assert.equal(summary.counts.answered, 5);
  assert.equal(summary.counts.truncated, 1);
  assert.doesNotMatch(r.stdout + r.stderr + readFileSync(`${out}.sqlite`).toString('latin1'), /sk-model-secret/);
  // The model's own key, never the judge's.
  assert.ok(server.headers.every((h) => h.authorization === 'Bearer sk-model-secret'));
  const body = server.requests[0]!.body as { messages: Array<{ role: string; content: string }>; max_tokens: number; temperature: number; seed: number };
  assert.deepEqual(body.messages[0], { role: 'system', content: 'Отвечай по-русски.' });
  assert.equal(body.max_tokens, 4096);
  assert.equal(body.temperature, 0);
  assert.equal(body.seed, 7);

  const rows = readJsonl(out);
  assert.deepEqual(rows.map((x) => x.prompt_id), ['p0', 'p1', 'p2', 'p3', 'p4']);
  assert.ok(rows.every((x) => x.model_id === 'my-model'));
  assert.equal(rows[1]!.answer, 'Ответ на: Вопрос 1: почему небо голубое?');
  assert.match(String(rows[1]!.reasoning), /^Подумаем/);
  assert.equal(rows[2]!.truncated, true);
  assert.equal(rows[2]!.finish_reason, 'length');
  assert.equal(rows[2]!.answer, 'Ответ, оборванный на полусло');
  assert.equal(rows[3]!.reasoning, 'отдельное рассуждение');
  assert.equal(typeof (rows[0]!.usage as { completion_tokens: number }).completion_tokens, 'number');

  // The file joins back to the instructions: plan sees 5 answers, each judged on its criterion.
  const plan = await runCli(['plan', data, '--answers', out, '--json', '--estimate-tokens']);
  assert.equal(plan.code, 0, plan.stderr);
  assert.equal(JSON.parse(plan.stdout).requests, 5);

  // Again: nothing is asked twice.
  const before = server.requests.length;
  const again = await runCli(['answer', data, '--model-url', server.url, '--out', out, '--system', `@${join(dir, 'system.txt')}`, '--param', 'seed=7', '--json', '--quiet']);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(server.requests.length, before);
  assert.equal(readJsonl(out).length, 5);

  // Other settings on the same state are refused, naming what changed.
  const changed = await runCli(['answer', data, '--model-url', server.url, '--out', out, '--temperature', '0.7', '--quiet']);
  assert.equal(changed.code, 2);
  assert.match(changed.stderr, /different settings[\s\S]*generation parameters[\s\S]*--force-new/);
});

test('pollux answer --samples K asks K times per instruction; --limit stops early and a rerun completes', async (t) => {
  const server = await startFakeJudgeServer({ models: ['m'], reply: (req) => ({ kind: 'verdict', text: `ответ ${req.n}` }) });
  t.after(() => server.close());
  const data = join(dir, 'samples.jsonl');
  writeInstructions(data, 4);
  const out = join(dir, 'samples.jsonl.out.jsonl');
  const first = await runCli(['answer', data, '--model-url', server.url, '--out', out, '--samples', '3', '--temperature', '0.8', '--limit', '5', '--json', '--quiet']);
  assert.equal(first.code, 0, first.stderr);
  assert.equal(readJsonl(out).length, 5);
  assert.equal(server.requests.length, 5);
  const rest = await runCli(['answer', data, '--model-url', server.url, '--out', out, '--samples', '3', '--temperature', '0.8', '--json', '--quiet']);
  assert.equal(rest.code, 0, rest.stderr);
  const rows = readJsonl(out);
  assert.equal(rows.length, 12);
  assert.equal(server.requests.length, 12);
  assert.equal(new Set(rows.map((r) => r.id)).size, 12);
  assert.deepEqual(rows.slice(0, 3).map((r) => r.id), ['m/p0/0', 'm/p0/1', 'm/p0/2']);
  const plan = await runCli(['plan', data, '--answers', out, '--json', '--estimate-tokens']);
  assert.equal(JSON.parse(plan.stdout).requests, 12, plan.stderr);
});

test('pollux answer records failures, retries transient ones, and asks errors again on the next run', async (t) => {
  let failing = true;
  const server = await startFakeJudgeServer({
    models: ['m'],
    reply: (req) => {
      if (req.prompt.startsWith('Вопрос 0:') && failing) return { kind: 'status', status: 400, body: JSON.stringify({ error: { message: 'prompt too long' } }) };
      if (req.prompt.startsWith('Вопрос 1:') && req.n <= 3) return { kind: 'status', status: 503 };
      return { kind: 'verdict', text: 'ответ' };
    },
  });
  t.after(() => server.close());
  const data = join(dir, 'fail.jsonl');
  writeInstructions(data, 3);
  const out = join(dir, 'fail.out.jsonl');
  const r = await runCli(['answer', data, '--model-url', server.url, '--out', out, '--concurrency', '1', '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /answered 2 \(truncated 0\)\s+errors 1/);
  assert.match(r.stdout, /error: prompt_id p0 sample 0: fatal: .*400/);
  assert.deepEqual(readJsonl(out).map((x) => x.prompt_id), ['p1', 'p2']);
  failing = false;
  const again = await runCli(['answer', data, '--model-url', server.url, '--out', out, '--json', '--quiet']);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(JSON.parse(again.stdout).answeredNow, 1);
  assert.deepEqual(readJsonl(out).map((x) => x.prompt_id), ['p0', 'p1', 'p2']);
});

test('pollux answer: bad input is exit 2 naming the file and line; a dead model is exit 3', async () => {
  const data = join(dir, 'bad.jsonl');
  writeFileSync(data, `${JSON.stringify({ prompt_id: 'a', instruction: 'ok' })}\n${JSON.stringify({ prompt_id: 'b' })}\n`);
  const strict = await runCli(['answer', data, '--model-url', 'http://127.0.0.1:9/v1', '--model', 'm', '--strict']);
  assert.equal(strict.code, 2);
  assert.match(strict.stderr, /bad\.jsonl:2, field "instruction": missing column "instruction"/);
  const clobber = await runCli(['answer', data, '--model-url', 'http://127.0.0.1:9/v1', '--model', 'm', '--out', data]);
  assert.equal(clobber.code, 2);
  assert.match(clobber.stderr, /refusing to overwrite an input/);
  const noUrl = await runCli(['answer', data]);
  assert.equal(noUrl.code, 2);
  assert.match(noUrl.stderr, /missing --model-url/);
  const dead = await runCli(['answer', data, '--model-url', 'http://127.0.0.1:9/v1', '--model', 'm', '--max-attempts', '1', '--out', join(dir, 'dead.jsonl'), '--quiet']);
  assert.equal(dead.code, 3, dead.stderr);
});

test('kill -9 during pollux answer, then resume: nothing answered is asked again, nothing is lost', async (t) => {
  const slow = new Set<string>();
  const server = await startFakeJudgeServer({
    models: ['m'],
    reply: (req) => ({ kind: 'verdict', text: `ответ на ${req.prompt}`, delayMs: slow.size > 0 ? 40 : 0 }),
  });
  slow.add('on');
  t.after(() => server.close());
  const data = join(dir, 'kill.jsonl');
  const ids = writeInstructions(data, 200);
  const out = join(dir, 'kill.out.jsonl');
  const child = spawn(process.execPath, [BIN, 'answer', data, '--model-url', server.url, '--out', out, '--concurrency', '4'], { cwd: ROOT, stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  // Wait until some answers are committed, then kill without warning.
  let committed = 0;
  while (committed < 20) {
    await new Promise((r) => setTimeout(r, 50));
    if (!existsSync(`${out}.sqlite`)) continue;
    try {
      const db = new Database(`${out}.sqlite`, { readonly: true, fileMustExist: true });
      committed = db.prepare("SELECT count(*) FROM answers WHERE status = 'answered'").pluck().get() as number;
      db.close();
    } catch {
      committed = 0;
    }
  }
  child.kill('SIGKILL');
  await exited;
  const db = new Database(`${out}.sqlite`, { readonly: true });
  const saved = new Set(db.prepare("SELECT prompt_id FROM answers WHERE status = 'answered'").pluck().all() as string[]);
  db.close();
  assert.ok(saved.size >= 20 && saved.size < 200, `saved ${saved.size}`);
  const askedBefore = server.requests.length;
  slow.clear();
  const resume = await runCli(['answer', data, '--model-url', server.url, '--out', out, '--json', '--quiet']);
  assert.equal(resume.code, 0, resume.stderr);
  const askedAfter = server.requests.slice(askedBefore).map((r) => /Вопрос (\d+):/.exec(r.prompt)![1]);
  for (const n of askedAfter) assert.ok(!saved.has(`p${n}`), `p${n} was answered before the kill and asked again`);
  assert.equal(askedAfter.length, 200 - saved.size);
  const rows = readJsonl(out);
  assert.deepEqual(rows.map((r) => r.prompt_id), ids);
});

test('pollux answer reads a Windows-1251 CSV with ";" through --encoding and --delimiter, as run does', async (t) => {
  const server = await startFakeJudgeServer({ models: ['m'], reply: () => ({ kind: 'verdict', text: 'Ответ.' }) });
  t.after(() => server.close());
  const csv = join(dir, 'cp1251.csv');
  const text = 'prompt_id;instruction\np1;Напиши стихотворение о весне.\n';
  // Windows-1251: А–я are 0xC0–0xFF, one byte each.
  writeFileSync(csv, Buffer.from([...text].map((ch) => {
    const c = ch.codePointAt(0) as number;
    return c >= 0x410 && c <= 0x44f ? c - 0x410 + 0xc0 : c;
  })));
  const out = join(dir, 'cp1251.answers.jsonl');
  const r = await runCli(['answer', csv, '--model-url', server.url, '--out', out, '--encoding', 'windows-1251', '--delimiter', ';', '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(server.requests.length, 1);
  assert.match(server.requests[0]?.prompt ?? '', /Напиши стихотворение о весне\./);
  const bad = await runCli(['answer', csv, '--model-url', server.url, '--out', join(dir, 'x.jsonl'), '--encoding', 'nope']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--encoding: unknown text encoding "nope"/);
});
