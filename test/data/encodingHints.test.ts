import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../support/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'pollux-encoding-'));

/** Windows-1251 bytes of a Russian text (Cyrillic А–я is 0xC0–0xFF there, Ё/ё 0xA8/0xB8). */
function cp1251(text: string): Buffer {
  return Buffer.from([...text].map((ch) => {
    const c = ch.codePointAt(0) as number;
    if (c >= 0x410 && c <= 0x44f) return c - 0x410 + 0xc0;
    if (c === 0x401) return 0xa8;
    if (c === 0x451) return 0xb8;
    return c;
  }));
}

test('a Windows-1251 file: the problem says so and how to convert it', async () => {
  const file = join(dir, 'cp1251.jsonl');
  writeFileSync(file, cp1251(`${JSON.stringify({ instruction: 'Привет, как дела?', answer: 'Хорошо', criteria: ['general'] })}\n`));
  const r = await runCli(['plan', file]);
  assert.match(r.stdout + r.stderr, /not valid UTF-8 text; it reads as Windows-1251 \("\{"instruction":"Привет, как дела\?/);
  assert.match(r.stdout + r.stderr, /iconv -f windows-1251 -t utf-8/);
});

test('an Excel CSV (";" and a BOM) is read: the delimiter comes from the header; --delimiter forces one', async () => {
  const file = join(dir, 'excel.csv');
  writeFileSync(file, '\uFEFFinstruction;answer;criteria\r\nСложи 2 и 2;4;general\r\n"Назови; столицу";Москва;general\r\n');
  const r = await runCli(['plan', file, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const plan = JSON.parse(r.stdout);
  assert.deepEqual([plan.rows, plan.rejected, plan.requests], [2, 0, 2]);
  const plain = join(dir, 'excel-plain.csv');
  writeFileSync(plain, '\uFEFFinstruction;answer;criteria\r\nСложи 2 и 2;4;general\r\n');
  assert.equal((await runCli(['plan', plain])).code, 0);
  const forced = await runCli(['plan', plain, '--delimiter', ',']);
  assert.equal(forced.code, 2);
  assert.match(forced.stderr, /the columns found: instruction;answer;criteria/);
  const bad = await runCli(['plan', file, '--delimiter', '|']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--delimiter: expected/);
});

test('an @file that is not UTF-8 is an error naming it, not text with U+FFFD', async () => {
  const answer = join(dir, 'answer.txt');
  writeFileSync(answer, cp1251('Ответ модели'));
  const r = await runCli(['prompt', '--instruction', 'И', '--answer', `@${answer}`, '--criterion', 'general']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /answer\.txt: the --answer file is not valid UTF-8 text; it reads as Windows-1251 \("Ответ модели/);
  assert.doesNotMatch(r.stdout, /\uFFFD/);
});
