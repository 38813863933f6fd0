import type { JudgmentRecord } from '../core/types.ts';

// Upstream's scorer: the first `[RESULT] x [END]` whose x is a number (a sign, a decimal point or
// comma, a bare fraction), case-insensitive, anywhere in the reply.
const UPSTREAM_RESULT = /\[RESULT\]\s*([+-]?(?:\d+(?:[.,]\d+)?|[.,]\d+))\s*\[END\]/i;

/** The score upstream's scorer reads from a reply, or null when it reads none. */
export function upstreamScore(raw: string): number | null {
  const m = UPSTREAM_RESULT.exec(raw);
  if (!m || m[1] === undefined) return null;
  const n = Number(m[1].replace(',', '.'));
  return Number.isFinite(n) ? n : null;
}

/**
 * A record as upstream would count it: its stored reply read again with upstream's rule, a score
 * outside the rubric's scale dropped (unscored). Records without a reply keep their status.
 */
export function withUpstreamVerdict(r: JudgmentRecord): JudgmentRecord {
  if (r.raw === null || (r.status !== 'scored' && r.status !== 'unscored')) return r;
  const score = upstreamScore(r.raw);
  if (score === null) return { ...r, status: 'unscored', score: null, reason: r.status === 'unscored' ? r.reason : 'no_result_block' };
  if (score < r.scaleMin || score > r.scaleMax) return { ...r, status: 'unscored', score: null, reason: 'out_of_scale' };
  return { ...r, status: 'scored', score, reason: null };
}
