import type { Command } from 'commander';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { InputError, UsageError, errorMessage } from '../core/errors.ts';
import type { NamedPath } from '../core/outputPaths.ts';
import type { CriteriaCatalog } from '../core/types.ts';
import { DATASET_SHAPES, type DatasetOptions, type DatasetShape } from '../data/datasetTypes.ts';
import { parseTableFormat } from '../data/table.ts';
import { addCatalogOptions, catalogForCli, type CatalogFlags } from './catalogOptions.ts';
import { collect } from './collect.ts';

/** Dataset flags shared by `pollux run`, `pollux batch export` (and `pollux plan`). */
export function addDatasetOptions(cmd: Command): Command {
  cmd
    .option('--format <format>', 'dataset format: jsonl, json, csv or parquet (default: from the extension)')
    .option('--shape <shape>', `row layout: ${DATASET_SHAPES.join(', ')} (default: detected from the columns)`)
    .option('--answers <file>', 'POLLUX-instructions datasets: the answers to judge (prompt_id, model_id, answer)')
    .option('--map <ours=theirs,…>', 'column remapping, e.g. answer=response,model_id=model', collectMap)
    .option('--criterion <key>', 'criterion for rows that list none (repeatable)', collect)
    .option('--strict', 'stop with exit 2 at the first bad row, before any judging')
    .option('--fill-rubrics', 'a criterion whose rubric cell is empty takes the catalog rubric of its name (default: the row is rejected)');
  return addCatalogOptions(cmd);
}

function collectMap(value: string, previous: Record<string, string> | undefined): Record<string, string> {
  const out = { ...(previous ?? {}) };
  for (const pair of value.split(',')) {
    if (!pair.trim()) continue;
    const eq = pair.indexOf('=');
    if (eq <= 0 || eq === pair.length - 1) throw new UsageError(`--map: expected ours=theirs pairs such as answer=response, got "${pair}"`);
    out[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return out;
}

export interface DatasetFlags extends CatalogFlags {
  format?: string;
  shape?: string;
  answers?: string;
  map?: Record<string, string>;
  criterion?: string[];
  strict?: boolean;
  fillRubrics?: boolean;
}

export function datasetOptionsFrom(flags: DatasetFlags, catalog: CriteriaCatalog = catalogForCli(flags)): DatasetOptions {
  const options: DatasetOptions = { catalog, strict: Boolean(flags.strict) };
  if (flags.format) options.format = parseTableFormat(flags.format);
  if (flags.shape) {
    if (!(DATASET_SHAPES as readonly string[]).includes(flags.shape)) {
      throw new UsageError(`--shape: expected one of ${DATASET_SHAPES.join(', ')}, got "${flags.shape}"`);
    }
    options.shape = flags.shape as DatasetShape;
  }
  if (flags.answers) options.answers = flags.answers;
  if (flags.map && Object.keys(flags.map).length) options.map = flags.map;
  if (flags.criterion && flags.criterion.length) options.criteria = flags.criterion;
  if (flags.fillRubrics) options.fillRubrics = true;
  return options;
}

/** What of the dataset flags changes which requests exist: recorded in the run manifest. */
export function datasetManifestOptions(flags: DatasetFlags): Record<string, unknown> {
  return {
    map: flags.map ?? {},
    criteria: flags.criterion ?? [],
    // Contents, not just paths: an edited rubric changes the prompts of a run.
    criteriaFiles: (flags.criteria ?? []).map((file) => ({ file, sha256: fileSha256(file) })),
    polluxCriteria: flags.polluxCriteria !== false,
    shape: flags.shape ?? null,
    // Only when given, so the manifests of runs made before the flag existed still match.
    ...(flags.fillRubrics ? { fillRubrics: true } : {}),
  };
}

function fileSha256(file: string): string {
  try {
    return createHash('sha256').update(readFileSync(file)).digest('hex');
  } catch (err) {
    throw new InputError(`cannot read the criteria file: ${errorMessage(err)}`, { file });
  }
}

/** The files a dataset command reads: none of its outputs may replace one of them. */
export function datasetInputs(dataset: string, flags: DatasetFlags): NamedPath[] {
  return [
    { path: dataset, role: 'the dataset' },
    ...(flags.answers ? [{ path: flags.answers, role: 'the --answers file' }] : []),
    ...(flags.criteria ?? []).map((path) => ({ path, role: 'the --criteria file' })),
  ];
}
