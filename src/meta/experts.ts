/**
 * Experts against experts, the ceiling a judge can be held to. For every (sample, criterion) with
 * two or more experts, each expert is compared with the mean of the others (leave-one-out), which
 * gives pairs of the same shape as (judge, expert mean): Spearman and MAE per evaluated model, their
 * mean over models, pooled, in-domain and out-of-domain, with the same clustered bootstrap.
 * Items take their model, instruction and task from the run's records.
 */
import type { JudgmentRecord } from '../core/types.ts';
import { AgreementBuilder } from './agreementBuilder.ts';
import { humanItemFor, type HumanItem, type HumanScores } from './humanScores.ts';
import { PairTableBuilder, allRows, type PairSource } from './pairTable.ts';
import type { BootstrapSettings, ExpertCeiling } from './reportTypes.ts';

/** Collects, while records stream by, the run's attributes of each multi-expert item. */
export class ExpertItemCollector {
  private readonly found = new Map<HumanItem, PairSource>();

  constructor(private readonly human: HumanScores) {}

  see(r: JudgmentRecord): void {
    const item = humanItemFor(this.human, r);
    if (!item || item.experts.size < 2 || this.found.has(item)) return;
    this.found.set(item, {
      instructionId: r.instructionId,
      modelId: r.modelId,
      criterionGroup: r.criterionGroup,
      taskType: r.taskType,
      difficulty: r.difficulty,
      criterionKey: r.criterionKey,
      criterionName: r.criterionName,
      status: 'scored',
      score: null,
    });
  }

  get items(): ReadonlyMap<HumanItem, PairSource> {
    return this.found;
  }
}

export function expertCeiling(collector: ExpertItemCollector, settings: BootstrapSettings, outOfDomain: ReadonlySet<string>): ExpertCeiling | null {
  if (collector.items.size === 0) return null;
  const rows = new PairTableBuilder(outOfDomain);
  const experts = new Set<string>();
  for (const [item, source] of collector.items) {
    let total = 0;
    for (const s of item.experts.values()) total += s;
    const k = item.experts.size;
    for (const [id, s] of item.experts) {
      rows.add(source, (total - s) / (k - 1), id, s);
      experts.add(id);
    }
  }
  const table = rows.build();
  const builder = new AgreementBuilder(table, settings);
  const all = allRows(table);
  const overall = builder.breakdown('experts', all);
  const inDomain = builder.breakdown('in-domain', all.filter((i) => table.domain[i] === 'in'));
  const outDomain = builder.breakdown('out-of-domain', all.filter((i) => table.domain[i] === 'out'));
  builder.finish();
  return { method: 'leave-one-out', items: collector.items.size, experts: experts.size, ...overall, inDomain, outOfDomain: outDomain };
}
