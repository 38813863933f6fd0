/**
 * The meta-evaluation of one judge: how well its scores agree with the experts', per evaluated model
 * and averaged over models (the POLLUX paper's figure), pooled, in- and out-of-domain, and broken down
 * by criterion group, task type and difficulty, with coverage and bootstrap intervals throughout.
 */
import type { JudgmentRecord } from '../core/types.ts';
import { AgreementBuilder } from './agreementBuilder.ts';
import { confusionMatrix } from './confusion.ts';
import { ExpertItemCollector, expertCeiling } from './experts.ts';
import { humanItemFor, type HumanScores } from './humanScores.ts';
import { PairTableBuilder, ROW_ERROR, ROW_PENDING, ROW_USED, allRows, splitRows, type PairTable } from './pairTable.ts';
import { BREAKDOWN_DIMENSIONS, type BreakdownDimension, type CriterionConfusion, type MetaReport } from './reportTypes.ts';
import { bootstrapSettings, outOfDomainSet, type BootstrapOptionsInput } from './settings.ts';

export interface MetaOptions extends BootstrapOptionsInput {
  /** Task types counted as out-of-domain (default: the POLLUX held-out list, docs/pollux-facts.md §6). */
  outOfDomain?: readonly string[];
  /** Breakdowns to compute (default: all of group, task, difficulty). */
  breakdowns?: readonly BreakdownDimension[];
  /** Add a judge × expert confusion matrix per criterion. */
  confusion?: boolean;
  /** Expert scores replacing the run's; with individual experts, the ceiling is computed too. */
  human?: HumanScores;
}

const DIMENSION_FIELD = { group: 'criterionGroup', task: 'taskType', difficulty: 'difficulty' } as const;

/** Reads the records once (any iterable: an array, or a run store's iterator) and builds the report. */
export function buildMetaReport(records: Iterable<JudgmentRecord>, options: MetaOptions = {}): MetaReport {
  const settings = bootstrapSettings(options);
  const ood = outOfDomainSet(options.outOfDomain);
  const rows = new PairTableBuilder(ood);
  const judges = new Set<string>();
  const collector = options.human ? new ExpertItemCollector(options.human) : null;
  let total = 0;
  for (const r of records) {
    total++;
    judges.add(r.judgeModel);
    let human = r.humanScore;
    if (options.human) {
      human = humanItemFor(options.human, r)?.score ?? null;
      collector!.see(r);
    }
    if (human === null || !Number.isFinite(human)) continue;
    rows.add(r, human, r.judgeModel);
  }
  const table = rows.build();
  const builder = new AgreementBuilder(table, settings);
  const all = allRows(table);
  const overall = builder.breakdown('all', all);
  const inDomain = builder.breakdown('in-domain', all.filter((i) => table.domain[i] === 'in'));
  const outDomain = builder.breakdown('out-of-domain', all.filter((i) => table.domain[i] === 'out'));
  const breakdowns: MetaReport['breakdowns'] = {};
  for (const d of options.breakdowns ?? BREAKDOWN_DIMENSIONS) {
    const field = DIMENSION_FIELD[d];
    breakdowns[field] = splitRows(all, table[field]).map(([label, r]) => builder.breakdown(label, r));
  }
  builder.finish();

  const counts = { used: 0, unscored: 0, error: 0, pending: 0 };
  for (let i = 0; i < table.size; i++) {
    const s = table.status[i];
    if (s === ROW_USED) counts.used++;
    else if (s === ROW_ERROR) counts.error++;
    else if (s === ROW_PENDING) counts.pending++;
    else counts.unscored++;
  }
  const report: MetaReport = {
    ...overall,
    judges: [...judges].sort(),
    records: {
      total,
      withHuman: table.size,
      withoutHuman: total - table.size,
      used: counts.used,
      excluded: { unscored: counts.unscored, error: counts.error, pending: counts.pending },
    },
    settings: {
      ...settings,
      cluster: 'instruction',
      clusters: table.clusterCount,
      outOfDomainTasks: [...ood],
      humanSource: options.human ? options.human.source : 'run',
    },
    inDomain,
    outOfDomain: outDomain,
    unknownDomainPairs: all.filter((i) => table.domain[i] === 'unknown' && table.status[i] === ROW_USED).length,
    breakdowns,
  };
  if (options.confusion) report.confusion = confusionByCriterion(table);
  if (collector) {
    const ceiling = expertCeiling(collector, settings, ood);
    if (ceiling) report.experts = ceiling;
  }
  return report;
}

function confusionByCriterion(table: PairTable): CriterionConfusion[] {
  const used = allRows(table).filter((i) => table.status[i] === ROW_USED);
  return splitRows(used, table.criterionKey).map(([key, rows]) => {
    const judge = Float64Array.from(rows, (i) => table.judge[i]!);
    const human = Float64Array.from(rows, (i) => table.human[i]!);
    return { criterionKey: key, criterionName: table.criterionName[rows[0]!]!, n: rows.length, ...confusionMatrix(judge, human) };
  });
}
