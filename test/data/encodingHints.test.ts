import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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

/** KOI8-R bytes of a Russian text (the alphabet's order there is its own). */
function koi8r(text: string): Buffer {
  const table = 'юабцдефгхийклмнопярстужвьызшэщчъЮАБЦДЕФГХИЙКЛМНОПЯРСТУЖВЬЫЗШЭЩЧЪ';
  return Buffer.from([...text].map((ch) => {
    const at = table.indexOf(ch);
    return at >= 0 ? 0xc0 + at : (ch.codePointAt(0) as number);
  }));
}

/** The user messages a batch export of FILE sends, decoded from its request lines. */
async function exportedPrompts(file: string, extra: string[] = []): Promise<string[]> {
  const out = `${file}.requests.jsonl`;
  const r = await runCli(['batch', 'export', file, '-o', out, '--out', `${file}.sqlite`, '--model', 'judge', ...extra]);
  assert.equal(r.code, 0, r.stderr);
  return readFileSync(out, 'utf8').trim().split('\n').map((line) => {
    const request = JSON.parse(line) as { body: { messages: Array<{ content: string }> } };
    return request.body.messages.at(-1)?.content ?? '';
  });
}

test('--encoding reads Windows-1251, KOI8-R and UTF-16 files as the Russian text they hold', async () => {
  const row = { instruction: 'Привет, как дела?', answer: 'Хорошо, спасибо. Ёлка!', criteria: ['general'] };
  const cp = join(dir, 'enc-cp1251.jsonl');
  writeFileSync(cp, cp1251(`${JSON.stringify(row)}\n`));
  const without = await runCli(['plan', cp]);
  assert.equal(without.code, 2, 'a Windows-1251 file read as UTF-8 is rejected');
  const [prompt] = await exportedPrompts(cp, ['--encoding', 'windows-1251']);
  assert.match(prompt ?? '', /Привет, как дела\?/);
  assert.match(prompt ?? '', /Хорошо, спасибо\. Ёлка!/);

  const koi = join(dir, 'enc-koi8.csv');
  writeFileSync(koi, koi8r('instruction;answer;criteria\nСложи два и два;Четыре;general\n'));
  const [koiPrompt] = await exportedPrompts(koi, ['--encoding', 'koi8-r']);
  assert.match(koiPrompt ?? '', /Сложи два и два/);
  assert.match(koiPrompt ?? '', /Четыре/);

  const utf16 = join(dir, 'enc-utf16.jsonl');
  writeFileSync(utf16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${JSON.stringify(row)}\n`, 'utf16le')]));
  const [utf16Prompt] = await exportedPrompts(utf16, ['--encoding', 'utf-16le']);
  assert.equal(utf16Prompt, prompt, 'the same text in another encoding gives the same prompt');

  const bad = await runCli(['plan', cp, '--encoding', 'ebcdic-ru']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--encoding: unknown text encoding "ebcdic-ru"/);
});
