import { isUtf8 } from 'node:buffer';
import { notUtf8Message } from '../data/encoding.ts';
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { InputError, UsageError, errorMessage } from '../core/errors.ts';
import { stableHash } from '../core/hash.ts';
import { parseScale, rubricText, type RubricInput } from '../core/scale.ts';
import type { Criterion, CriteriaCatalog, Sample } from '../core/types.ts';

/** Options shared by `pollux prompt` and `pollux judge` to describe one item. */
export function addItemOptions(cmd: Command): Command {
  return cmd
    .option('--instruction <text>', 'the instruction given to the evaluated model (TEXT or @path)')
    .option('--answer <text>', 'the answer to judge (TEXT or @path)')
    .option('--reference <text>', 'the reference answer (TEXT or @path); omit for none, "" for an empty one')
    .option('--criterion-name <text>', 'the criterion name shown to the judge (TEXT or @path)')
    .option('--rubric <text>', 'the rubric, levels as "0: …\\n\\n1: …" (TEXT or @path, a .json file may hold a score → text object)')
    .option('--criterion <key>', 'a criterion of the catalog (POLLUX taxonomy or --criteria files): name and rubric from there')
    .option('--input <item.json>', 'a JSON object with instruction, reference_answer, answer, criteria_name, rubrics')
    .option('--template <name>', 'prompt variant: paper (default) or v2', 'paper');
}

export interface ItemOptions {
  instruction?: string;
  answer?: string;
  reference?: string;
  criterionName?: string;
  rubric?: string;
  criterion?: string;
  input?: string;
  template: string;
}

/** `@path` reads a file as UTF-8, exactly; `@@text` is the literal text `@text`. */
export function resolveTextArg(value: string, flag: string): string {
  if (value.startsWith('@@')) return value.slice(1);
  if (!value.startsWith('@')) return value;
  const path = value.slice(1);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new InputError(`cannot read ${flag} file: ${errorMessage(err)}`, { file: path });
  }
  // Invalid bytes would silently become U+FFFD in the prompt: the judge must see what the file says.
  if (!isUtf8(bytes)) throw new InputError(notUtf8Message(`the ${flag} file`, bytes), { file: path });
  return bytes.toString('utf8');
}

function readItemFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new InputError(`cannot read the item file: ${errorMessage(err)}`, { file: path });
  }
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new InputError(`not valid JSON: ${errorMessage(err)}`, { file: path });
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new InputError('expected one JSON object with instruction, answer, criteria_name, rubrics', { file: path });
  }
  return value as Record<string, unknown>;
}

function stringField(item: Record<string, unknown>, field: string, file: string, nullable = false): string | null | undefined {
  const v = item[field];
  if (v === undefined) return undefined;
  if (v === null && nullable) return null;
  if (typeof v !== 'string') throw new InputError(`expected a string${nullable ? ' or null' : ''}, got ${v === null ? 'null' : typeof v}`, { file, field });
  return v;
}

function rubricFromFlag(value: string): RubricInput {
  const text = resolveTextArg(value, '--rubric');
  if (value.startsWith('@') && !value.startsWith('@@') && value.toLowerCase().endsWith('.json')) {
    const path = value.slice(1);
    try {
      const parsed = JSON.parse(text) as unknown;
      if (typeof parsed === 'string') return parsed;
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, string>;
    } catch (err) {
      throw new InputError(`not valid JSON: ${errorMessage(err)}`, { file: path, field: '--rubric' });
    }
    throw new InputError('expected a rubric string or a score → text object', { file: path, field: '--rubric' });
  }
  return text;
}

/** An ad-hoc criterion from a name and a rubric given on the command line or in an item file. */
export function adHocCriterion(name: string, rubric: RubricInput, where: { file?: string; field: string }): Criterion {
  const text = rubricText(rubric);
  return {
    key: `custom:${stableHash({ name, rubric: text }, 12)}`,
    name: { ru: name },
    group: null,
    rubric: text,
    scale: parseScale(rubric, where),
    gate: false,
  };
}

export interface ResolvedItem {
  sample: Sample;
  criterion: Criterion;
}

/**
 * The item from --input and/or the flags (flags win). `--criterion KEY` takes name and rubric from
 * the catalog; `--criterion-name`/`--rubric` still override them.
 */
export function resolveItem(opts: ItemOptions, catalog?: () => CriteriaCatalog): ResolvedItem {
  const file = opts.input;
  const item = file ? readItemFile(file) : {};
  const where = file ?? 'the command line';
  const instruction = opts.instruction !== undefined ? resolveTextArg(opts.instruction, '--instruction') : stringField(item, 'instruction', where);
  const answer = opts.answer !== undefined ? resolveTextArg(opts.answer, '--answer') : stringField(item, 'answer', where);
  const reference = opts.reference !== undefined ? resolveTextArg(opts.reference, '--reference') : stringField(item, 'reference_answer', where, true);
  let criterion: Criterion | null = null;
  if (opts.criterion !== undefined) {
    if (!catalog) throw new UsageError('--criterion is not available here');
    const found = catalog().byKey(opts.criterion);
    if (!found) throw new UsageError(`--criterion: unknown criterion key "${opts.criterion}" (see \`pollux criteria --search\`)`);
    criterion = found;
  }
  // Flags override the file: with --criterion KEY, the file's criterion name and rubric give way.
  let name = opts.criterionName !== undefined ? resolveTextArg(opts.criterionName, '--criterion-name') : criterion ? undefined : stringField(item, 'criteria_name', where);
  let rubric: RubricInput | undefined;
  if (opts.rubric !== undefined) rubric = rubricFromFlag(opts.rubric);
  else if (item.rubrics !== undefined && !criterion) {
    const r = item.rubrics;
    if (typeof r === 'string' || (r && typeof r === 'object' && !Array.isArray(r))) rubric = r as RubricInput;
    else throw new InputError('expected a rubric string or a score → text object', { file: where, field: 'rubrics' });
  }
  const missing: string[] = [];
  if (instruction === undefined || instruction === null) missing.push('--instruction (or "instruction" in --input)');
  if (answer === undefined || answer === null) missing.push('--answer (or "answer" in --input)');
  if (!criterion) {
    if (name === undefined || name === null) missing.push('--criterion-name or --criterion KEY (or "criteria_name" in --input)');
    if (rubric === undefined) missing.push('--rubric or --criterion KEY (or "rubrics" in --input)');
  }
  if (missing.length) throw new UsageError(`missing ${missing.join(', ')}`);
  if (criterion) {
    name ??= criterion.name.ru;
    if (name !== criterion.name.ru || rubric !== undefined) {
      criterion = rubric !== undefined ? adHocCriterion(name, rubric, { file: where, field: 'rubric' }) : { ...criterion, name: { ...criterion.name, ru: name } };
    }
  } else {
    criterion = adHocCriterion(name as string, rubric as RubricInput, { file: where, field: opts.rubric !== undefined ? '--rubric' : 'rubrics' });
  }
  const sample: Sample = {
    id: stableHash({ instruction, reference, answer }),
    instruction: instruction as string,
    referenceAnswer: reference ?? null,
    answer: answer as string,
    modelId: typeof item.model_id === 'string' ? item.model_id : null,
    taskType: typeof item.task_type === 'string' ? item.task_type : null,
    taskSubtype: null,
    taskSubsubtype: null,
    difficulty: null,
    domain: null,
  };
  return { sample, criterion };
}
