/**
 * The whole journey for one or more models under test: their answers (`runAnswers`), the judge's
 * judgments of them (`openRun`), and the score report with bootstrap intervals over all of them.
 * Every stage resumes from its own files under `out`, so calling it again continues where it stopped.
 */
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../core/errors.ts';
import type { JudgeBackend } from '../core/types.ts';
import { TOOL_VERSION } from '../core/version.ts';
import { AnswerStore, connectModel, readInstructions, runAnswers, type AnswerRunSummary } from '../answer/index.ts';
import { isHfDataset, resolveHfDataset } from '../data/hfDataset.ts';
import { DEFAULT_POLICY } from '../engine/execute.ts';
import { fileFingerprint } from '../engine/fingerprint.ts';
import type { RunEvent, RunSummary } from '../engine/run.ts';
import { createJudge, parseJudgeSpecs, type JudgeSettings } from '../judges/create.ts';
import { apiKeyFromEnv } from '../judges/openaiChat.ts';
import { judgeIdentity, openRun } from '../run/openRun.ts';
import { buildScoreReport, taskGroupLookup, type ScoreBootstrapOptions, type ScoreReport } from '../scoring/index.ts';
import { openRunStore, type RunStore } from '../store/index.ts';
import { buildCatalog } from '../taxonomy/index.ts';
import type { EvalConfig } from './config.ts';

export interface EvaluateOptions {
  /** POLLUX_MODEL_API_KEY, POLLUX_API_KEY / OPENAI_API_KEY, POLLUX_JUDGE_URL, HF_* and POLLUX_CACHE are read from here. */
  env: Readonly<Record<string, string | undefined>>;
  bootstrap: ScoreBootstrapOptions;
  /** Move state or run files made with other settings aside and start anew. */
  forceNew?: boolean;
  stop?: AbortSignal;
  abort?: AbortSignal;
  /** A stage begins: `[index/total] model: what → file`. */
  onStage?: (stage: EvalStage) => void;
  /** Progress of the current stage, in the run engine's terms. */
  onEvent?: (stage: EvalStage, event: RunEvent) => void;
  /** Notes for a person (rejected rows, unanswered requests, downloads). */
  log?: (line: string) => void;
}

export interface EvalStage {
  index: number;
  total: number;
  model: string;
  kind: 'answer' | 'judge';
  /** The file the stage writes. */
  file: string;
  /** answer: instructions; judge: the judge model. */
  detail: string;
}

export interface ModelEvaluation {
  model: string;
  answersFile: string;
  answers: AnswerRunSummary;
  /** The run file and its summary; null when the model was not judged (stopped, or no answer). */
  runFile: string | null;
  run: RunSummary | null;
}

export interface Evaluation {
  models: ModelEvaluation[];
  runFiles: string[];
  /** Over every judged model; null when none was judged or the evaluation was stopped. */
  report: ScoreReport | null;
  /** Where the report was written (`out/score.json`). */
  reportFile: string | null;
  stopped: boolean;
}

/** A file name for a model: what the user named it, with anything a path could misread replaced. */
export function evalFileName(name: string): string {
  return name.replace(/[^\p{L}\p{N}._-]+/gu, '_').replace(/^\.+/, '_');
}

function servedNameFromState(stateFile: string, name: string): string | undefined {
  if (!existsSync(stateFile)) return undefined;
  const store = new AnswerStore(stateFile);
  try {
    const manifest = store.getManifest();
    return manifest && manifest.modelId === name ? manifest.model : undefined;
  } finally {
    store.close();
  }
}

export async function evaluate(config: EvalConfig, options: EvaluateOptions): Promise<Evaluation> {
  const env = options.env;
  const log = options.log ?? (() => {});
  const judgeUrl =
    (typeof config.judge?.url === 'string' ? config.judge.url : config.judge?.url?.join(',')) ?? (env.POLLUX_JUDGE_URL?.trim() || undefined);
  if (!judgeUrl) throw new UsageError('no judge: give --judge URL, judge.url in the configuration, or POLLUX_JUDGE_URL');
  const template = config.template ?? 'paper';
  const outDir = config.out ?? 'eval';

  const dataset = isHfDataset(config.dataset) ? (await resolveHfDataset(config.dataset, env, log)).file : config.dataset;
  const instructions = await readInstructions(dataset);
  if (instructions.problems.length > 0) log(`${instructions.problems.length} dataset row(s) rejected; \`pollux answer ${config.dataset}\` lists them`);
  const list = config.limit !== undefined ? instructions.instructions.slice(0, config.limit) : instructions.instructions;
  // A bad criteria file fails now, before any model is asked (openRun reads them again for each run).
  buildCatalog({ criteriaFiles: config.criteria ?? [], pollux: true });

  const judgeSettings: JudgeSettings = { extraBody: config.judge?.params ?? {}, apiKey: apiKeyFromEnv(env) ?? 'EMPTY' };
  if (config.judge?.model !== undefined) judgeSettings.model = config.judge.model;
  if (config.judge?.temperature !== undefined) judgeSettings.temperature = config.judge.temperature;
  if (config.judge?.max_tokens !== undefined) judgeSettings.maxTokens = config.judge.max_tokens;
  if (config.judge?.timeout !== undefined) judgeSettings.timeoutMs = config.judge.timeout * 1000;
  if (env.HF_TOKEN) judgeSettings.hfToken = env.HF_TOKEN;
  const specs = parseJudgeSpecs(judgeUrl);
  const judgeConcurrency = config.judge?.concurrency ?? 'auto';
  if (/^(gguf|hf):/i.test(specs[0]!)) judgeSettings.concurrency = typeof judgeConcurrency === 'number' ? judgeConcurrency : 1;

  const judges: JudgeBackend[] = [];
  const models: ModelEvaluation[] = [];
  const stopped = () => Boolean(options.stop?.aborted || options.abort?.aborted);
  try {
    judges.push(...(await Promise.all(specs.map((s) => createJudge(s, judgeSettings)))));
    const judge = judgeIdentity(judges);
    const total = config.models.length * 2;
    let index = 0;
    for (const m of config.models) {
      if (stopped()) break;
      // A model answered before keeps its served name: a rerun that only completes the judging or
      // prints the leaderboard then needs no answer from its server (often stopped by then).
      const served = m.model ?? (m.name ? servedNameFromState(join(outDir, 'answers', `${evalFileName(m.name)}.jsonl.sqlite`), m.name) : undefined);
      const model = await connectModel(
        {
          urls: typeof m.url === 'string' ? m.url.split(',').map((u) => u.trim()) : m.url,
          ...(served !== undefined ? { model: served } : {}),
          ...(m.name ? { modelId: m.name } : {}),
          system: m.system ?? null,
          ...(m.temperature !== undefined ? { temperature: m.temperature } : {}),
          ...(m.max_tokens !== undefined ? { maxTokens: m.max_tokens } : {}),
          ...(m.timeout !== undefined ? { timeoutMs: m.timeout * 1000 } : {}),
          extraBody: m.params ?? {},
        },
        env,
      );
      const label = evalFileName(model.modelId);
      const answersFile = join(outDir, 'answers', `${label}.jsonl`);
      mkdirSync(join(outDir, 'answers'), { recursive: true });
      mkdirSync(join(outDir, 'runs'), { recursive: true });
      const answerStage: EvalStage = { index: ++index, total, model: model.modelId, kind: 'answer', file: answersFile, detail: `${list.length} instruction(s)` };
      options.onStage?.(answerStage);
      const concurrency = m.concurrency ?? 'auto';
      const answers = await runAnswers({
        instructions: list,
        stateFile: `${answersFile}.sqlite`,
        outFile: answersFile,
        manifest: {
          dataset: { path: dataset, fingerprint: await fileFingerprint(dataset) },
          model: model.model,
          modelId: model.modelId,
          params: model.params,
          system: m.system ?? null,
          toolVersion: TOOL_VERSION,
        },
        backends: model.backends,
        samples: m.samples ?? 1,
        concurrency: typeof concurrency === 'number' ? concurrency * model.backends.length : concurrency,
        policy: { maxAttempts: DEFAULT_POLICY.maxAttempts, backoff: DEFAULT_POLICY.backoff },
        forceNew: Boolean(options.forceNew),
        ...(options.stop ? { stop: options.stop } : {}),
        ...(options.abort ? { abort: options.abort } : {}),
        onEvent: (e) => options.onEvent?.(answerStage, e),
      });
      if (answers.counts.error > 0) log(`${model.modelId}: ${answers.counts.error} request(s) got no answer (see \`pollux answer\`); judging the others`);
      if (answers.stopped || answers.counts.answered === 0) {
        if (answers.counts.answered === 0 && !answers.stopped) log(`${model.modelId}: no answer at all; not judged`);
        models.push({ model: model.modelId, answersFile, answers, runFile: null, run: null });
        index++;
        continue;
      }

      const runFile = join(outDir, 'runs', `${label}.sqlite`);
      const judgeStage: EvalStage = { index: ++index, total, model: model.modelId, kind: 'judge', file: runFile, detail: judge.model };
      options.onStage?.(judgeStage);
      const opened = await openRun({
        dataset,
        answers: answersFile,
        criteriaFiles: config.criteria ?? [],
        template,
        judge: { backends: judges },
        out: runFile,
        concurrency: judgeConcurrency,
        forceNew: Boolean(options.forceNew),
      });
      let run: RunSummary;
      try {
        run = await opened.judge({
          ...(options.stop ? { stop: options.stop } : {}),
          ...(options.abort ? { signal: options.abort } : {}),
          onEvent: (e) => options.onEvent?.(judgeStage, e),
        });
      } finally {
        await opened.close();
      }
      for (const line of opened.dataset().problemLines) log(line);
      models.push({ model: model.modelId, answersFile, answers, runFile, run });
    }
  } finally {
    await Promise.all(judges.map((j) => j.close?.()));
  }
  const runFiles = models.flatMap((m) => (m.runFile ? [m.runFile] : []));
  if (stopped() || runFiles.length === 0) return { models, runFiles, report: null, reportFile: null, stopped: stopped() };

  const stores: RunStore[] = runFiles.map((f) => openRunStore(f, { readonly: true }));
  try {
    const report = buildScoreReport(
      (function* () {
        for (const s of stores) yield* s.records();
      })(),
      { gate: config.score?.gate ?? 'critical', groupOf: taskGroupLookup(), bootstrap: options.bootstrap },
    );
    const reportFile = join(outDir, 'score.json');
    const tmp = `${reportFile}.tmp-${process.pid}`;
    writeFileSync(tmp, `${JSON.stringify({ runs: runFiles, ...report }, null, 2)}\n`);
    renameSync(tmp, reportFile);
    return { models, runFiles, report, reportFile, stopped: false };
  } finally {
    for (const s of stores) s.close();
  }
}
