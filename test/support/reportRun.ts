import { sha256Hex } from '../../src/core/hash.ts';
import type { Judgment } from '../../src/core/types.ts';
import type { RequestRow } from '../../src/store/records.ts';
import { openRunStore } from '../../src/store/runStore.ts';

/**
 * Texts that would run script if a page put them into HTML unescaped, or followed them as links.
 * Each sets `window.__pwned` when it runs, so a test can prove nothing ran.
 */
export const HOSTILE = {
  script: '<script>window.__pwned = "script"</script>',
  img: '<img src=x onerror="window.__pwned = \'img\'">',
  link: '<a href="javascript:window.__pwned=\'link\'">нажми</a> javascript:window.__pwned=1',
  endScript: '</script><script>window.__pwned = "end"</script>',
  svg: '<svg onload="window.__pwned = \'svg\'"></svg>',
};
const ALL_HOSTILE = Object.values(HOSTILE).join(' ');

export interface ReportRunOptions {
  file: string;
  /** Evaluated answers (each judged on CRITERIA.length criteria). */
  samples: number;
  /** Hostile text in every text field, the model ids and the criterion names. */
  hostile?: boolean;
  /** Give every request an expert score (default true). */
  experts?: boolean;
  /** Leave the texts out (as a run file from before texts were kept). */
  noTexts?: boolean;
}

const CRITERIA = [
  { key: 'facts', name: 'Фактологическая точность', max: 2, gate: false, rubric: '0: много ошибок\n\n1: есть ошибки\n\n2: ошибок нет' },
  { key: 'style', name: 'Стиль', max: 2, gate: false, rubric: '0: плохо\n\n1: приемлемо\n\n2: хорошо' },
  { key: 'censor', name: 'Цензура', max: 1, gate: true, rubric: '0: нет нарушений\n\n1: есть нарушения' },
];
const MODELS = ['gpt-4o', 'gigachat-max', 't-pro'];
const TASKS = ['Написать художественный текст', 'Решить задачу (STEM)', 'Дать совет'];

export function reportModels(hostile = false): string[] {
  return MODELS.map((m, i) => (hostile && i === 0 ? `${m} ${HOSTILE.img}` : m));
}

/**
 * A run file with three models, three task types and three criteria: scores that disagree with the
 * experts by a known amount (sample s, criterion c: judge = (s + c) % (max + 1), expert = (s * 2 + c) % (max + 1)),
 * every tenth request unscored and every seventeenth an error.
 */
export function writeReportRun(options: ReportRunOptions): void {
  const store = openRunStore(options.file);
  const hostile = options.hostile ?? false;
  const models = reportModels(hostile);
  const rows: RequestRow[] = [];
  const judgments: Array<{ key: string; judgment: Judgment }> = [];
  let seq = 0;
  for (let s = 0; s < options.samples; s++) {
    const instruction = `Задание ${Math.floor(s / MODELS.length)}: напиши стихотворение о весне.${hostile ? ` ${ALL_HOSTILE}` : ''}`;
    const answer = `Ответ ${s}: весна пришла.${hostile ? ` ${ALL_HOSTILE}` : ''}`;
    for (const [c, criterion] of CRITERIA.entries()) {
      const name = hostile && c === 1 ? `${criterion.name} ${HOSTILE.endScript}` : criterion.name;
      const prompt = `${instruction}\n${answer}\n${name}\n${criterion.rubric}`;
      const promptHash = sha256Hex(prompt);
      const key = sha256Hex(`${promptHash}${s}`).slice(0, 32);
      const i = seq;
      rows.push({
        key,
        seq: seq++,
        sampleId: `s${s}`,
        instructionId: sha256Hex(instruction).slice(0, 16),
        modelId: models[s % MODELS.length] as string,
        taskType: TASKS[Math.floor(s / MODELS.length) % TASKS.length] as string,
        taskSubtype: null,
        taskSubsubtype: null,
        difficulty: 'Medium',
        domain: null,
        criterionKey: criterion.key,
        criterionName: name,
        criterionGroup: criterion.gate ? 'Critical' : 'Fine-grained',
        gate: criterion.gate,
        scaleKind: criterion.max === 1 ? 'binary' : 'ordinal',
        scaleMin: 0,
        scaleMax: criterion.max,
        repeat: 0,
        humanScore: options.experts === false ? null : (s * 2 + c) % (criterion.max + 1),
        judgeModel: 'ai-forever/pollux-judge-7b',
        promptHash,
        texts: options.noTexts ? undefined : { instruction, referenceAnswer: s % 2 ? null : `Эталон ${s}`, answer, rubric: criterion.rubric },
      });
      const status = i % 17 === 16 ? 'error' : i % 10 === 9 ? 'unscored' : 'scored';
      const score = status === 'scored' ? (s + c) % (criterion.max + 1) : null;
      const rationale = `Обоснование ${i}.${hostile ? ` ${ALL_HOSTILE}` : ''}`;
      judgments.push({
        key,
        judgment: {
          status,
          score,
          rationale: status === 'scored' ? rationale : null,
          raw: status === 'error' ? null : `[FEEDBACK] ${rationale} ${status === 'scored' ? `[RESULT] ${score} [END]` : ''}`,
          reasoning: null,
          reason: status === 'unscored' ? 'no_result_block' : status === 'error' ? `fatal: HTTP 400 ${hostile ? HOSTILE.script : 'bad request'}` : null,
          finishReason: status === 'error' ? null : 'stop',
          usage: { prompt: 100, completion: 20, total: 120 },
          latencyMs: 50,
          attempts: 1,
          judge: { backend: 'openai', endpoint: 'http://127.0.0.1:1/v1', model: 'ai-forever/pollux-judge-7b', params: { temperature: 0 } },
          endpoint: 'http://127.0.0.1:1/v1',
          promptHash,
        },
      });
    }
  }
  for (let i = 0; i < rows.length; i += 1000) store.addRequests(rows.slice(i, i + 1000));
  for (let i = 0; i < judgments.length; i += 1000) {
    store.saveJudgments(judgments.slice(i, i + 1000).map((j) => ({ ...j, times: { startedAt: 0, finishedAt: 1 } })));
  }
  store.close();
}
