import type { Command } from 'commander';
import { EXIT, UsageError } from '../../core/errors.ts';
import { readEvalConfig, type EvalConfig, type EvalModelConfig } from '../../eval/config.ts';
import { evaluate } from '../../eval/evaluate.ts';
import { bootstrapSettings } from '../../meta/settings.ts';
import { formatLeaderboard } from '../../report/text/score.ts';
import { checkThresholds, parseThreshold } from '../../scoring/index.ts';
import { collect } from '../collect.ts';
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

async function evalCommand(cli: Cli, datasetArg: string | undefined, flags: EvalFlags): Promise<number> {
  const config = configFrom(datasetArg, flags);
  if (flags.template !== undefined) {
    if (flags.template !== 'paper' && flags.template !== 'v2') throw new UsageError(`--template: expected paper or v2, got "${flags.template}"`);
    config.template = flags.template;
  }
  if (flags.criteria) config.criteria = flags.criteria;
  if (flags.judge !== undefined) config.judge = { ...config.judge, url: flags.judge };
  if (flags.judgeModel !== undefined) config.judge = { ...config.judge, model: flags.judgeModel };
  if (!config.judge?.url && !judgeUrlFromEnv(cli.env)) throw new UsageError('no judge: give --judge URL, judge.url in the configuration, or POLLUX_JUDGE_URL');
  const thresholds = [...(config.score?.fail_under ?? []).map(String), ...(flags.failUnder ?? [])].map(parseThreshold);
  const boot = bootstrapSettings({
    resamples: parseNumberFlag(flags.bootstrap, '--bootstrap', { min: 0, integer: true }) ?? config.score?.bootstrap,
    seed: config.score?.seed,
    ci: config.score?.ci,
  });
  const quiet = Boolean(flags.quiet);
  const say = (line: string) => {
    if (!quiet) cli.warn(line);
  };

  const stop = new AbortController();
  const abort = new AbortController();
  const offInterrupt = cli.io.onInterrupt?.(() => {
    if (!stop.signal.aborted) stop.abort();
    else abort.abort();
  });
  // One progress view: a header per stage, then that stage's bar (answers, then judgments).
  let reporter: ProgressReporter | null = null;
  let evaluation;
  try {
    evaluation = await evaluate(config, {
      env: cli.env,
      bootstrap: { resamples: boot.resamples, seed: boot.seed, ci: boot.ci },
      forceNew: Boolean(flags.forceNew),
      stop: stop.signal,
      abort: abort.signal,
      log: (line) => say(`pollux: ${line}`),
      onStage: (stage) => {
        reporter?.end();
        say(`[${stage.index}/${stage.total}] ${stage.model}: ${stage.kind === 'answer' ? `answering ${stage.detail}` : `judging with ${stage.detail}`} → ${stage.file}`);
        reporter = new ProgressReporter({
          quiet,
          stream: cli.io.stderr,
          ...(stage.kind === 'answer' ? { labels: { scored: 'answered', unscored: 'truncated', rate: 'a/s' } } : {}),
        });
      },
      onEvent: (_stage, event) => reporter?.handle(event),
    });
  } finally {
    (reporter as ProgressReporter | null)?.end();
    offInterrupt?.();
  }
  if (evaluation.stopped) {
    say('stopped; run the same command again to resume');
    return EXIT.interrupted;
  }
  const report = evaluation.report;
  if (!report) {
    cli.warn('pollux: no model was judged');
    return EXIT.judgeFailed;
  }
  for (const w of report.warnings) cli.warn(`pollux: warning: ${w}`);
  const failures = checkThresholds(report, thresholds);
  if (flags.json) cli.json({ runs: evaluation.runFiles, stages: evaluation.models, ...report, ...(thresholds.length > 0 ? { thresholds, failures } : {}) });
  else {
    cli.write(formatLeaderboard(report));
    cli.line();
    cli.line(`the whole report: pollux score ${evaluation.runFiles.join(' ')}   (also in ${evaluation.reportFile})`);
  }
  for (const f of failures) {
    cli.warn(
      `pollux: below --fail-under: ${f.model ?? '(no model)'}${f.group === null ? '' : ` in "${f.group}"`} ` +
        `scores ${f.score === null ? 'nothing (no scored judgment)' : f.score.toFixed(3)}, the bar is ${f.min}`,
    );
  }
  return failures.length > 0 ? EXIT.belowThreshold : EXIT.ok;
}
