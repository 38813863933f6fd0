import { closeSync, openSync, writeSync } from 'node:fs';

const RUBRIC3 = '0: Неверно.\n\n1: Частично верно.\n\n2: Верно.';
const RUBRIC2 = '0: Нет.\n\n1: Да.';
const CHUNK = 5_000;

/**
 * A generic-shape JSONL dataset like test/support's writeGenericDataset, written in chunks and with
 * short texts, so that a million requests make a file of moderate size. Every prompt is distinct (no
 * two requests share a judgment). Returns the number of requests.
 */
export function writeBenchDataset(file: string, samples: number, criteriaPerSample: number): number {
  const criteria = Array.from({ length: criteriaPerSample }, (_, c) =>
    c % 2 === 0 ? { name: `Критерий ${c}: верность`, rubric: RUBRIC3 } : { name: `Критерий ${c}: формат`, rubric: RUBRIC2 },
  );
  const fd = openSync(file, 'w');
  try {
    for (let start = 0; start < samples; start += CHUNK) {
      const lines: string[] = [];
      for (let i = start; i < Math.min(start + CHUNK, samples); i++) {
        lines.push(
          JSON.stringify({
            id: `s${i}`,
            instruction: `Задача ${i >> 1}: назови столицу страны.`,
            reference_answer: i % 3 === 0 ? null : 'Москва.',
            answer: `Ответ ${i}: Москва.`,
            model_id: i % 2 === 0 ? 'model-a' : 'model-b',
            criteria,
          }),
        );
      }
      writeSync(fd, `${lines.join('\n')}\n`);
    }
  } finally {
    closeSync(fd);
  }
  return samples * criteriaPerSample;
}
