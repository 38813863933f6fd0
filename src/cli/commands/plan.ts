import type { Command } from 'commander';
import type { CountEntry, DatasetPlan } from '../../data/plan.ts';
import { RejectsWriter, allRowsRejectedError, formatProblem } from '../../data/problems.ts';
import { estimateTokenCounter, loadQwenTokenCounter } from '../../data/tokens.ts';
import { parseTemplateName } from '../../prompt/render.ts';
import { openRun, type PlanSpec } from '../../run/openRun.ts';
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

const SHAPE_NAMES = { pollux: 'POLLUX rows', instructions: 'POLLUX-instructions rows + answers', generic: 'generic rows' } as const;
const LIST_LIMIT = 15;

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

function n(value: number): string {
  return value.toLocaleString('en-US');
}

function countLines(title: string, entries: CountEntry[], unnamed: string): string[] {
  const lines = [`${title} (${entries.length})`];
  const width = Math.min(40, Math.max(...entries.slice(0, LIST_LIMIT).map((e) => (e.value ?? unnamed).length), 0));
  for (const e of entries.slice(0, LIST_LIMIT)) {
    lines.push(`  ${(e.value ?? unnamed).padEnd(width)}  ${n(e.samples).padStart(9)} samples  ${n(e.requests).padStart(10)} requests`);
  }
  if (entries.length > LIST_LIMIT) lines.push(`  … and ${entries.length - LIST_LIMIT} more`);
  return lines;
}

export function formatPlan(dataset: string, plan: DatasetPlan, rejectsFile: string | null): string[] {
  const lines: string[] = [];
  const shape = plan.shape ? SHAPE_NAMES[plan.shape] : 'no rows';
  lines.push(`Dataset   ${dataset} (${plan.files.map((f) => f.format).join(' + ')}, ${shape})`);
  for (const f of plan.files.length > 1 ? plan.files : []) lines.push(`  ${f.role}: ${f.file}: ${n(f.rows)} rows, ${n(f.rejected)} rejected`);
  lines.push(`Rows      ${n(plan.rows)} read, ${n(plan.rejected)} rejected (${n(plan.problemCount)} problems)`);
  for (const p of plan.firstProblems) lines.push(`  ${formatProblem(p)}`);
  if (plan.problemCount > plan.firstProblems.length) lines.push(`  … and ${n(plan.problemCount - plan.firstProblems.length)} more`);
  if (rejectsFile) lines.push(`  all problems: ${rejectsFile}`);
  if (plan.instructionsWithoutAnswers > 0) {
    lines.push(`  ${n(plan.instructionsWithoutAnswers)} instructions have no answer (prompt_id ${plan.instructionsWithoutAnswersFirst.join(', ')}${plan.instructionsWithoutAnswers > plan.instructionsWithoutAnswersFirst.length ? ', …' : ''})`);
  }
  lines.push(`Samples   ${n(plan.samples)}`);
  lines.push(`Requests  ${n(plan.requests)} (sample × criterion)${plan.humanScores > 0 ? `, ${n(plan.humanScores)} with an expert score` : ''}`);
  if (plan.criteriaPerSample) {
    const c = plan.criteriaPerSample;
    lines.push(`Criteria  per sample min ${c.min}, mean ${c.mean.toFixed(1)}, max ${c.max}; ${n(plan.distinctCriteria)} distinct (${n(plan.customCriteria)} not in the catalog)`);
  }
  if (plan.regroupedSamples > 0) {
    lines.push(`  note: the rows of ${n(plan.regroupedSamples)} answers are not consecutive; sorting the file by answer lets the judge server reuse more of its prompt cache`);
  }
  lines.push(...countLines('Evaluated models', plan.evaluatedModels, '(no model_id)'));
  lines.push(...countLines('Task types', plan.taskTypes, '(no task_type)'));
  const tp = plan.taskPaths;
  if (tp.partialRows > 0) {
    lines.push(`Task paths  ${n(tp.partialRows)} rows matched the taxonomy only in part (${n(tp.distinct)} distinct paths); their criteria are resolved in the deepest task known`);
    for (const p of tp.first) {
      const known = p.matched === 0 ? 'unknown task type' : `known: ${p.path.slice(0, p.matched).join(' > ')}`;
      lines.push(`  ${p.path.join(' > ')}  (${known}; ${n(p.rows)} rows)`);
    }
    if (tp.distinct > tp.first.length) lines.push(`  … and ${n(tp.distinct - tp.first.length)} more`);
  }
  const t = plan.promptTokens;
  const how = `${t.description}${t.promptText === 'approximate' ? ', approximate prompt text' : ''}, template ${t.template}, +${t.chatTemplateAllowance} for the chat template`;
  lines.push(`Prompt tokens (${how})`);
  lines.push(`  total ${n(t.total)}, mean ${n(Math.round(t.mean))}, max ${n(t.max)}`);
  if (plan.context) {
    const c = plan.context;
    lines.push(`Context   ${n(c.length)} tokens with --max-tokens ${n(c.maxTokens)}: ${c.overLimit === 0 ? 'every request fits' : `${n(c.overLimit)} requests would not fit`}`);
    for (const r of c.firstOverLimit) {
      const where = r.source ? ` (${r.source.file}${r.source.line !== undefined ? `:${r.source.line}` : r.source.row !== undefined ? ` row ${r.source.row}` : ''})` : '';
      lines.push(`  sample ${r.sampleId}, ${r.criterionKey}: ${n(r.promptTokens)} prompt tokens${where}`);
    }
    if (c.overLimit > c.firstOverLimit.length) lines.push(`  … and ${n(c.overLimit - c.firstOverLimit.length)} more`);
  }
  return lines;
}
