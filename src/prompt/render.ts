import { UsageError } from '../core/errors.ts';
import type { JudgeRequest, TemplateName } from '../core/types.ts';
import { SECTION_FIELDS, TEMPLATE_NAMES, paperSections, v2Template, type SectionField } from './templates.ts';

/** The five values a POLLUX prompt is made of. `reference_answer: null` means "no reference". */
export interface PromptFields {
  instruction: string;
  reference_answer: string | null;
  answer: string;
  criteria_name: string;
  rubrics: string;
}

const PLACEHOLDER = new RegExp(`\\{(${SECTION_FIELDS.join('|')})\\}`, 'g');

/**
 * Fills placeholders in ONE pass with a replacer function, so a value holding `{answer}`, `$&` or
 * `%s` is inserted literally and never re-expanded.
 */
function fill(text: string, fields: PromptFields): string {
  return text.replace(PLACEHOLDER, (_m, name: SectionField) => fields[name] ?? '');
}

/**
 * paper: each section is `header\nvalue\n`, sections joined by a blank line pair ("\n\n"); a null
 * value drops its section (header included); an empty string keeps the header over an empty line.
 */
function renderPaper(fields: PromptFields): string {
  const parts: string[] = [];
  for (const { field, block } of paperSections()) {
    if (fields[field] === null) continue;
    parts.push(fill(block, fields));
  }
  return parts.join('\n\n');
}

/** v2: the file's text filled in; the reference section always present (empty when there is none). */
function renderV2(fields: PromptFields): string {
  return fill(v2Template(), fields);
}

export function renderPromptFields(fields: PromptFields, template: TemplateName = 'paper'): string {
  switch (template) {
    case 'paper':
      return renderPaper(fields);
    case 'v2':
      return renderV2(fields);
    default:
      throw new UsageError(`unknown template "${String(template)}": expected one of ${TEMPLATE_NAMES.join(', ')}`);
  }
}

export function promptFieldsOf(request: Pick<JudgeRequest, 'sample' | 'criterion'>): PromptFields {
  return {
    instruction: request.sample.instruction,
    reference_answer: request.sample.referenceAnswer,
    answer: request.sample.answer,
    criteria_name: request.criterion.name.ru,
    rubrics: request.criterion.rubric,
  };
}

/** The exact user message for a request: what the judge sees, byte for byte. */
export function renderPrompt(request: Pick<JudgeRequest, 'sample' | 'criterion' | 'template'>): string {
  return renderPromptFields(promptFieldsOf(request), request.template);
}

export function parseTemplateName(value: string): TemplateName {
  if ((TEMPLATE_NAMES as readonly string[]).includes(value)) return value as TemplateName;
  throw new UsageError(`--template: unknown template "${value}": expected ${TEMPLATE_NAMES.join(' or ')}`);
}
