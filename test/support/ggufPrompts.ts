/** Real POLLUX prompts (paper template) for the tiny GGUF model's tests and benchmark. */
import { parseScale, type Scale } from '../../src/core/scale.ts';
import { renderPromptFields } from '../../src/prompt/render.ts';

export const RUBRIC_0_2 =
  '0: Ответ не выполняет инструкцию.\n\n1: Ответ выполняет инструкцию частично.\n\n2: Ответ полностью выполняет инструкцию.';
export const RUBRIC_BINARY = '0: Формат не нарушен.\n\n1: Критическое нарушение формата.';
export const RUBRIC_1_3 = '1: Плохо.\n\n2: Средне.\n\n3: Хорошо.';

const ANSWERS = [
  'Весна пришла, ручьи звенят, и птицы песни нам дарят.',
  'Снег тает, солнце светит ярко, в саду цветёт сирень.',
  'Не знаю, что сказать о весне.',
  'Весна — это время года между зимой и летом.',
  'Апрель: капель, грачи, проталины и первая трава.',
  'Зима. Крестьянин, торжествуя, на дровнях обновляет путь.',
];

export interface JudgePrompt {
  prompt: string;
  scale: Scale;
}

export function polluxPrompt(answer: string, rubric: string = RUBRIC_0_2, criterion = 'Соответствие инструкции'): JudgePrompt {
  const prompt = renderPromptFields(
    {
      instruction: 'Напиши короткое стихотворение о весне.',
      reference_answer: null,
      answer,
      criteria_name: criterion,
      rubrics: rubric,
    },
    'paper',
  );
  return { prompt, scale: parseScale(rubric) };
}

/** `count` distinct prompts on the given rubric. */
export function polluxPrompts(count: number, rubric: string = RUBRIC_0_2): JudgePrompt[] {
  return Array.from({ length: count }, (_, i) => polluxPrompt(`${ANSWERS[i % ANSWERS.length]} (${i + 1})`, rubric));
}
