/**
 * Every agreement statistic of one set of (judge, expert) pairs, as point estimates. Values are
 * null where undefined; `undefinedReason` says why the correlations are undefined.
 */
import { exactAgreement, meanAbsoluteError, meanSignedError, rootMeanSquaredError, withinOneLevel } from './agreement.ts';
import { kendallTauB, pearson, spearman } from './correlation.ts';
import { quadraticWeightedKappa } from './kappa.ts';
import { krippendorffAlphaInterval, krippendorffAlphaOrdinal } from './krippendorff.ts';

export interface PointMetrics {
  n: number;
  spearman: number | null;
  pearson: number | null;
  kendallTauB: number | null;
  mae: number | null;
  rmse: number | null;
  /** Mean of (judge − expert): positive = lenient judge, negative = strict. */
  meanSignedError: number | null;
  exactAgreement: number | null;
  withinOneLevel: number | null;
  quadraticKappa: number | null;
  alphaInterval: number | null;
  alphaOrdinal: number | null;
  /** Why the correlations are undefined, or null when they are defined. */
  undefinedReason: string | null;
}

export function isConstant(x: ArrayLike<number>): boolean {
  for (let i = 1; i < x.length; i++) if (x[i] !== x[0]) return false;
  return true;
}

/** Why a correlation of these pairs is undefined, in words; null when it is defined. */
export function undefinedReason(judge: ArrayLike<number>, human: ArrayLike<number>): string | null {
  if (judge.length === 0) return 'no pairs';
  if (judge.length === 1) return 'a single pair';
  const cj = isConstant(judge);
  const ch = isConstant(human);
  if (cj && ch) return 'constant input: judge and experts each give one value';
  if (cj) return 'constant input: the judge gives one value';
  if (ch) return 'constant input: the experts give one value';
  return null;
}

export function pointMetrics(judge: ArrayLike<number>, human: ArrayLike<number>): PointMetrics {
  return {
    n: judge.length,
    spearman: spearman(judge, human),
    pearson: pearson(judge, human),
    kendallTauB: kendallTauB(judge, human),
    mae: meanAbsoluteError(judge, human),
    rmse: rootMeanSquaredError(judge, human),
    meanSignedError: meanSignedError(judge, human),
    exactAgreement: exactAgreement(judge, human),
    withinOneLevel: withinOneLevel(judge, human),
    quadraticKappa: quadraticWeightedKappa(judge, human),
    alphaInterval: krippendorffAlphaInterval(judge, human),
    alphaOrdinal: krippendorffAlphaOrdinal(judge, human),
    undefinedReason: undefinedReason(judge, human),
  };
}
