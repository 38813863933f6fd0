import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { TemplateName } from '../core/types.ts';

/**
 * The two POLLUX templates, read from byte copies of the upstream files in data/templates so that
 * what the judges were trained on is the single source of truth (docs/pollux-facts.md §2).
 */
const TEMPLATE_DIR = new URL('../../data/templates/', import.meta.url);

export const TEMPLATE_NAMES: readonly TemplateName[] = ['paper', 'v2'];

/** The placeholder each POLLUX section fills, in prompt order. */
export const SECTION_FIELDS = ['instruction', 'reference_answer', 'answer', 'criteria_name', 'rubrics'] as const;
export type SectionField = (typeof SECTION_FIELDS)[number];

export interface PaperSection {
  field: SectionField;
  /** The YAML block text, e.g. "### Задание для оценки:\n{instruction}\n". */
  block: string;
}

let paperCache: PaperSection[] | null = null;
let v2Cache: string | null = null;

export function paperSections(): PaperSection[] {
  if (paperCache) return paperCache;
  const doc = parseYaml(readFileSync(new URL('paper.yaml', TEMPLATE_DIR), 'utf8')) as Record<string, string>;
  const sections: PaperSection[] = [];
  for (const block of Object.values(doc)) {
    const field = SECTION_FIELDS.find((f) => block.includes(`{${f}}`));
    if (!field) throw new Error(`data/templates/paper.yaml: a block without a known placeholder: ${JSON.stringify(block)}`);
    sections.push({ field, block });
  }
  paperCache = sections;
  return sections;
}

export function v2Template(): string {
  v2Cache ??= readFileSync(new URL('v2.txt', TEMPLATE_DIR), 'utf8');
  return v2Cache;
}
