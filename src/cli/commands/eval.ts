import type { Command } from 'commander';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT, UsageError } from '../../core/errors.ts';
import type { JudgeBackend } from '../../core/types.ts';
import { AnswerStore, connectModel, readInstructions, runAnswers, type AnswerRunSummary } from '../../answer/index.ts';
import { readEvalConfig, type EvalConfig, type EvalModelConfig } from '../../eval/config.ts';
import { DEFAULT_POLICY } from '../../engine/execute.ts';
import { fileFingerprint } from '../../engine/fingerprint.ts';
import type { RunSummary } from '../../engine/run.ts';
import { judgeIdentity, openRun } from '../../run/openRun.ts';
import { createJudge, parseJudgeSpecs, type JudgeSettings } from '../../judges/create.ts';
import { apiKeyFromEnv } from '../../judges/openaiChat.ts';
import { bootstrapSettings } from '../../meta/settings.ts';
import { buildScoreReport, checkThresholds, formatLeaderboard, parseThreshold, taskGroupLookup } from '../../scoring/index.ts';
import { openRunStore, type RunStore } from '../../store/index.ts';
import { buildCatalog } from '../../taxonomy/index.ts';
import { TOOL_VERSION } from '../../core/version.ts';
import { collect } from '../collect.ts';
import { localDataset } from '../datasetArg.ts';
import type { Cli } from '../io.ts';
import { judgeUrlFromEnv, parseNumberFlag, parseParams } from '../judgeOptions.ts';
import { ProgressReporter } from '../progress.ts';
import { resolveTextArg } from '../promptInputs.ts';

interface EvalFlags {
  config?: string;
  modelUrl?: string;
  model?: string;
  modelId?: string;
  system?: string;
  temperature?: string;
  maxTokens?: string;
  param?: string[];
  samples?: string;
  judge?: string;
  judgeModel?: string;
  template?: string;
  criteria?: string[];
  out?: string;
  limit?: string;
  failUnder?: string[];
  bootstrap?: string;
  forceNew?: boolean;
  quiet?: boolean;
  json?: boolean;
}

export function register(cmd: Command, cli: Cli): void {
  cmd
    .argument('[dataset]', 'POLLUX-instructions dataset (file or hf://datasets/OWNER/NAME); or give --config')
    .option('--config <file.yaml>', 'the evaluation as a YAML file (dataset, models, judge, template, criteria, score): see docs/pollux-eval.schema.json')
    .option('--model-url <url>', 'the model under test (one model; several through --config)')
    .option('--model <name>', 'its served name (default: the one the server lists)')
    .option('--model-id <label>', 'its name in the answers and on the leaderboard (default: the served name)')
    .option('--system <text|@file>', 'system message before each instruction')
    .option('--temperature <t>', 'the model\'s sampling temperature (default 0)')
    .option('--max-tokens <n>', 'the model\'s completion token limit (default 4096)')
    .option('--param <key=value>', 'extra body field for the model, repeatable', collect)
    .option('--samples <k>', 'answers per instruction (default 1)')
    .option('--judge <url>', 'judge endpoint(s), or gguf:PATH; POLLUX_JUDGE_URL when absent (overrides the config\'s)')
    .option('--judge-model <name>', 'the judge\'s served name (default: the one the server lists)')
    .option('--template <name>', 'prompt variant: paper or v2 (default paper)')
    .option('--criteria <file>', 'custom criteria file merged over POLLUX (repeatable)', collect)
    .option('--out <dir>', 'folder for answers, run files and the leaderboard (default: eval)')
    .option('--limit <n>', 'only the first n instructions')
    .option('--fail-under <score>', 'as pollux score: exit 4 when a model scores below (0.62, or "GROUP=0.5"); repeatable', collect)
    .option('--bootstrap <n>', 'bootstrap resamples for the leaderboard intervals (default 1000)')
    .option('--force-new', 'a state or run file holds work made with other settings: move it aside and start anew')
    .option('--quiet', 'no progress output')
    .option('--json', 'print the score report as JSON on stdout')
    .action(cli.action((dataset: string | undefined, flags: EvalFlags) => evalCommand(cli, dataset, flags)));
}

/** The configuration from --config, or from the flags; flags given with --config override it. */
function configFrom(dataset: string | undefined, flags: EvalFlags): EvalConfig {
  if (flags.config) {
    const config = readEvalConfig(flags.config);
    if (dataset !== undefined) config.dataset = dataset;
    if (flags.out !== undefined) config.out = flags.out;
    if (flags.limit !== undefined) config.limit = parseNumberFlag(flags.limit, '--limit', { min: 1, integer: true })!;
    if (flags.modelUrl !== undefined) throw new UsageError('--model-url and --config: give the models in the configuration file');
    return config;
  }
  if (dataset === undefined) throw new UsageError('missing the dataset (pollux eval DATASET --model-url URL --judge URL), or --config FILE');
  if (!flags.modelUrl) throw new UsageError('missing --model-url URL (the model under test), or --config FILE');
  const model: EvalModelConfig = { name: flags.modelId ?? '', url: flags.modelUrl };
  if (flags.model !== undefined) model.model = flags.model;
  if (flags.system !== undefined) model.system = resolveTextArg(flags.system, '--system');
  const temperature = parseNumberFlag(flags.temperature, '--temperature', { min: 0 });
  if (temperature !== undefined) model.temperature = temperature;
  const maxTokens = parseNumberFlag(flags.maxTokens, '--max-tokens', { min: 1, integer: true });
  if (maxTokens !== undefined) model.max_tokens = maxTokens;
  const samples = parseNumberFlag(flags.samples, '--samples', { min: 1, integer: true });
  if (samples !== undefined) model.samples = samples;
  if (flags.param) model.params = parseParams(flags.param);
  const config: EvalConfig = { dataset, models: [model] };
  if (flags.out !== undefined) config.out = flags.out;
  const limit = parseNumberFlag(flags.limit, '--limit', { min: 1, integer: true });
  if (limit !== undefined) config.limit = limit;
  return config;
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

function safeName(name: string): string {
  return name.replace(/[^\p{L}\p{N}._-]+/gu, '_').replace(/^\.+/, '_');
}

async function evalCommand(cli: Cli, datasetArg: string | undefined, flags: EvalFlags): Promise<number> {
  const config = configFrom(datasetArg, flags);
  if (flags.template !== undefined) {
    if (flags.template !== 'paper' && flags.template !== 'v2') throw new UsageError(`--template: expected paper or v2, got "${flags.template}"`);
    config.template = flags.template;
  }
  if (flags.criteria) config.criteria = flags.criteria;
  const judgeUrl = flags.judge ?? (typeof config.judge?.url === 'string' ? config.judge.url : config.judge?.url?.join(',')) ?? judgeUrlFromEnv(cli.env);
  if (!judgeUrl) throw new UsageError('no judge: give --judge URL, judge.url in the configuration, or POLLUX_JUDGE_URL');
  const template = config.template ?? 'paper';
  const thresholds = [...(config.score?.fail_under ?? []).map(String), ...(flags.failUnder ?? [])].map(parseThreshold);
  const boot = bootstrapSettings({
    resamples: parseNumberFlag(flags.bootstrap, '--bootstrap', { min: 0, integer: true }) ?? config.score?.bootstrap,
    seed: config.score?.seed,
    ci: config.score?.ci,
  });
  const outDir = config.out ?? 'eval';
  const quiet = Boolean(flags.quiet);
  const say = (line: string) => {
    if (!quiet) cli.warn(line);
  };

  const dataset = await localDataset(cli, config.dataset, quiet);
  const instructions = await readInstructions(dataset);
  if (instructions.problems.length > 0) say(`pollux: ${instructions.problems.length} dataset row(s) rejected; \`pollux answer ${config.dataset}\` lists them`);
  const list = config.limit !== undefined ? instructions.instructions.slice(0, config.limit) : instructions.instructions;
  // A bad criteria file fails now, before any model is asked (openRun reads them again for each run).
  buildCatalog({ criteriaFiles: config.criteria ?? [], pollux: true });

  const judgeSettings: JudgeSettings = { extraBody: config.judge?.params ?? {}, apiKey: apiKeyFromEnv(cli.env) ?? 'EMPTY' };
  const judgeModel = flags.judgeModel ?? config.judge?.model;
  if (judgeModel !== undefined) judgeSettings.model = judgeModel;
  if (config.judge?.temperature !== undefined) judgeSettings.temperature = config.judge.temperature;
  if (config.judge?.max_tokens !== undefined) judgeSettings.maxTokens = config.judge.max_tokens;
  if (config.judge?.timeout !== undefined) judgeSettings.timeoutMs = config.judge.timeout * 1000;
  if (cli.env.HF_TOKEN) judgeSettings.hfToken = cli.env.HF_TOKEN;
  const specs = parseJudgeSpecs(judgeUrl);
  const judgeConcurrency = config.judge?.concurrency ?? 'auto';
  if (/^(gguf|hf):/i.test(specs[0]!)) judgeSettings.concurrency = typeof judgeConcurrency === 'number' ? judgeConcurrency : 1;

  const stop = new AbortController();
  const abort = new AbortController();
  const offInterrupt = cli.io.onInterrupt?.(() => {
    if (!stop.signal.aborted) stop.abort();
    else abort.abort();
  });
  const judges: JudgeBackend[] = [];
  const runFiles: string[] = [];
  const answered: Array<{ model: string; answers: AnswerRunSummary; run: RunSummary | null }> = [];
  try {
    judges.push(...(await Promise.all(specs.map((s) => createJudge(s, judgeSettings)))));
    const judge = judgeIdentity(judges);
    const steps = config.models.length * 2;
    let step = 0;
    for (const m of config.models) {
      if (stop.signal.aborted) break;
      // A model answered before keeps its served name: a rerun that only completes the judging or
      // prints the leaderboard then needs no answer from its server (often stopped by then).
      const served = m.model ?? (m.name ? servedNameFromState(join(outDir, 'answers', `${safeName(m.name)}.jsonl.sqlite`), m.name) : undefined);
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
        cli.env,
      );
      const label = safeName(model.modelId);
      const answersFile = join(outDir, 'answers', `${label}.jsonl`);
      mkdirSync(join(outDir, 'answers'), { recursive: true });
      mkdirSync(join(outDir, 'runs'), { recursive: true });
      say(`[${++step}/${steps}] ${model.modelId}: answering ${list.length} instruction(s) → ${answersFile}`);
      const reporter = new ProgressReporter({ quiet, stream: cli.io.stderr, labels: { scored: 'answered', unscored: 'truncated', rate: 'a/s' } });
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
        forceNew: Boolean(flags.forceNew),
        stop: stop.signal,
        abort: abort.signal,
        onEvent: reporter.handle,
      });
      reporter.end();
      if (answers.counts.error > 0) say(`pollux: ${model.modelId}: ${answers.counts.error} request(s) got no answer (see \`pollux answer\`); judging the others`);
      if (answers.stopped || answers.counts.answered === 0) {
        answered.push({ model: model.modelId, answers, run: null });
        if (answers.counts.answered === 0 && !answers.stopped) say(`pollux: ${model.modelId}: no answer at all; not judged`);
        step++;
        continue;
      }

      const storeFile = join(outDir, 'runs', `${label}.sqlite`);
      say(`[${++step}/${steps}] ${model.modelId}: judging with ${judge.model} → ${storeFile}`);
      const judgeReporter = new ProgressReporter({ quiet, stream: cli.io.stderr });
      const opened = await openRun({
        dataset,
        answers: answersFile,
        criteriaFiles: config.criteria ?? [],
        template,
        judge: { backends: judges },
        out: storeFile,
        concurrency: judgeConcurrency,
        forceNew: Boolean(flags.forceNew),
      });
      let run: RunSummary;
      try {
        run = await opened.judge({ stop: stop.signal, signal: abort.signal, onEvent: judgeReporter.handle });
      } finally {
        await opened.close();
      }
      judgeReporter.end();
      for (const line of opened.dataset().problemLines) say(line);
      runFiles.push(storeFile);
      answered.push({ model: model.modelId, answers, run });
    }
  } finally {
    offInterrupt?.();
    await Promise.all(judges.map((j) => j.close?.()));
  }
  if (stop.signal.aborted) {
    say('stopped; run the same command again to resume');
    return EXIT.interrupted;
  }
  if (runFiles.length === 0) {
    cli.warn('pollux: no model was judged');
    return EXIT.judgeFailed;
  }

  const stores: RunStore[] = runFiles.map((f) => openRunStore(f, { readonly: true }));
  try {
    const report = buildScoreReport(
      (function* () {
        for (const s of stores) yield* s.records();
      })(),
      { gate: config.score?.gate ?? 'critical', groupOf: taskGroupLookup(), bootstrap: boot },
    );
    for (const w of report.warnings) cli.warn(`pollux: warning: ${w}`);
    const failures = checkThresholds(report, thresholds);
    const reportFile = join(outDir, 'score.json');
    const tmp = `${reportFile}.tmp-${process.pid}`;
    writeFileSync(tmp, `${JSON.stringify({ runs: runFiles, ...report }, null, 2)}\n`);
    renameSync(tmp, reportFile);
    if (flags.json) cli.json({ runs: runFiles, stages: answered, ...report, ...(thresholds.length > 0 ? { thresholds, failures } : {}) });
    else {
      cli.write(formatLeaderboard(report));
      cli.line();
      cli.line(`the whole report: pollux score ${runFiles.join(' ')}   (also in ${reportFile})`);
    }
    for (const f of failures) {
      cli.warn(
        `pollux: below --fail-under: ${f.model ?? '(no model)'}${f.group === null ? '' : ` in "${f.group}"`} ` +
          `scores ${f.score === null ? 'nothing (no scored judgment)' : f.score.toFixed(3)}, the bar is ${f.min}`,
      );
    }
    return failures.length > 0 ? EXIT.belowThreshold : EXIT.ok;
  } finally {
    for (const s of stores) s.close();
  }
}
