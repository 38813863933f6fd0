import { Option, type Command } from 'commander';
import { EXIT, UsageError } from '../../core/errors.ts';
import { DEFAULT_DETAILS, REPORT_LANGS, type ReportLang } from '../../report/html/reportData.ts';
import { writeReport } from '../../report/html/writeReport.ts';
import { GATE_POLICIES, type GatePolicy } from '../../scoring/index.ts';
import type { Cli } from '../io.ts';

interface ReportFlags {
  output?: string;
  /** The old spelling of --output, still accepted: `--out` is the run file in `run` and `batch export`. */
  out?: string;
  lang: ReportLang;
  gate: GatePolicy;
  bootstrap: string;
  seed: string;
  details: string;
}

function wholeNumber(flag: string, value: string, min: number): number {
  if (!/^-?\d+$/.test(value.trim()) || Number(value) < min) throw new UsageError(`${flag}: expected a whole number ≥ ${min}, got "${value}"`);
  return Number(value);
}

export function register(cmd: Command, cli: Cli): void {
  cmd
    .argument('<runs...>', 'run files, combined as `pollux score` combines them')
    .option('-o, --output <file>', 'the HTML file to write (replaced only once complete; required)')
    .addOption(new Option('--out <file>').hideHelp())
    .addOption(new Option('--lang <lang>', 'labels in Russian or English').choices(REPORT_LANGS).default('ru'))
    .addOption(new Option('--gate <policy>', 'gates, as for `pollux score`').choices(GATE_POLICIES).default('critical'))
    .option('--bootstrap <n>', 'bootstrap resamples for the agreement intervals (0: none)', '1000')
    .option('--seed <n>', 'seed of the resampling', '1')
    .option('--details <n>', 'how many of the largest disagreements, and of the unscored/failed judgments, carry their texts', String(DEFAULT_DETAILS))
    .action(cli.action((runs: string[], flags: ReportFlags) => {
      const output = flags.output ?? flags.out;
      if (output === undefined) throw new UsageError('report: -o/--output FILE.html is required (the HTML file to write)');
      const written = writeReport(runs, output, {
        lang: flags.lang,
        gate: flags.gate,
        resamples: wholeNumber('--bootstrap', flags.bootstrap, 0),
        seed: wholeNumber('--seed', flags.seed, Number.MIN_SAFE_INTEGER),
        details: wholeNumber('--details', flags.details, 0),
      });
      for (const w of written.data.score.warnings) cli.warn(`pollux: warning: ${w}`);
      for (const r of written.data.runs) {
        if (r.requests > 0 && r.requestsWithTexts < r.requests) cli.warn(`pollux: ${r.name}: texts absent for ${r.requests - r.requestsWithTexts} request(s); the report shows scores without them`);
      }
      cli.warn(`pollux: wrote ${written.out} (${(written.bytes / 2 ** 20).toFixed(1)} MiB, ${written.data.judgments.status.length} judgments)`);
      return EXIT.ok;
    }));
}
