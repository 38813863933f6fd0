import { levelsOf } from './levels.ts';

/** Counts of (expert score, judge score) pairs: rows are expert values, columns judge values. */
export interface ConfusionMatrix {
  humanLevels: number[];
  judgeLevels: number[];
  /** counts[row][column]: pairs with expert score humanLevels[row] and judge score judgeLevels[column]. */
  counts: number[][];
}

export function confusionMatrix(judge: ArrayLike<number>, human: ArrayLike<number>): ConfusionMatrix {
  if (judge.length !== human.length) throw new RangeError(`paired inputs differ in length: ${judge.length} and ${human.length}`);
  const lj = levelsOf(judge);
  const lh = levelsOf(human);
  const counts = Array.from({ length: lh.values.length }, () => new Array<number>(lj.values.length).fill(0));
  for (let i = 0; i < judge.length; i++) counts[lh.index[i]!]![lj.index[i]!]!++;
  return { humanLevels: [...lh.values], judgeLevels: [...lj.values], counts };
}
