import type { Command } from 'commander';
import { EXIT, InputError, UsageError } from '../../core/errors.ts';
import type { JudgmentRecord } from '../../core/types.ts';
import { parseTableFormat } from '../../data/table.ts';
import {
  BREAKDOWN_DIMENSIONS,
  buildMetaReport,
  compareJudges,
  readHumanScores,
  type BreakdownDimension,
  type HumanScores,
} from '../../meta/index.ts';
import { openRunStore, type RunStore } from '../../store/index.ts';
import { formatJudgeComparison, formatMetaReport } from '../../report/text/meta.ts';
import type { Cli } from '../io.ts';

interface MetaCommandOptions {
  human?: string;
  humanFormat?: string;
  json?: boolean;
  bootstrap: string;
  seed: string;
  ci: string;
  outOfDomain?: string;
  confusion?: boolean;
  by?: string;
  combine?: boolean;
}

export function register(cmd: Command, cli: Cli): void {
  cmd
    .argument('<runs...>', 'run files; each is one judge unless --combine')
    .option('--human <file>', 'expert scores keyed by sample id and criterion (JSONL, JSON, CSV, Parquet), replacing those kept in the run; individual experts give the expert-against-expert ceiling')
    .option('--human-format <format>', 'format of --human when its extension does not say (jsonl, json, csv, parquet)')
    .option('--json', 'print one JSON document')
    .option('--bootstrap <n>', 'bootstrap resamples (instructions resampled as clusters); 0 turns intervals off', '1000')
    .option('--seed <n>', 'seed of the resampling', '1')
    .option('--ci <level>', 'interval level', '0.95')
    .option('--out-of-domain <tasks>', 'comma-separated task types counted as out-of-domain (default: the POLLUX held-out list)')
    .option('--confusion', 'add a judge × expert confusion matrix per criterion')
    .option('--by <dimensions>', `breakdowns: comma-separated among ${BREAKDOWN_DIMENSIONS.join(', ')}, or none`, BREAKDOWN_DIMENSIONS.join(','))
    .option('--combine', 'treat the runs as parts of one judge’s run (e.g. one file per evaluated model)')
    .action(cli.action((runs: string[], opts: MetaCommandOptions) => metaCommand(cli, runs, opts)));
}

function wholeNumber(flag: string, value: string, min: number): number {
  if (!/^-?\d+$/.test(value.trim()) || Number(value) < min) throw new UsageError(`${flag}: expected a whole number${min === 0 ? ' ≥ 0' : ''}, got "${value}"`);
  return Number(value);
}

function parseBy(value: string): BreakdownDimension[] {
  if (value.trim() === 'none') return [];
  const dims = value.split(',').map((d) => d.trim()).filter((d) => d !== '');
  for (const d of dims) {
    if (!(BREAKDOWN_DIMENSIONS as readonly string[]).includes(d)) {
      throw new UsageError(`--by: unknown breakdown "${d}": expected ${BREAKDOWN_DIMENSIONS.join(', ')} or none`);
    }
  }
  return dims as BreakdownDimension[];
}

function* recordsOf(stores: readonly RunStore[]): Generator<JudgmentRecord> {
  for (const s of stores) yield* s.records();
}

async function metaCommand(cli: Cli, runs: string[], opts: MetaCommandOptions): Promise<number> {
  const unique = [...new Set(runs)];
  if (unique.length < runs.length) throw new InputError(`a run file is named twice: ${runs.filter((r, i) => runs.indexOf(r) !== i).join(', ')}`);
  const ci = Number(opts.ci);
  if (!(ci > 0 && ci < 1)) throw new UsageError(`--ci: expected a level strictly between 0 and 1 such as 0.95, got "${opts.ci}"`);
  const settings = {
    resamples: wholeNumber('--bootstrap', opts.bootstrap, 0),
    seed: wholeNumber('--seed', opts.seed, Number.MIN_SAFE_INTEGER),
    ci,
    outOfDomain: opts.outOfDomain === undefined ? undefined : opts.outOfDomain.split(',').map((t) => t.trim()).filter((t) => t !== ''),
  };
  const breakdowns = parseBy(opts.by ?? BREAKDOWN_DIMENSIONS.join(','));
  const format = opts.humanFormat === undefined ? undefined : parseTableFormat(opts.humanFormat, '--human-format');
  // Open every run first, so a missing or foreign file is reported before any work.
  const stores: RunStore[] = [];
  try {
    for (const file of runs) stores.push(openRunStore(file, { readonly: true }));
    const human: HumanScores | undefined = opts.human === undefined ? undefined : await readHumanScores(opts.human, { format });

    if (stores.length === 1 || opts.combine) {
      const report = buildMetaReport(recordsOf(stores), { ...settings, human, breakdowns, confusion: opts.confusion });
      if (report.judges.length <= 1) {
        if (report.records.withHuman === 0) cli.warn('pollux: warning: no record has an expert score; nothing to compare the judge with');
        if (opts.json) cli.json({ runs, ...report });
        else cli.write(formatMetaReport(report));
        return EXIT.ok;
      }
      // Records of several judge models must not be pooled as one judge: compare them instead.
      cli.warn(`pollux: the records come from ${report.judges.length} judge models (${report.judges.join(', ')}); comparing them side by side`);
    }
    const judgeRuns = opts.combine ? [{ label: runs.join('+'), records: recordsOf(stores) }] : stores.map((s) => ({ label: s.file, records: s.records() }));
    const comparison = compareJudges(judgeRuns, { ...settings, human });
    if (comparison.humanMismatches > 0) {
      cli.warn(`pollux: warning: ${comparison.humanMismatches} items carry different expert scores in different runs; the first run's are used`);
    }
    if (opts.json) cli.json({ runs, ...comparison });
    else cli.write(formatJudgeComparison(comparison));
    return EXIT.ok;
  } finally {
    for (const s of stores) s.close();
  }
}
