import { csvCell, type CsvOptions } from '../core/csv.ts';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { refuseClobbering } from '../core/outputPaths.ts';
import type { ScoreBreakdown, ScoreCoverage, ScoredCriterion, ScoreReport, ScoreSummary } from './types.ts';

/**
 * One CSV per table, in long form (one row per model and key) so that every mean keeps its
 * coverage columns; a missing mean is an empty field. Numbers keep full precision.
 */

type Field = string | number | boolean | null;

export function csvField(value: Field, options: CsvOptions = {}): string {
  return csvCell(value, options);
}

export function toCsv(header: readonly string[], rows: ReadonlyArray<readonly Field[]>, options: CsvOptions = {}): string {
  return [header, ...rows].map((r) => r.map((v) => csvField(v, options)).join(',')).join('\r\n') + '\r\n';
}

/** Written beside the target, then renamed over it: a reader never sees half a file. */
export function writeFileAtomic(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    writeFileSync(tmp, text, 'utf8');
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

const COVERAGE_HEADER = ['scored', 'total', 'unscored', 'error', 'pending', 'gated', 'gate_unknown'];
const SUMMARY_HEADER = ['micro', 'macro', 'criteria_scored', 'criteria_total', ...COVERAGE_HEADER];

function coverageFields(c: ScoreCoverage): Field[] {
  return [c.scored, c.total, c.unscored, c.error, c.pending, c.gated, c.gateUnknown];
}

function summaryFields(s: ScoreSummary): Field[] {
  return [s.micro, s.macro, s.criteria.scored, s.criteria.total, ...coverageFields(s.coverage)];
}

function breakdownCsv(b: ScoreBreakdown, column: string, options: CsvOptions): string {
  return toCsv(
    [column, 'model', ...SUMMARY_HEADER],
    b.rows.flatMap((r) => r.cells.map((c) => [r.key, c.model, ...summaryFields(c)])),
    options,
  );
}

function criterionFields(c: ScoredCriterion | undefined, id: string): Field[] {
  return [c?.key ?? id, c?.name ?? null, c?.group ?? null, c?.binary ?? null, c?.gate ?? null, c?.critical ?? null, c?.summarised ?? null, c ? c.keys.join(' ') : id];
}

// criterion_key is the row's first key; criterion_keys lists every key grouped in the row.
const CRITERION_HEADER = ['criterion_key', 'criterion_name', 'criterion_group', 'binary', 'gate', 'critical', 'summarised', 'criterion_keys'];

/** The CSV files of a report, by file name. */
export function scoreReportCsv(report: ScoreReport, options: CsvOptions = {}): Record<string, string> {
  const csv = (header: readonly string[], rows: ReadonlyArray<readonly Field[]>) => toCsv(header, rows, options);
  const info = new Map(report.criteria.map((c) => [c.id, c]));
  return {
    'leaderboard.csv': csv(
      ['rank', 'model', ...SUMMARY_HEADER, 'answers', 'gated_answers', 'gate_unknown_answers', 'judgments', 'judgments_scored',
        'judgments_unscored', 'judgments_error', 'judgments_pending', 'repeats'],
      report.leaderboard.map((r, i) => [
        i + 1, r.model, ...summaryFields(r), r.answers, r.gatedAnswers, r.gateUnknownAnswers, r.judgments.total,
        r.judgments.scored, r.judgments.unscored, r.judgments.error, r.judgments.pending, r.repeats,
      ]),
    ),
    'by_task_group.csv': breakdownCsv(report.byTaskGroup, 'task_group', options),
    'by_group.csv': breakdownCsv(report.byCriterionGroup, 'criterion_group', options),
    'by_difficulty.csv': breakdownCsv(report.byDifficulty, 'difficulty', options),
    'by_task_type.csv': breakdownCsv(report.byTaskType, 'task_type', options),
    'by_criterion.csv': csv(
      [...CRITERION_HEADER, 'model', 'mean', ...COVERAGE_HEADER],
      report.byCriterion.flatMap((r) =>
        r.cells.map((c) => [...criterionFields(info.get(r.criterion), r.criterion), c.model, c.mean, ...coverageFields(c.coverage)]),
      ),
    ),
    'matrix.csv': csv(
      ['model', ...CRITERION_HEADER, 'task_group', 'mean', ...COVERAGE_HEADER],
      report.matrix.flatMap((m) =>
        m.rows.flatMap((r) =>
          r.cells
            .filter((c) => c.coverage.total > 0)
            .map((c) => [m.model, ...criterionFields(info.get(r.criterion), r.criterion), c.taskGroup, c.mean, ...coverageFields(c.coverage)]),
        ),
      ),
    ),
  };
}

/**
 * Writes every table of the report into `dir` (created if missing); returns the paths written.
 * `inputs` (the run files) are never replaced, whatever they are named.
 */
export function writeScoreCsv(report: ScoreReport, dir: string, inputs: readonly string[] = [], options: CsvOptions = {}): string[] {
  const files = Object.entries(scoreReportCsv(report, options));
  refuseClobbering(
    files.map(([name]) => ({ path: join(dir, name), role: '--csv' })),
    inputs.map((path) => ({ path, role: 'the run file' })),
  );
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const [name, text] of files) {
    const path = join(dir, name);
    writeFileAtomic(path, text);
    written.push(path);
  }
  return written;
}
