/**
 * Gates for CI pipelines: a minimum POLLUX score (micro) overall or for one task group or criterion
 * group. The point estimate is compared, as the leaderboard shows it; a model without a score in
 * the scope fails too, since a gate that passes on missing data would hide a broken run.
 */
import { InputError, UsageError } from '../core/errors.ts';
import { polluxTaxonomy } from '../taxonomy/index.ts';
import type { ScoreBreakdown, ScoreReport, ScoreSummary } from './types.ts';

export interface ScoreThreshold {
  /** null: the model's overall score; otherwise a task group or criterion group name as given. */
  group: string | null;
  min: number;
}

export interface ThresholdFailure {
  model: string | null;
  /** The group as the report names it (null: overall). */
  group: string | null;
  score: number | null;
  min: number;
}

/** `0.62` or `GROUP=0.5` (the last `=` splits, so a group name may hold one). */
export function parseThreshold(text: string): ScoreThreshold {
  const eq = text.lastIndexOf('=');
  const group = eq >= 0 ? text.slice(0, eq).trim() : null;
  const value = (eq >= 0 ? text.slice(eq + 1) : text).trim();
  const min = Number(value);
  if (value === '' || !Number.isFinite(min) || min < 0 || min > 1) {
    throw new UsageError(`--fail-under "${text}": expected a score between 0 and 1 (normalised, as the leaderboard shows it), optionally after "GROUP="`);
  }
  if (group === '') throw new UsageError(`--fail-under "${text}": the group name before "=" is empty`);
  return { group, min };
}

/** Russian and English names of the POLLUX task groups, matched case-insensitively. */
function groupAliases(): Map<string, string[]> {
  const aliases = new Map<string, string[]>();
  for (const g of polluxTaxonomy().groups) aliases.set(g.name.ru, [g.name.ru, g.name.en, g.path[g.path.length - 1] ?? ''].filter((x) => x !== ''));
  return aliases;
}

function findRow(b: ScoreBreakdown, name: string, aliases: Map<string, string[]>): ScoreBreakdown['rows'][number] | undefined {
  const want = name.trim().toLowerCase();
  return b.rows.find((r) => r.key !== null && (aliases.get(r.key) ?? [r.key]).some((a) => a.trim().toLowerCase() === want));
}

/** Every (model, threshold) whose score is below its minimum or missing. */
export function checkThresholds(report: ScoreReport, thresholds: readonly ScoreThreshold[]): ThresholdFailure[] {
  const failures: ThresholdFailure[] = [];
  const aliases = groupAliases();
  for (const t of thresholds) {
    let cells: Array<{ model: string | null; summary: ScoreSummary }>;
    let group: string | null = null;
    if (t.group === null) {
      cells = report.leaderboard.map((r) => ({ model: r.model, summary: r }));
    } else {
      const row = findRow(report.byTaskGroup, t.group, aliases) ?? findRow(report.byCriterionGroup, t.group, new Map());
      if (!row) {
        const known = [...report.byTaskGroup.rows, ...report.byCriterionGroup.rows].map((r) => r.key).filter((k) => k !== null);
        throw new InputError(`--fail-under: no task group or criterion group "${t.group}" in the runs; they have: ${known.join(', ') || '(none)'}`);
      }
      group = row.key;
      cells = row.cells.map((c) => ({ model: c.model, summary: c }));
    }
    for (const c of cells) {
      if (c.summary.micro === null || c.summary.micro < t.min) failures.push({ model: c.model, group, score: c.summary.micro, min: t.min });
    }
  }
  return failures;
}
