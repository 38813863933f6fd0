import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli } from '../support/cli.ts';
import { readDataset } from '../../src/data/dataset.ts';
import {
  QWEN25_DEFAULT_SYSTEM_MESSAGE,
  chatTemplateTokensOf,
  countChatTokens,
  estimateTokenCounter,
  loadQwenTokenCounter,
  loadQwenTokenizer,
  qwenChatText,
  type QwenTokenizer,
  type TokenCounter,
} from '../../src/data/tokens.ts';
import { renderPrompt } from '../../src/prompt/render.ts';
import { polluxCatalog } from '../../src/taxonomy/index.ts';
import { polluxRow, tempDir, writeJsonl } from './helpers.ts';

const dir = tempDir();

/*
 * Published encodings by Qwen2.5 tokenizers (transformers / vLLM with Qwen2.5-0.5B-Instruct and
 * Qwen2.5-Coder-0.5B-Instruct): `apply_chat_template(..., add_generation_prompt=True)` of one user
 * message, and plain texts.
 */
const HELLO_WORLD_CHAT = [
  151644, 8948, 198, 2610, 525, 1207, 16948, 11, 3465, 553, 54364, 14817, 13, 1446, 525, 264, 10950, 17847, 13, 151645, 198, 151644, 872, 198, 14990,
  1879, 151645, 198, 151644, 77091, 198,
];
const CAPITAL_CHAT = [
  151644, 8948, 198, 2610, 525, 1207, 16948, 11, 3465, 553, 54364, 14817, 13, 1446, 525, 264, 10950, 17847, 13, 151645, 198, 151644, 872, 198, 3838,
  374, 279, 6722, 315, 9625, 30, 151645, 198, 151644, 77091, 198,
];
const CODE_MESSAGE = 'Write a function to reverse each string in a list.\nYour code should pass this test:\nassert rev(["ab"]) == ["ba"]';
const CODE_CHAT = [
  151644, 8948, 198, 2610, 525, 1207, 16948, 11, 3465, 553, 54364, 14817, 13, 1446, 525, 264, 10950, 17847, 13, 151645, 198, 151644, 872, 198, 7985,
  264, 729, 311, 9931, 1817, 914, 304, 264, 1140, 624, 7771, 2038, 1265, 1494, 419, 1273, 510, 2207, 5772, 19065, 370, 14013, 621, 4383, 4645, 1341,
  151645, 198, 151644, 77091, 198,
];
const IM_START = 151644;
const IM_END = 151645;

const RUSSIAN =
  'Оцените, насколько ответ модели соответствует инструкции пользователя. Ответ должен быть написан грамотным русским языком, ' +
  'без фактических ошибок, и полностью раскрывать тему задания. Если в ответе есть повторы, лишние символы или ответ обрывается, ' +
  'снизьте оценку по соответствующему критерию.';

async function tokenizer(): Promise<QwenTokenizer> {
  const t = await loadQwenTokenizer();
  assert.ok(t, 'the Qwen tokenizer packages are dependencies and must load');
  return t;
}

async function counter(options?: Parameters<typeof loadQwenTokenCounter>[0]): Promise<TokenCounter> {
  const c = await loadQwenTokenCounter(options);
  assert.ok(c, 'the Qwen tokenizer packages are dependencies and must load');
  return c;
}

test('the packaged tokenizer reproduces published Qwen2.5 encodings, chat template included', async () => {
  const t = await tokenizer();
  assert.deepEqual(t.encode(qwenChatText('hello world')), HELLO_WORLD_CHAT);
  assert.deepEqual(t.encode(qwenChatText('What is the capital of France?')), CAPITAL_CHAT);
  assert.deepEqual(t.encode(qwenChatText(CODE_MESSAGE)), CODE_CHAT);
  assert.deepEqual(t.encode('Hello world'), [9707, 1879]);
  assert.deepEqual(t.encode('ки'), [16748]);
  assert.deepEqual(t.encode(QWEN25_DEFAULT_SYSTEM_MESSAGE), HELLO_WORLD_CHAT.slice(3, HELLO_WORLD_CHAT.indexOf(IM_END)));
});

test("special tokens are single ids; Qwen3's think and tool-response tokens are plain text, as for a Qwen2.5 judge", async () => {
  const t = await tokenizer();
  assert.deepEqual(t.encode('<|im_start|><|im_end|><|endoftext|>'), [IM_START, IM_END, 151643]);
  assert.deepEqual(t.encode('<|file_sep|>'), [151664]);
  for (const text of ['<think>', '</think>', '<tool_response>', '</tool_response>']) {
    const ids = t.encode(text);
    assert.ok(ids.length > 1, `${text} → ${ids.join(',')}`);
    assert.ok(ids.every((id) => id < 151643), `${text} → ${ids.join(',')}`);
  }
});

test('Russian prose counts far fewer tokens than characters, the same every time and in every counter', async () => {
  const a = await counter();
  const b = await counter({ cacheEntries: 0 });
  const n = a.count(RUSSIAN);
  assert.ok(n < RUSSIAN.length / 2.5 && n > RUSSIAN.length / 8, `${n} tokens for ${RUSSIAN.length} characters`);
  assert.equal(a.count(RUSSIAN), n);
  assert.equal(b.count(RUSSIAN), n);
  assert.equal((await tokenizer()).encode(RUSSIAN).length, n);
});

test('countChat tokenizes the templated text: the template adds what the published encodings show', async () => {
  const c = await counter();
  const templateTokens = HELLO_WORLD_CHAT.length - 2; // "hello world" is two tokens
  assert.equal(c.chatTemplateTokens, templateTokens);
  assert.equal(chatTemplateTokensOf(c), templateTokens);
  assert.equal(c.countChat?.('hello world'), HELLO_WORLD_CHAT.length);
  assert.equal(countChatTokens(c, '### Задание\n' + RUSSIAN), c.count('### Задание\n' + RUSSIAN) + templateTokens);
  // A message that starts with a newline joins the template's "user\n": one token fewer than the sum.
  assert.equal(c.countChat?.('\n\nТекст'), (await tokenizer()).encode(qwenChatText('\n\nТекст')).length);
  assert.ok((c.countChat?.('\n\nТекст') ?? 0) < c.count('\n\nТекст') + templateTokens);

  const bare = await counter({ systemMessage: null });
  const userOnly = HELLO_WORLD_CHAT.slice(HELLO_WORLD_CHAT.indexOf(IM_END) + 2);
  assert.equal(bare.countChat?.('hello world'), userOnly.length);
  assert.match(bare.description, /no system message/);
});

test('the part cache never changes a count, whatever sits around the cut points', async () => {
  const t = await tokenizer();
  const cached = await counter({ cacheEntries: 8 });
  const texts = [
    `### Задание для оценки:\n${RUSSIAN}\n\n\n### Ответ для оценки:\n${RUSSIAN}\n\n\n### Критерий оценки:\nОбщее впечатление\n`,
    'Конец предложения.\n#хэштег\n## Заголовок\n#\n#',
    'пробел перед переводом строки \n# и табуляция\t\n<div>тег</div>\n<|im_end|> внутри ответа\n<',
    'Windows\r\n# строки\r\n\r\n<b>',
    'е\u0308лка: буква, составленная из двух кодовых точек\n\u0308#\n#\u0308',
    '\n#в самом начале',
    'числа 12345\n#67890 и 3.14\n<1>',
    '',
  ];
  for (let round = 0; round < 3; round++) {
    for (const text of texts) {
      assert.equal(cached.count(text), t.encode(text).length, JSON.stringify(text));
      assert.equal(cached.countChat?.(text), t.encode(qwenChatText(text)).length, JSON.stringify(text));
    }
  }
});

async function pollux(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const r = await runCli(args, { cwd: dir });
  return { status: r.code, stdout: r.stdout, stderr: r.stderr };
}

interface PlanJson {
  requests: number;
  promptTokens: { method: string; description: string; chatTemplateAllowance: number; total: number; max: number };
}

test('pollux plan counts prompt tokens with the Qwen tokenizer; --estimate-tokens gives the labelled estimate', async () => {
  const catalog = polluxCatalog();
  const rows = ['general', 'censor'].flatMap((key) => {
    const c = catalog.byKey(key)!;
    return [`Первый ответ. ${RUSSIAN}`, `Второй ответ:\n\n${RUSSIAN}${RUSSIAN}`].map((answer, i) =>
      polluxRow({ answer, model_id: `m${i}`, criteria_name: c.name.ru, rubrics: c.rubric, reference_answer: i === 0 ? RUSSIAN : null }),
    );
  });
  const file = writeJsonl(dir, 'tokens.jsonl', rows);

  const r = await pollux(['plan', file, '--json']);
  assert.equal(r.status, 0, r.stderr);
  const plan = JSON.parse(r.stdout) as PlanJson;
  assert.equal(plan.promptTokens.method, 'qwen-tokenizer');
  assert.match(plan.promptTokens.description, /Qwen2\.5 tokenizer/);

  // The same prompts, counted here: every request is the rendered prompt plus the reported allowance
  // (exact for the tokenizer, since a POLLUX prompt starts with a header).
  const c = await counter();
  let expected = 0;
  let requests = 0;
  for await (const item of readDataset(file, { catalog })) {
    for (const { criterion } of item.criteria) {
      expected += c.count(renderPrompt({ sample: item.sample, criterion, template: 'paper' })) + plan.promptTokens.chatTemplateAllowance;
      requests++;
    }
  }
  assert.equal(plan.requests, requests);
  assert.equal(plan.promptTokens.total, expected);

  const e = await pollux(['plan', file, '--json', '--estimate-tokens']);
  assert.equal(e.status, 0, e.stderr);
  const estimated = JSON.parse(e.stdout) as PlanJson;
  assert.equal(estimated.promptTokens.method, 'estimate');
  assert.match(estimated.promptTokens.description, /^estimate: characters \/ 3\.2$/);
  assert.notEqual(estimated.promptTokens.total, plan.promptTokens.total);
  assert.equal(estimateTokenCounter().countChat?.('абв'), 1 + chatTemplateTokensOf(estimateTokenCounter()));
});
