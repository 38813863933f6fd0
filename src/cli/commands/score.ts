import { Option, type Command } from 'commander';
import { EXIT, InputError, UsageError } from '../../core/errors.ts';
import type { JudgmentRecord } from '../../core/types.ts';
import {
  buildScoreReport,
  checkThresholds,
  DuplicateJudgmentError,
  parseThreshold,
  CRITERION_GROUPINGS,
  GATE_POLICIES,
  NORMALISATIONS,
  taskGroupLookup,
  VERDICT_RULES,
  writeScoreCsv,
  type CriterionGrouping,
  type GatePolicy,
  type Normalisation,
  type ScoreOptions,
  type VerdictRule,
} from '../../scoring/index.ts';
import { openRunStore, type RunStore } from '../../store/index.ts';
import { formatScoreReport } from '../../report/text/score.ts';
import { bootstrapSettings } from '../../meta/settings.ts';
import type { Cli } from '../io.ts';

interface ScoreCommandOptions {
  gate?: GatePolicy;
  groupBy?: CriterionGrouping;
  normalise?: Normalisation;
  verdicts?: VerdictRule;
  upstream?: boolean;
  json?: boolean;
  csv?: string;
  rawCsv?: boolean;
  bootstrap: string;
  seed: string;
  ci: string;
  failUnder: string[];
}

export function register(cmd: Command, cli: Cli): void {
  cmd
    .argument('<runs...>', 'run files; their judgments are combined (e.g. runs of different evaluated models)')
    .addOption(
      new Option('--gate <policy>', 'gates: critical (the Critical 0/1 criteria, 1 = bad), all-binary (upstream: every 0/1 criterion), none (default critical)')
        .choices(GATE_POLICIES),
    )
    .addOption(
      new Option('--group-by <what>', 'one criterion row per name (upstream: facts, facts__2, … are one criterion) or per key (default name)')
        .choices(CRITERION_GROUPINGS),
    )
    .addOption(
      new Option('--normalise <how>', 'scores to [0, 1]: min-max on the rubric, or max (upstream: score / top of the scale) (default min-max)')
        .choices(NORMALISATIONS),
    )
    .addOption(
      new Option('--verdicts <rule>', 'as-judged (the run\'s parse) or upstream (re-read each stored reply: first numeric [RESULT] x [END] block, finish reason ignored) (default as-judged)')
        .choices(VERDICT_RULES),
    )
    .addOption(
      new Option('--upstream', 'the upstream scripts\' numbers: --gate all-binary --group-by name --normalise max --verdicts upstream, and a fired gate counts 0 itself').conflicts([
        'gate',
        'groupBy',
        'normalise',
        'verdicts',
      ]),
    )
    .option('--bootstrap <n>', 'bootstrap resamples for the leaderboard intervals (instructions resampled as clusters); 0 turns them off', '1000')
    .option('--seed <n>', 'seed of the resampling', '1')
    .option('--ci <level>', 'interval level', '0.95')
    .option(
      '--fail-under <score>',
      'exit 4 when a model\'s micro score is below SCORE (0–1), or with "GROUP=SCORE" its score in that task or criterion group; repeatable',
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .option('--json', 'print the report as one JSON document')
    .option('--csv <dir>', 'also write one CSV per table into DIR (created if missing)')
    .option('--raw-csv', "--csv: write cells starting with = + - @ as they are (by default they get a leading ' so a spreadsheet does not run them as formulas)")
    .action(cli.action((runs: string[], opts: ScoreCommandOptions) => scoreCommand(cli, runs, opts)));
}

/** `--upstream` stands for the four settings that reproduce the upstream scorer; each flag alone otherwise. */
export function scoreOptionsFrom(opts: ScoreCommandOptions): ScoreOptions {
  if (opts.upstream) return { gate: 'all-binary', groupBy: 'name', normalise: 'max', verdicts: 'upstream', zeroFiredGates: true };
  return { gate: opts.gate ?? 'critical', groupBy: opts.groupBy ?? 'name', normalise: opts.normalise ?? 'min-max', verdicts: opts.verdicts ?? 'as-judged' };
}

function* recordsOf(stores: readonly RunStore[]): Generator<JudgmentRecord> {
  for (const s of stores) yield* s.records();
}

function scoreCommand(cli: Cli, runs: string[], opts: ScoreCommandOptions): number {
  const unique = [...new Set(runs)];
  if (unique.length < runs.length) throw new InputError(`a run file is named twice: ${runs.filter((r, i) => runs.indexOf(r) !== i).join(', ')}`);
  const thresholds = opts.failUnder.map(parseThreshold);
  const settings = bootstrapSettings({
    resamples: wholeNumber('--bootstrap', opts.bootstrap),
    seed: wholeNumber('--seed', opts.seed),
    ci: Number(opts.ci),
  });
  const bootstrap = { resamples: settings.resamples, seed: settings.seed, ci: settings.ci };
  // Open every file first, so a missing or foreign one is reported before any work.
  const stores: RunStore[] = [];
  try {
    for (const file of runs) stores.push(openRunStore(file, { readonly: true }));
    let report;
    try {
      report = buildScoreReport(recordsOf(stores), { ...scoreOptionsFrom(opts), groupOf: taskGroupLookup(), bootstrap });
    } catch (err) {
      if (err instanceof DuplicateJudgmentError) throw duplicateWithFiles(err, stores);
      throw err;
    }
    for (const w of report.warnings) cli.warn(`pollux: warning: ${w}`);
    if (opts.csv !== undefined) {
      const written = writeScoreCsv(report, opts.csv, runs, { raw: Boolean(opts.rawCsv) });
      cli.warn(`pollux: wrote ${written.length} CSV files to ${opts.csv}`);
    }
    const failures = checkThresholds(report, thresholds);
    if (opts.json) cli.json({ runs, ...report, ...(thresholds.length > 0 ? { thresholds, failures } : {}) });
    else cli.write(formatScoreReport(report));
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

/** The files that hold the duplicated judgment: found by a second pass, paid only on this error. */
function duplicateWithFiles(err: DuplicateJudgmentError, stores: readonly RunStore[]): InputError {
  const holders: string[] = [];
  for (const s of stores) {
    let n = 0;
    for (const r of s.records()) {
      if (r.sampleId === err.sampleId && r.modelId === err.model && r.criterionKey === err.criterionKey && r.repeat === err.repeat) n++;
    }
    if (n > 0) holders.push(n > 1 ? `${s.file} (${n} times)` : s.file);
  }
  return new InputError(`${err.problem}; found in ${holders.join(' and ')}. Score such runs separately`, {}, { cause: err });
}

function wholeNumber(flag: string, text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isInteger(n)) throw new UsageError(`${flag}: expected a whole number, got "${text}"`);
  return n;
}
