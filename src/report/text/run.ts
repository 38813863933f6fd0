/** The summary `pollux run` ends with, as terminal text. */
import type { RunSummary } from '../../engine/run.ts';
import { formatDuration } from './duration.ts';
import { renderTable } from './table.ts';

const REASONS_SHOWN = 10;

/** The summary's lines; `problems` (the dataset's, already worded) come after any moved-aside note. */
export function formatRunSummary(s: RunSummary, problems: readonly string[]): string[] {
  const c = s.counts;
  const lines: string[] = [];
  if (s.movedAside) lines.push(`previous run moved aside to ${s.movedAside}; ${s.carriedOver} judgment(s) of unchanged requests carried over`);
  lines.push(...problems);
  lines.push(`run file: ${s.file}`);
  const shared = c.requests !== c.total ? ` (${c.requests} requests; identical prompts are judged once)` : '';
  lines.push(`judgments: ${c.total}${shared}  scored ${c.scored}  unscored ${c.unscored}  errors ${c.error}  pending ${c.pending}`);
  const reasons = Object.entries(c.byReason).sort((a, b) => b[1] - a[1]);
  lines.push(...renderTable({ rows: reasons.slice(0, REASONS_SHOWN).map(([reason, n]) => [String(n), reason]), align: ['right', 'left'], indent: '  ' }));
  if (reasons.length > REASONS_SHOWN) lines.push(`  … ${reasons.length - REASONS_SHOWN} more reasons (pollux export --status unscored,error)`);
  const lat = (v: number | null) => (v === null ? '—' : `${Math.round(v)} ms`);
  lines.push(`judged now: ${s.judgedNow} in ${formatDuration(s.wallMs)} (${s.judgmentsPerSecond.toFixed(1)} judgments/s); retries: ${s.retries}`);
  lines.push(`latency p50 ${lat(s.stats.latencyP50)}, p95 ${lat(s.stats.latencyP95)}; tokens: prompt ${s.stats.promptTokens}, completion ${s.stats.completionTokens}`);
  if (s.prefixShare !== null) lines.push(`prompt characters shared with the previous request to the same endpoint: ${(s.prefixShare * 100).toFixed(1)}%`);
  lines.push(`concurrency: final ${s.concurrency.final}${s.concurrency.decreases ? `, lowered ${s.concurrency.decreases} time(s) on overload` : ''}`);
  if (s.endpoints.length > 1) {
    for (const e of s.endpoints) lines.push(`  endpoint ${e.name}: sent ${e.sent}, failed ${e.failed}${e.benched ? ' (benched at the end)' : ''}`);
  }
  if (s.stopped) lines.push(`stopped early: ${c.pending} request(s) still pending; run the same command again to resume`);
  else if (c.pending > 0) lines.push(`${c.pending} request(s) still pending; run the same command again to resume`);
  if (c.scored > 0) lines.push(`next: pollux score ${quoteArg(s.file)}`);
  return lines;
}

/** A path as a shell would need it typed. */
function quoteArg(path: string): string {
  return /^[\w./:@%+=,-]+$/.test(path) ? path : `'${path.replace(/'/g, "'\\''")}'`;
}
