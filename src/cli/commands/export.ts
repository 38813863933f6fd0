import { Option, type Command } from 'commander';
import { UsageError } from '../../core/errors.ts';
import { EXPORT_FORMATS, exportRun, type ExportFormat } from '../../store/export.ts';
import { REQUEST_STATUSES, type RequestStatus } from '../../store/records.ts';
import type { Cli } from '../io.ts';

interface ExportFlags {
  format?: string;
  output?: string;
  /** The old spelling of --output, still accepted: `--out` is the run file in `run` and `batch export`. */
  out?: string;
  status?: string;
  bom?: boolean;
  texts?: boolean;
  rawCsv?: boolean;
}

/** --format, or the extension of -o, or JSONL. */
function formatOf(flags: ExportFlags): ExportFormat {
  const named = flags.format ?? flags.output?.match(/\.(jsonl|csv|parquet)$/i)?.[1]?.toLowerCase() ?? 'jsonl';
  if (!(EXPORT_FORMATS as readonly string[]).includes(named)) {
    throw new UsageError(`--format must be one of ${EXPORT_FORMATS.join(', ')}, not ${JSON.stringify(named)}`);
  }
  return named as ExportFormat;
}

function statusesOf(list: string | undefined): RequestStatus[] | undefined {
  if (list === undefined) return undefined;
  const statuses = list.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = statuses.filter((s) => !(REQUEST_STATUSES as readonly string[]).includes(s));
  if (unknown.length > 0 || statuses.length === 0) {
    throw new UsageError(`--status takes a comma-separated list of ${REQUEST_STATUSES.join(', ')}; got ${JSON.stringify(list)}`);
  }
  return statuses as RequestStatus[];
}

export function register(cmd: Command, cli: Cli): void {
  cmd
    .argument('<run>', 'the run file (RUN.sqlite)')
    .option('--format <format>', `${EXPORT_FORMATS.join(', ')} (default: from the -o extension, else jsonl)`)
    .option('-o, --output <file>', 'output file, replaced only once complete (default: stdout; Parquet needs a file)')
    .addOption(new Option('--out <file>').hideHelp())
    .option('--status <list>', `only rows with these statuses, comma-separated: ${REQUEST_STATUSES.join(',')}`)
    .option('--bom', 'CSV: begin with a UTF-8 byte order mark, so Excel reads the Cyrillic text right')
    .option('--no-texts', 'leave out the text columns (instruction, reference_answer, answer, criteria_name, rubrics)')
    .option('--raw-csv', "CSV: write cells starting with = + - @ as they are (by default they get a leading ' so a spreadsheet does not run them as formulas)")
    .action(cli.action(async (run: string, flags: ExportFlags) => {
      flags.output ??= flags.out;
      const format = formatOf(flags);
      if (flags.bom && format !== 'csv') throw new UsageError('--bom applies to CSV only');
      if (flags.rawCsv && format !== 'csv') throw new UsageError('--raw-csv applies to CSV only');
      const result = await exportRun(run, { format, out: flags.output, status: statusesOf(flags.status), bom: flags.bom, rawCsv: flags.rawCsv, texts: flags.texts, stdout: cli.io.stdout });
      if (result.rowsWithoutTexts > 0) {
        cli.warn(
          `${run}: texts absent for ${result.rowsWithoutTexts} request(s) (listed before pollux kept texts in run files); ` +
            'their text columns are empty. Resuming the run with `pollux run` and the same dataset adds them.',
        );
      }
      if (result.out) cli.warn(`exported ${result.rows} rows to ${result.out}`);
    }));
}
