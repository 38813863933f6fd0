/**
 * The task types held out of the POLLUX judges' training data (docs/pollux-facts.md §6): agreement on them is the
 * out-of-domain figure. Both the Russian names (the dataset's `task_type` values) and the English
 * names of the taxonomy are listed, so either spelling of a run's task type is recognised.
 */
export const POLLUX_OUT_OF_DOMAIN_TASKS: readonly string[] = [
  'ИИ как персонаж (бытовая ситуация)',
  'ИИ как персонаж (экспертная ситуация)',
  'Прикладной брейншторминг',
  'Дать рекомендации',
  'Написать художественный текст',
  'Стайл-трансфер',
  'Придумать вопрос к тексту',
  'Изменить код',
  'Informal setting',
  'Formal setting',
  'Applied brainstorming',
  'Recommendations',
  'Literary text',
  'Style transfer',
  'Text-dependent questions',
  'Code modification',
];

export type DomainSide = 'in' | 'out' | 'unknown';

/** In-domain, out-of-domain, or unknown when the record names no task type. */
export function domainSide(taskType: string | null, outOfDomain: ReadonlySet<string>): DomainSide {
  if (taskType === null || taskType.trim() === '') return 'unknown';
  return outOfDomain.has(taskType.trim()) ? 'out' : 'in';
}
