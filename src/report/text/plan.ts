/** The plan of a dataset (`pollux plan`) as terminal text. */
import type { CountEntry, DatasetPlan } from '../../data/plan.ts';
import { formatProblem } from '../../data/problems.ts';
import { renderTable } from './table.ts';

const SHAPE_NAMES = { pollux: 'POLLUX rows', instructions: 'POLLUX-instructions rows + answers', generic: 'generic rows' } as const;
const LIST_LIMIT = 15;

function n(value: number): string {
  return value.toLocaleString('en-US');
}

function countLines(title: string, entries: CountEntry[], unnamed: string): string[] {
  const shown = entries.slice(0, LIST_LIMIT);
  const lines = [`${title} (${entries.length})`];
  lines.push(
    ...renderTable({
      rows: shown.map((e) => [e.value ?? unnamed, `${n(e.samples)} samples`, `${n(e.requests)} requests`]),
      indent: '  ',
      maxWidth: [40],
    }),
  );
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
