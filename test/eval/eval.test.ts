import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evalConfigJsonSchema } from '../../src/eval/config.ts';
import { ROOT, runCli } from '../support/cli.ts';
import { startFakeJudgeServer, verdict, type FakeJudgeServer } from '../support/fakeJudgeServer.ts';

const dir = mkdtempSync(join(tmpdir(), 'pollux-eval-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const RUBRIC = '0: плохо\n\n1: средне\n\n2: хорошо';

/** POLLUX-instructions rows, each with two 0–2 criteria of its own. */
function writeInstructions(file: string, n: number): void {
  const lines = Array.from({ length: n }, (_, i) =>
    JSON.stringify({
      prompt_id: `q${i}`,
      instruction: `Вопрос ${i}: объясни закон Ома.`,
      reference_answer: null,
      task_type: 'Решить задачу (STEM)',
      criteria: [
        { criteria_name: 'Корректность', rubrics: RUBRIC },
        { criteria_name: 'Ясность изложения', rubrics: RUBRIC },
      ],
    }),
  );
  writeFileSync(file, `${lines.join('\n')}\n`);
}

/**
 * Two models under test and one judge, each its own HTTP server. The strong model's answers are
 * judged 2 everywhere; the weak one's 2 on even instructions and 0 on odd ones (micro 0.5).
 */
async function servers(t: { after(fn: () => Promise<void>): void }): Promise<{ strong: FakeJudgeServer; weak: FakeJudgeServer; judge: FakeJudgeServer }> {
  const strong = await startFakeJudgeServer({ models: ['strong-7b'], reply: (r) => ({ kind: 'verdict', text: `Сильный ответ на «${r.prompt}»` }) });
  const weak = await startFakeJudgeServer({ models: ['weak-1b'], reply: (r) => ({ kind: 'verdict', text: `<think>хм</think>Слабый ответ на «${r.prompt}»` }) });
  const judge = await startFakeJudgeServer({
    models: ['ai-forever/pollux-judge-7b'],
    reply: (r) => {
      if (r.prompt.includes('Сильный ответ')) return verdict(2);
      const n = Number(/Вопрос (\d+)/.exec(r.prompt)?.[1] ?? 0);
      return verdict(n % 2 === 0 ? 2 : 0);
    },
  });
  t.after(async () => {
    await Promise.all([strong.close(), weak.close(), judge.close()]);
  });
  return { strong, weak, judge };
}

test('the JSON schema in docs/ is the one the configuration is validated with', () => {
  const shipped = JSON.parse(readFileSync(join(ROOT, 'docs', 'pollux-eval.schema.json'), 'utf8'));
  assert.deepEqual(shipped, evalConfigJsonSchema());
});

test('pollux eval --config: answer → judge → score for two models, the leaderboard with intervals; a rerun asks nothing again', async (t) => {
  const { strong, weak, judge } = await servers(t);
  const data = join(dir, 'instructions.jsonl');
  writeInstructions(data, 12);
  const out = join(dir, 'eval-out');
  const config = join(dir, 'pollux.yaml');
  writeFileSync(
    config,
    [
      '# yaml-language-server: $schema=docs/pollux-eval.schema.json',
      `dataset: ${data}`,
      'models:',
      '  - name: strong',
      `    url: ${strong.url}`,
      '    max_tokens: 512',
      '  - name: weak',
      `    url: ${weak.url}`,
      '    system: Отвечай кратко.',
      'judge:',
      `  url: ${judge.url}`,
      `out: ${out}`,
      'score:',
      '  bootstrap: 200',
      '',
    ].join('\n'),
  );
  const r = await runCli(['eval', '--config', config, '--json', '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as { leaderboard: Array<{ model: string; micro: number; microCi: { lo: number; hi: number }; answers: number }>; differences: unknown[] };
  assert.deepEqual(report.leaderboard.map((x) => [x.model, x.micro, x.answers]), [
    ['strong', 1, 12],
    ['weak', 0.5, 12],
  ]);
  assert.ok(report.leaderboard[1]!.microCi.lo < 0.5 && report.leaderboard[1]!.microCi.hi > 0.5);
  assert.equal(report.differences.length, 1);
  assert.equal(strong.requests.length, 12);
  assert.equal(weak.requests.length, 12);
  assert.equal(judge.requests.length, 48);
  // The judge saw the answers without their reasoning, and the weak model got its system message.
  assert.ok(judge.requests.every((q) => !q.prompt.includes('<think>')));
  assert.deepEqual((weak.requests[0]!.body.messages as Array<{ role: string }>)[0]!.role, 'system');
  assert.equal(strong.requests[0]!.body.max_tokens, 512);
  for (const f of ['answers/strong.jsonl', 'answers/weak.jsonl', 'runs/strong.sqlite', 'runs/weak.sqlite', 'score.json']) assert.ok(existsSync(join(out, f)), f);

  const text = await runCli(['eval', '--config', config, '--quiet', '--fail-under', '0.6']);
  assert.equal(text.code, 4, text.stderr);
  assert.match(text.stdout, /^1\s+strong\s+1\.000 \(24\/24\)/m);
  assert.match(text.stdout, /Pairwise differences/);
  assert.match(text.stderr, /below --fail-under: weak scores 0\.500, the bar is 0\.6/);
  // Resumed as a whole: nothing was asked again.
  assert.equal(strong.requests.length + weak.requests.length + judge.requests.length, 72);
  // With the models' servers gone, the finished evaluation still prints its leaderboard.
  await Promise.all([strong.close(), weak.close()]);
  const later = await runCli(['eval', '--config', config, '--quiet']);
  assert.equal(later.code, 0, later.stderr);
  assert.match(later.stdout, /^2\s+weak\s+0\.500/m);
});

test('pollux eval from flags, the judge from POLLUX_JUDGE_URL', async (t) => {
  const { strong, judge } = await servers(t);
  const data = join(dir, 'flags.jsonl');
  writeInstructions(data, 3);
  const out = join(dir, 'flags-out');
  const r = await runCli(['eval', data, '--model-url', strong.url, '--model-id', 'mine', '--out', out, '--bootstrap', '50', '--quiet'], {
    env: { POLLUX_JUDGE_URL: judge.url },
  });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^1\s+mine\s+1\.000 \(6\/6\)/m);
  // Everywhere a judge is asked for.
  const one = await runCli(['judge', '--instruction', 'Вопрос 1', '--answer', 'Сильный ответ', '--criterion-name', 'Корректность', '--rubric', RUBRIC, '--json'], {
    env: { POLLUX_JUDGE_URL: judge.url },
  });
  assert.equal(one.code, 0, one.stderr);
  assert.equal(JSON.parse(one.stdout).score, 2);
  const none = await runCli(['eval', data, '--model-url', strong.url, '--out', out], { env: { POLLUX_JUDGE_URL: '' } });
  assert.equal(none.code, 2);
  assert.match(none.stderr, /no judge: give --judge URL, judge\.url in the configuration, or POLLUX_JUDGE_URL/);
});

test('pollux eval --config: every problem of the file, each with its line and field', async () => {
  const config = join(dir, 'bad.yaml');
  writeFileSync(
    config,
    ['dataset: x.jsonl', 'models:', '  - name: a', '    url: ftp://nowhere', '    temprature: 0.2', '  - url: http://127.0.0.1:9/v1', 'judge:', '  url: http://127.0.0.1:9/v1', 'score:', '  ci: 95', ''].join('\n'),
  );
  const r = await runCli(['eval', '--config', config]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /bad\.yaml:4, field "models\[0\]\.url": expected an http\(s\) URL/);
  assert.match(r.stderr, /bad\.yaml:5, field "models\[0\]\.temprature": unknown field \(allowed: name, url/);
  assert.match(r.stderr, /bad\.yaml:6, field "models\[1\]\.name": missing/);
  assert.match(r.stderr, /bad\.yaml:10, field "score\.ci": Too big/);
  writeFileSync(config, 'dataset: x\nmodels:\n  - name: a\n    url: [http://x\n');
  const yaml = await runCli(['eval', '--config', config]);
  assert.equal(yaml.code, 2);
  assert.match(yaml.stderr, /bad\.yaml:\d+: not valid YAML/);
});
