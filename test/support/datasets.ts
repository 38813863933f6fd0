import { writeFileSync } from 'node:fs';

const RUBRIC3 = '0: Ответ неверный.\n\n1: Ответ частично верный.\n\n2: Ответ полностью верный.';
const RUBRIC2 = '0: Нет.\n\n1: Да.';

/** A generic-shape JSONL dataset: `samples` answers, each judged on `criteriaPerSample` inline criteria. */
export function writeGenericDataset(file: string, samples: number, criteriaPerSample = 3, models = ['model-a', 'model-b']): number {
  const lines: string[] = [];
  for (let i = 0; i < samples; i++) {
    const criteria = Array.from({ length: criteriaPerSample }, (_, c) =>
      c % 2 === 0 ? { name: `Критерий ${c}: верность`, rubric: RUBRIC3 } : { name: `Критерий ${c}: формат`, rubric: RUBRIC2 },
    );
    lines.push(
      JSON.stringify({
        id: `s${i}`,
        instruction: `Задание номер ${Math.floor(i / models.length)}: объясни, почему небо голубое. ${'Подробно. '.repeat(i % 5)}`,
        reference_answer: i % 3 === 0 ? null : 'Рассеяние Рэлея.',
        answer: `Ответ ${i} модели: потому что рассеяние.`,
        model_id: models[i % models.length],
        criteria,
      }),
    );
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
  return samples * criteriaPerSample;
}
