import type { Command } from 'commander';
import type { DatasetPlan } from '../../data/plan.ts';
import { RejectsWriter, allRowsRejectedError } from '../../data/problems.ts';
import { estimateTokenCounter, loadQwenTokenCounter } from '../../data/tokens.ts';
import { parseTemplateName } from '../../prompt/render.ts';
import { openRun, type PlanSpec } from '../../run/openRun.ts';
import { formatPlan } from '../../report/text/plan.ts';
import { addDatasetOptions, datasetSpecFrom, type DatasetFlags } from '../datasetOptions.ts';
import { localDataset } from '../datasetArg.ts';
import { parseNumberFlag } from '../judgeOptions.ts';
import type { Cli } from '../io.ts';

interface PlanFlags extends DatasetFlags {
  template: string;
  maxTokens: string;
  context: string;
  rejects?: string;
  estimateTokens?: boolean;
  json?: boolean;
}

export function register(cmd: Command, cli: Cli): void {
  cmd.argument('<dataset>', 'dataset file: JSONL, JSON, CSV or Parquet');
  addDatasetOptions(cmd);
  cmd
    .option('--template <name>', 'prompt variant: paper or v2', 'paper')
    .option('--max-tokens <n>', 'the judge\'s completion budget', '1024')
    .option('--context <n>', 'the judge\'s context length: report requests whose prompt plus --max-tokens would not fit', '32768')
    .option('--rejects <file>', 'also write every problem to this JSONL file')
    .option('--estimate-tokens', 'estimate prompt tokens from characters even when a Qwen tokenizer is installed')
    .option('--json', 'print the plan as one JSON document')
    .action(cli.action((dataset: string, flags: PlanFlags) => planCommand(cli, dataset, flags)));
}

async function planCommand(cli: Cli, dataset: string, flags: PlanFlags): Promise<number> {
  const template = parseTemplateName(flags.template);
  const maxTokens = parseNumberFlag(flags.maxTokens, '--max-tokens', { min: 1, integer: true }) ?? 1024;
  const context = parseNumberFlag(flags.context, '--context', { min: 1, integer: true }) ?? 32768;
  const spec: PlanSpec = { ...datasetSpecFrom(await localDataset(cli, dataset), flags), template };
  if (flags.rejects) spec.alsoWrites = [{ path: flags.rejects, role: '--rejects' }];
  const run = await openRun(spec);
  const tokenCounter = (flags.estimateTokens ? null : await loadQwenTokenCounter()) ?? estimateTokenCounter();
  const rejects = flags.rejects ? new RejectsWriter(flags.rejects) : null;
  let plan: DatasetPlan;
  try {
    plan = await run.plan({ maxTokens, context, tokenCounter, ...(rejects ? { onProblem: (p) => rejects.write(p) } : {}) });
  } finally {
    rejects?.close();
    await run.close();
  }
  const rejectsFile = rejects && rejects.count > 0 ? rejects.path : null;
  if (flags.json) cli.json({ dataset, ...plan, rejectsFile });
  else cli.line(formatPlan(dataset, plan, rejectsFile).join('\n'));
  const nothing = allRowsRejectedError(dataset, plan);
  if (nothing) throw nothing;
  return 0;
}
