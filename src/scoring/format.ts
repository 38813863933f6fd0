import { formatWithCoverage, renderTable, type Align } from './table.ts';
import type { ScoreBreakdown, ScoredCriterion, GatePolicy, ModelScoreMatrix, ScoreReport, ScoreSummary } from './types.ts';

const GATE_TEXT: Record<GatePolicy, string> = {
  critical: 'critical (a fired Critical gate, 1 = bad, zeroes the other scores of its answer)',
  'all-binary': 'all-binary (upstream rule: every 0/1 criterion at 1 zeroes the other scores of its answer)',
  none: 'none (no gates)',
};

const BREAKDOWN_TITLE: Record<ScoreBreakdown['dimension'], [string, string]> = {
  taskGroup: ['By task group', 'task group'],
  criterionGroup: ['By criterion group', 'criterion group'],
  difficulty: ['By difficulty', 'difficulty'],
  taskType: ['By task type', 'task type'],
};

export function modelLabel(model: string | null): string {
  return model ?? '(no model)';
}

export function keyLabel(key: string | null): string {
  return key ?? '(none)';
}

function criterionLabel(c: ScoredCriterion | undefined, key: string): string {
  if (!c) return key;
  if (c.gate) return `${key} [gate]`;
  if (c.critical) return `${key} [critical]`;
  if (c.binary) return `${key} [0/1]`;
  return key;
}

function micro(s: ScoreSummary): string {
  return formatWithCoverage(s.micro, s.coverage.scored, s.coverage.total);
}

function macro(s: ScoreSummary): string {
  return formatWithCoverage(s.macro, s.criteria.scored, s.criteria.total);
}

function leaderboardTable(report: ScoreReport): string {
  const headers = ['#', 'model', 'micro (pairs)', 'macro (criteria)', 'answers', 'gated', 'gate unknown', 'unscored', 'error', 'pending'];
  const rows = report.leaderboard.map((r, i) => [
    String(i + 1),
    modelLabel(r.model),
    micro(r),
    macro(r),
    String(r.answers),
    String(r.gatedAnswers),
    String(r.gateUnknownAnswers),
    String(r.coverage.unscored),
    String(r.coverage.error),
    String(r.coverage.pending),
  ]);
  return renderTable(headers, rows, ['right', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right']);
}

function breakdownTable(report: ScoreReport, b: ScoreBreakdown): string {
  const headers = [BREAKDOWN_TITLE[b.dimension][1]];
  const align: Align[] = ['left'];
  for (const m of report.models) {
    headers.push(`${modelLabel(m)} micro`, 'macro');
    align.push('right', 'right');
  }
  const rows = b.rows.map((r) => [keyLabel(r.key), ...r.cells.flatMap((c) => [micro(c), macro(c)])]);
  return renderTable(headers, rows, align);
}

function byCriterionTable(report: ScoreReport): string {
  const info = new Map(report.criteria.map((c) => [c.key, c]));
  const headers = ['criterion', 'group', ...report.models.map(modelLabel)];
  const rows = report.byCriterion.map((r) => [
    criterionLabel(info.get(r.criterion), r.criterion),
    keyLabel(info.get(r.criterion)?.group ?? null),
    ...r.cells.map((c) => (c.coverage.total === 0 ? '' : formatWithCoverage(c.mean, c.coverage.scored, c.coverage.total))),
  ]);
  return renderTable(headers, rows, ['left', 'left', ...report.models.map((): Align => 'right')]);
}

function matrixTable(report: ScoreReport, m: ModelScoreMatrix): string {
  const info = new Map(report.criteria.map((c) => [c.key, c]));
  // Task-group names are long Russian phrases: short column names, spelled out in a legend.
  const headers = ['criterion', ...report.taskGroups.map((_, i) => `G${i + 1}`), 'all'];
  const align: Align[] = ['left', ...report.taskGroups.map((): Align => 'right'), 'right'];
  const cell = (mean: number | null, scored: number, total: number) => (total === 0 ? '' : formatWithCoverage(mean, scored, total));
  const rows = m.rows.map((r) => [
    criterionLabel(info.get(r.criterion), r.criterion),
    ...r.cells.map((c) => cell(c.mean, c.coverage.scored, c.coverage.total)),
    cell(r.overall.mean, r.overall.coverage.scored, r.overall.coverage.total),
  ]);
  rows.push([
    'macro (criteria)',
    ...m.byTaskGroup.map((g) => (g.criteria.total === 0 ? '' : macro(g))),
    macro(m.overall),
  ]);
  rows.push([
    'micro (pairs)',
    ...m.byTaskGroup.map((g) => (g.coverage.total === 0 ? '' : micro(g))),
    micro(m.overall),
  ]);
  const legend = report.taskGroups.map((g, i) => `  G${i + 1} = ${keyLabel(g)}`);
  return [renderTable(headers, rows, align), ...legend].join('\n');
}

/** The whole report as terminal text. */
export function formatScoreReport(report: ScoreReport): string {
  const out: string[] = [];
  out.push(`POLLUX scores — gate: ${GATE_TEXT[report.gate]}`);
  out.push(
    'Means of min–max normalised scores over the non-binary criteria; micro over (answer, criterion) pairs, ' +
      'macro over criteria; (scored/total). Unscored judgments are left out and counted, never zero.',
  );
  if (report.leaderboard.length === 0) {
    out.push('', 'No judgments in the runs.');
    return `${out.join('\n')}\n`;
  }
  const repeats = Math.max(...report.leaderboard.map((r) => r.repeats));
  if (repeats > 1) out.push(`Repeats (up to ${repeats} per answer and criterion) are averaged into one value before aggregating.`);
  const unknown = report.leaderboard.reduce((s, r) => s + r.gateUnknownAnswers, 0);
  if (unknown > 0) {
    out.push(`${unknown} answer(s) have a gate without a score and no gate fired: their other scores count as judged.`);
  }
  out.push('', 'Leaderboard', leaderboardTable(report));
  for (const b of [report.byTaskGroup, report.byCriterionGroup, report.byDifficulty, report.byTaskType]) {
    out.push('', BREAKDOWN_TITLE[b.dimension][0], breakdownTable(report, b));
  }
  out.push('', 'By criterion (mean per criterion; [gate]: the rate at which it fires)', byCriterionTable(report));
  for (const m of report.matrix) {
    out.push('', `Criteria × task group — ${modelLabel(m.model)}`, matrixTable(report, m));
  }
  return `${out.join('\n')}\n`;
}
