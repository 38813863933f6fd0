import type { Command } from 'commander';
import { UsageError } from '../core/errors.ts';
import { DATASET_SHAPES, type DatasetShape } from '../data/datasetTypes.ts';
import { parseTableFormat } from '../data/table.ts';
import { CSV_DELIMITERS, textEncodingOf } from '../data/encoding.ts';
import type { RunSpec } from '../run/openRun.ts';
import { addCatalogOptions, type CatalogFlags } from './catalogOptions.ts';
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
    .option('--fill-rubrics', 'a criterion whose rubric cell is empty takes the catalog rubric of its name (default: the row is rejected)')
    .option('--delimiter <char>', 'CSV field delimiter: "," ";" or tab (default: detected from the header row)')
    .option('--encoding <name>', 'text encoding of the dataset and answers files: utf-8 (default), windows-1251, koi8-r, utf-16le, utf-16be, …');
  return addCatalogOptions(cmd);
}

/** `--map ours=theirs,…`, repeatable: the pairs of every use, later ones winning. */
export function collectMap(value: string, previous: Record<string, string> | undefined): Record<string, string> {
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
  delimiter?: string;
  encoding?: string;
}

/** `--delimiter` and `--encoding`, checked: how a text dataset file is read. */
export function textOptionsFrom(flags: { delimiter?: string; encoding?: string }): { delimiter?: string; encoding?: string } {
  const out: { delimiter?: string; encoding?: string } = {};
  if (flags.delimiter !== undefined) {
    const d = CSV_DELIMITERS[flags.delimiter];
    if (!d) throw new UsageError(`--delimiter: expected ",", ";" or tab, got "${flags.delimiter}"`);
    out.delimiter = d;
  }
  if (flags.encoding !== undefined) out.encoding = textEncodingOf(flags.encoding);
  return out;
}

/** The dataset and criteria part of a run spec, from the flags. */
export function datasetSpecFrom(dataset: string, flags: DatasetFlags): Omit<RunSpec, 'judge'> {
  const spec: Omit<RunSpec, 'judge'> = { dataset, strict: Boolean(flags.strict), polluxCriteria: flags.polluxCriteria !== false };
  if (flags.format) spec.format = parseTableFormat(flags.format);
  if (flags.shape) {
    if (!(DATASET_SHAPES as readonly string[]).includes(flags.shape)) {
      throw new UsageError(`--shape: expected one of ${DATASET_SHAPES.join(', ')}, got "${flags.shape}"`);
    }
    spec.shape = flags.shape as DatasetShape;
  }
  if (flags.answers) spec.answers = flags.answers;
  if (flags.map) spec.map = flags.map;
  if (flags.criterion) spec.criteria = flags.criterion;
  if (flags.criteria) spec.criteriaFiles = flags.criteria;
  if (flags.fillRubrics) spec.fillRubrics = true;
  Object.assign(spec, textOptionsFrom(flags));
  return spec;
}
