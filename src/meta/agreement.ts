/**
 * Distances and agreement rates between judge scores and expert scores, in the scale's own units.
 * Argument order is always (judge, human): a positive signed error means a lenient judge.
 */

// Expert scores are often means of several experts (1/3, 2/3 …); a tolerance keeps such values
// from missing an exact match over a last-bit rounding difference.
const EPS = 1e-9;

function check(judge: ArrayLike<number>, human: ArrayLike<number>): number {
  if (judge.length !== human.length) throw new RangeError(`paired inputs differ in length: ${judge.length} and ${human.length}`);
  return judge.length;
}

export function meanAbsoluteError(judge: ArrayLike<number>, human: ArrayLike<number>): number | null {
  const n = check(judge, human);
  if (n === 0) return null;
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.abs(judge[i]! - human[i]!);
  return s / n;
}

export function rootMeanSquaredError(judge: ArrayLike<number>, human: ArrayLike<number>): number | null {
  const n = check(judge, human);
  if (n === 0) return null;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const d = judge[i]! - human[i]!;
    s += d * d;
  }
  return Math.sqrt(s / n);
}

/** Mean of (judge − human): above zero the judge is lenient, below zero strict. */
export function meanSignedError(judge: ArrayLike<number>, human: ArrayLike<number>): number | null {
  const n = check(judge, human);
  if (n === 0) return null;
  let s = 0;
  for (let i = 0; i < n; i++) s += judge[i]! - human[i]!;
  return s / n;
}

/** Share of pairs where the judge gives exactly the experts' score. */
export function exactAgreement(judge: ArrayLike<number>, human: ArrayLike<number>): number | null {
  return withinTolerance(judge, human, 0);
}

/** Share of pairs at most `step` apart (one scale level; POLLUX levels are one point apart). */
export function withinOneLevel(judge: ArrayLike<number>, human: ArrayLike<number>, step = 1): number | null {
  return withinTolerance(judge, human, step);
}

function withinTolerance(judge: ArrayLike<number>, human: ArrayLike<number>, tol: number): number | null {
  const n = check(judge, human);
  if (n === 0) return null;
  let hits = 0;
  for (let i = 0; i < n; i++) if (Math.abs(judge[i]! - human[i]!) <= tol + EPS) hits++;
  return hits / n;
}
