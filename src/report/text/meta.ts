/**
 * The meta report and the judge comparison as plain text: aligned tables, coverage beside every
 * number, intervals as [lo, hi], and words ("undefined (constant input)") where a statistic has no
 * value, never NaN.
 */
import type { JudgeComparison } from '../../meta/compare.ts';
import type { Interval } from '../../meta/intervals.ts';
import type { AgreementEntry, CriterionConfusion, ExpertCeiling, MeanOverModels, MetaReport, ModelBreakdown } from '../../meta/reportTypes.ts';
import { renderTable, type TableSpec } from './table.ts';

/** A table as a block of text: each line ended. */
function textTable(header: readonly string[], rows: string[][], options: Omit<TableSpec, 'header' | 'rows'> = {}): string {
  return renderTable({ header, rows, ...options }).map((l) => `${l}\n`).join('');
}

const int = (n: number) => n.toLocaleString('en-US');
const plural = (n: number, word: string) => `${int(n)} ${word}${n === 1 ? '' : 's'}`;

export function formatNumber(v: number | null, digits = 3, reason?: string | null): string {
  if (v === null) return `undefined${reason ? ` (${shortReason(reason)})` : ''}`;
  return v.toFixed(digits);
}

function shortReason(reason: string): string {
  return reason.startsWith('constant input') ? 'constant input' : reason;
}

export function formatInterval(ci: Interval | null, digits = 3): string {
  return ci ? `[${ci.lo.toFixed(digits)}, ${ci.hi.toFixed(digits)}]` : '';
}

function withCi(v: number | null, ci: Interval | null, reason?: string | null): string {
  const ivl = formatInterval(ci);
  return ivl ? `${formatNumber(v, 3, reason)} ${ivl}` : formatNumber(v, 3, reason);
}

export function formatCoverage(c: number | null): string {
  return c === null ? '–' : `${(c * 100).toFixed(1)}%`;
}

function signed(v: number | null): string {
  return v === null ? 'undefined' : `${v >= 0 ? '+' : ''}${v.toFixed(3)}`;
}

function entryRow(label: string, e: AgreementEntry): string[] {
  return [label, int(e.n), formatCoverage(e.coverage), withCi(e.spearman, e.spearmanCI, e.undefinedReason), withCi(e.mae, e.maeCI)];
}

function meanRow(m: MeanOverModels): string[] {
  const reason = m.spearmanModels === 0 ? 'no model with a defined ρ' : null;
  const label = m.spearmanModels < m.models ? `mean over ${m.spearmanModels} of ${m.models} models` : `mean over ${m.models} models`;
  return [label, int(m.n), formatCoverage(m.coverage), withCi(m.spearman, m.spearmanCI, reason), withCi(m.mae, m.maeCI)];
}

const MAIN_HEADER = (ci: number, first: string) => [first, 'n', 'coverage', `Spearman ρ [${pct(ci)} CI]`, `MAE [${pct(ci)} CI]`];
const pct = (ci: number) => `${Math.round(ci * 1000) / 10}%`;

function modelTable(b: ModelBreakdown, ci: number, indent = ''): string {
  const rows = b.models.map((m) => entryRow(m.model, m));
  rows.push(meanRow(b.meanOverModels), entryRow('pooled', b.pooled));
  let out = textTable(MAIN_HEADER(ci, 'model'), rows, { indent });
  for (const u of b.meanOverModels.undefinedModels) out += `${indent}  ${u.model}: Spearman undefined, ${u.reason}; left out of the mean\n`;
  return out;
}

function summaryTable(blocks: ReadonlyArray<ModelBreakdown>, ci: number, first: string): string {
  if (blocks.length === 0) return '  (no records)\n';
  const rows = blocks.map((b) => {
    const m = b.meanOverModels;
    return [
      b.key,
      int(m.n),
      formatCoverage(m.coverage),
      String(m.models),
      withCi(m.spearman, m.spearmanCI, m.spearmanModels === 0 ? b.pooled.undefinedReason ?? 'no model with a defined ρ' : null),
      withCi(m.mae, m.maeCI),
      formatNumber(b.pooled.spearman, 3, b.pooled.undefinedReason),
      formatNumber(b.pooled.mae),
    ];
  });
  return textTable([first, 'n', 'coverage', 'models', `ρ mean over models [${pct(ci)} CI]`, `MAE mean [${pct(ci)} CI]`, 'pooled ρ', 'pooled MAE'], rows);
}

function moreStatistics(b: ModelBreakdown): string {
  const row = (label: string, e: AgreementEntry) => [
    label,
    int(e.n),
    formatCoverage(e.coverage),
    formatNumber(e.pearson, 3, e.undefinedReason),
    formatNumber(e.kendallTauB, 3, e.undefinedReason),
    formatNumber(e.rmse),
    signed(e.meanSignedError),
    formatCoverage(e.exactAgreement),
    formatCoverage(e.withinOneLevel),
    formatNumber(e.quadraticKappa),
    formatNumber(e.alphaInterval),
    formatNumber(e.alphaOrdinal),
  ];
  return textTable(
    ['model', 'n', 'coverage', 'Pearson r', 'Kendall τb', 'RMSE', 'signed err', 'exact', 'within 1', 'QWK', 'α interval', 'α ordinal'],
    [...b.models.map((m) => row(m.model, m)), row('pooled', b.pooled)],
  );
}

function confusionText(c: CriterionConfusion): string {
  const fmt = (v: number) => String(Math.round(v * 1000) / 1000);
  const rows = c.humanLevels.map((h, i) => [fmt(h), ...c.counts[i]!.map(int)]);
  return `${c.criterionKey}${c.criterionName !== c.criterionKey ? ` (${c.criterionName})` : ''}, n = ${int(c.n)}\n${textTable(['expert \\ judge', ...c.judgeLevels.map(fmt)], rows, { indent: '  ' })}`;
}

function ceilingText(e: ExpertCeiling, ci: number): string {
  let out = `\nExperts against experts: the ceiling (${e.method}: each expert against the mean of the others)\n`;
  out += `${int(e.items)} items with two or more of ${e.experts} experts\n`;
  out += modelTable(e, ci);
  out += summaryTable([e.inDomain, e.outOfDomain], ci, 'domain');
  return out;
}

export function formatMetaReport(r: MetaReport): string {
  const s = r.settings;
  const rec = r.records;
  const lines: string[] = [];
  lines.push(`Judge against experts: ${r.judges.join(', ') || '(no records)'}`);
  lines.push(`Expert scores: ${s.humanSource === 'run' ? 'as kept in the run' : s.humanSource}`);
  lines.push(
    `Records: ${int(rec.total)} read, ${int(rec.withHuman)} with an expert score, ${int(rec.used)} pairs used ` +
      `(coverage ${formatCoverage(rec.withHuman ? rec.used / rec.withHuman : null)}); excluded: ${int(rec.excluded.unscored)} unscored, ` +
      `${int(rec.excluded.error)} errors, ${int(rec.excluded.pending)} pending; ${int(rec.withoutHuman)} without an expert score`,
  );
  lines.push(
    s.resamples > 0
      ? `Intervals: ${pct(s.ci)} percentile bootstrap, ${int(s.resamples)} resamples of ${plural(s.clusters, 'instruction')} (clusters), seed ${s.seed}`
      : 'Intervals: none (bootstrap off)',
  );
  let out = `${lines.join('\n')}\n\nPer evaluated model\n${modelTable(r, s.ci)}`;
  // The default list holds each task type twice (Russian and English names): show the Russian ones.
  const russian = s.outOfDomainTasks.filter((t) => /[А-Яа-яЁё]/.test(t));
  const held = russian.length > 0 ? russian : s.outOfDomainTasks;
  out += `\nIn-domain and out-of-domain (out-of-domain task types: ${held.join(', ')})\n`;
  out += summaryTable([r.inDomain, r.outOfDomain], s.ci, 'domain');
  if (r.unknownDomainPairs > 0) out += `  ${int(r.unknownDomainPairs)} pairs name no task type and are in neither\n`;
  out += `\nMore agreement statistics (signed err = judge − experts: + lenient, − strict)\n${moreStatistics(r)}`;
  const titles = { criterionGroup: 'criterion group', taskType: 'task type', difficulty: 'difficulty' } as const;
  for (const key of ['criterionGroup', 'taskType', 'difficulty'] as const) {
    const blocks = r.breakdowns[key];
    if (blocks) out += `\nBy ${titles[key]}\n${summaryTable(blocks, s.ci, titles[key])}`;
  }
  if (r.experts) out += ceilingText(r.experts, s.ci);
  if (r.confusion) {
    out += `\nConfusion per criterion (rows: expert score, columns: judge score)\n`;
    out += r.confusion.map(confusionText).join('\n');
  }
  return out;
}

export function formatJudgeComparison(c: JudgeComparison): string {
  const s = c.settings;
  let out = `Judges against experts: ${c.judges.length} judges on ${int(c.commonItems)} items scored by all (matched on sample, criterion, repeat)\n`;
  out +=
    s.resamples > 0
      ? `Intervals: ${pct(s.ci)} percentile bootstrap, ${int(s.resamples)} resamples of ${plural(s.clusters, 'instruction')}, seed ${s.seed}; differences are paired\n`
      : 'Intervals: none (bootstrap off)\n';
  if (c.humanMismatches > 0) out += `Warning: ${int(c.humanMismatches)} common items carry different expert scores in different runs; the first run's are used\n`;
  const rows = c.judges.map((j, i) => {
    const m = j.common.meanOverModels;
    return [
      String(i + 1),
      j.label,
      j.judgeModel,
      `${formatCoverage(j.coverage)} of ${int(j.withHuman)}`,
      withCi(m.spearman, m.spearmanCI),
      withCi(m.mae, m.maeCI),
      formatNumber(j.common.pooled.spearman, 3, j.common.pooled.undefinedReason),
      formatNumber(j.common.pooled.mae),
      formatCoverage(j.common.pooled.exactAgreement),
      formatNumber(j.common.pooled.quadraticKappa),
      signed(j.common.pooled.meanSignedError),
    ];
  });
  out += `\n${textTable(
    ['#', 'judge', 'judge model', 'own coverage', `ρ mean over models [${pct(s.ci)} CI]`, `MAE mean [${pct(s.ci)} CI]`, 'pooled ρ', 'pooled MAE', 'exact', 'QWK', 'signed err'],
    rows,
    { align: ['right', 'left', 'left'] },
  )}`;
  if (c.differences.length > 0) {
    const diff = (d: { difference: number | null; ci: Interval | null }) => {
      const excludesZero = d.ci !== null && (d.ci.lo > 0 || d.ci.hi < 0);
      return `${signed(d.difference)} ${formatInterval(d.ci)}${excludesZero ? ' *' : ''}`.trimEnd();
    };
    out += `\nPaired differences a − b of the mean over models (* the interval excludes 0)\n`;
    out += textTable(
      ['a', 'b', `Δρ [${pct(s.ci)} CI]`, `ΔMAE [${pct(s.ci)} CI]`],
      c.differences.map((d) => [d.a, d.b, diff(d.spearman), diff(d.mae)]),
      { align: ['left', 'left'] },
    );
  }
  return out;
}
