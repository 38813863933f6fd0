/** The score report (`pollux score`, `pollux eval`) as terminal text. */
import type { LeaderboardRow, ScoreInterval, ScoreBreakdown, ScoredCriterion, GatePolicy, ModelScoreMatrix, ScoreReport, ScoreSummary } from '../../scoring/types.ts';
import { renderTable, type Align } from './table.ts';

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

/** Three decimals; a missing mean is a dash, never NaN. */
export function formatMean(x: number | null): string {
  return x === null || !Number.isFinite(x) ? '—' : x.toFixed(3);
}

/** `0.734 (812/820)`. */
export function formatWithCoverage(x: number | null, scored: number, total: number): string {
  return `${formatMean(x)} (${scored}/${total})`;
}

export function modelLabel(model: string | null): string {
  return model ?? '(no model)';
}

export function keyLabel(key: string | null): string {
  return key ?? '(none)';
}

function criterionLabel(c: ScoredCriterion | undefined, id: string): string {
  if (!c) return id;
  // Rows by key (`correct_answer__14`, `custom:b3e8…`) say which criterion that is.
  const named = c.name && c.name !== id ? `${c.name} (${id})` : id;
  const label = c.keys.length > 1 ? `${named} (${c.keys.length} keys)` : named;
  if (c.gate) return `${label} [gate]`;
  if (c.critical) return `${label} [critical]`;
  if (c.binary) return `${label} [0/1]`;
  return label;
}

function micro(s: ScoreSummary): string {
  return formatWithCoverage(s.micro, s.coverage.scored, s.coverage.total);
}

function macro(s: ScoreSummary): string {
  return formatWithCoverage(s.macro, s.criteria.scored, s.criteria.total);
}

function intervalText(ci: ScoreInterval | null): string {
  return ci ? `[${formatMean(ci.lo)}, ${formatMean(ci.hi)}]` : '—';
}

function signedText(x: number | null): string {
  return x === null ? '—' : `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(3)}`;
}

function signedInterval(ci: ScoreInterval | null): string {
  return ci ? `[${signedText(ci.lo)}, ${signedText(ci.hi)}]` : '—';
}

function table(header: readonly string[], rows: string[][], align: readonly Align[]): string {
  return renderTable({ header, rows, align }).join('\n');
}

function leaderboardTable(report: ScoreReport): string {
  const boot = report.bootstrap;
  const ciHeader = boot ? `${Math.round(boot.ci * 1000) / 10}% CI` : '';
  const headers = ['#', 'model', 'micro (pairs)', ...(boot ? [ciHeader] : []), 'macro (criteria)', ...(boot ? [ciHeader, 'rank'] : [])];
  headers.push('answers', 'gated', 'gate unknown', 'unscored', 'error', 'pending');
  const rank = (r: LeaderboardRow) => (r.rank ? (r.rank.best === r.rank.worst ? String(r.rank.best) : `${r.rank.best}–${r.rank.worst}`) : '—');
  const rows = report.leaderboard.map((r, i) => [
    String(i + 1),
    modelLabel(r.model),
    micro(r),
    ...(boot ? [intervalText(r.microCi)] : []),
    macro(r),
    ...(boot ? [intervalText(r.macroCi), rank(r)] : []),
    String(r.answers),
    String(r.gatedAnswers),
    String(r.gateUnknownAnswers),
    String(r.coverage.unscored),
    String(r.coverage.error),
    String(r.coverage.pending),
  ]);
  return table(headers, rows, ['right', 'left', ...headers.slice(2).map((): Align => 'right')]);
}

function differencesTable(report: ScoreReport): string {
  const ci = `${Math.round(report.bootstrap!.ci * 1000) / 10}% CI`;
  const headers = ['model a', 'model b', 'micro a − b', ci, 'macro a − b', ci];
  const rows = report.differences.map((d) => [
    modelLabel(d.a),
    modelLabel(d.b),
    signedText(d.micro.difference),
    signedInterval(d.micro.ci),
    signedText(d.macro.difference),
    signedInterval(d.macro.ci),
  ]);
  return table(headers, rows, ['left', 'left', 'right', 'right', 'right', 'right']);
}

function breakdownTable(report: ScoreReport, b: ScoreBreakdown): string {
  const headers = [BREAKDOWN_TITLE[b.dimension][1]];
  const align: Align[] = ['left'];
  for (const m of report.models) {
    headers.push(`${modelLabel(m)} micro`, 'macro');
    align.push('right', 'right');
  }
  const rows = b.rows.map((r) => [keyLabel(r.key), ...r.cells.flatMap((c) => [micro(c), macro(c)])]);
  return table(headers, rows, align);
}

function byCriterionTable(report: ScoreReport): string {
  const info = new Map(report.criteria.map((c) => [c.id, c]));
  const headers = ['criterion', 'group', ...report.models.map(modelLabel)];
  const rows = report.byCriterion.map((r) => [
    criterionLabel(info.get(r.criterion), r.criterion),
    keyLabel(info.get(r.criterion)?.group ?? null),
    ...r.cells.map((c) => (c.coverage.total === 0 ? '' : formatWithCoverage(c.mean, c.coverage.scored, c.coverage.total))),
  ]);
  return table(headers, rows, ['left', 'left', ...report.models.map((): Align => 'right')]);
}

function matrixTable(report: ScoreReport, m: ModelScoreMatrix): string {
  const info = new Map(report.criteria.map((c) => [c.id, c]));
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
  return [table(headers, rows, align), ...legend].join('\n');
}

/** The leaderboard with its intervals and the pairwise differences: what `pollux eval` ends with. */
export function formatLeaderboard(report: ScoreReport): string {
  if (report.leaderboard.length === 0) return 'No judgments in the runs.\n';
  const out = ['Leaderboard', leaderboardTable(report)];
  const boot = report.bootstrap;
  if (boot && report.differences.length > 0) {
    out.push('', `Pairwise differences (${boot.resamples} paired bootstrap resamples of ${boot.clusters} instructions)`, differencesTable(report));
  }
  return `${out.join('\n')}\n`;
}

/** The whole report as terminal text. */
export function formatScoreReport(report: ScoreReport): string {
  const out: string[] = [];
  out.push(`POLLUX scores — gate: ${GATE_TEXT[report.gate]}`);
  out.push(
    `Criteria grouped by ${report.groupBy}; scores normalised ${report.normalise === 'max' ? 'by the top of the scale (upstream)' : 'min–max'}; ` +
      `verdicts ${report.verdicts === 'upstream' ? 're-read with the upstream rule (first numeric block)' : 'as judged'}` +
      `${report.zeroFiredGates ? '; a fired gate counts 0 itself, as upstream' : ''}.`,
  );
  out.push(
    'Means of normalised scores over the non-binary criteria; micro over (answer, criterion) pairs, ' +
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
  const boot = report.bootstrap;
  if (boot) {
    out.push(
      `Intervals: ${boot.resamples} bootstrap resamples of the ${boot.clusters} instructions (each drawn with all its answers and criteria), ` +
        `seed ${boot.seed}. rank: the places a model can hold — it is placed below another only when their paired micro difference is above 0 with ${Math.round(boot.ci * 1000) / 10}% confidence.`,
    );
    if (report.differences.length > 0) {
      out.push('', 'Pairwise differences (paired bootstrap: both models on the same resampled instructions)', differencesTable(report));
    }
  }
  for (const b of [report.byTaskGroup, report.byCriterionGroup, report.byDifficulty, report.byTaskType]) {
    out.push('', BREAKDOWN_TITLE[b.dimension][0], breakdownTable(report, b));
  }
  out.push('', 'By criterion (mean per criterion; [gate]: the rate at which it fires)', byCriterionTable(report));
  for (const m of report.matrix) {
    out.push('', `Criteria × task group — ${modelLabel(m.model)}`, matrixTable(report, m));
  }
  return `${out.join('\n')}\n`;
}
