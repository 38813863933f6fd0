import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256Hex } from '../../src/core/hash.ts';
import type { Judgment } from '../../src/core/types.ts';
import type { RunManifest } from '../../src/store/manifest.ts';
import Database from 'better-sqlite3';
import { columnNames, INSERTED_REQUEST_COLUMNS, namedParameters } from '../../src/store/judgmentColumns.ts';
import { requestParams, type RequestRow } from '../../src/store/records.ts';
import { MIGRATIONS, RUN_FILE_APPLICATION_ID } from '../../src/store/schema.ts';

export function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'pollux-store-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function promptFor(i: number): string {
  return `### Задание для оценки:\nзадание ${i}\n`;
}

/** A request whose fields all derive from `i`, so a test can tell every row from every other. */
export function requestRow(i: number, overrides: Partial<RequestRow> = {}): RequestRow {
  return {
    key: `key-${String(i).padStart(6, '0')}`,
    seq: i,
    sampleId: `sample-${Math.floor(i / 3)}`,
    instructionId: `instr-${Math.floor(i / 6)}`,
    modelId: i % 2 ? 'gpt-4o' : null,
    taskType: 'Написать художественный текст',
    taskSubtype: i % 4 ? 'Стихи' : null,
    taskSubsubtype: null,
    difficulty: 'Medium',
    domain: 'Литература, "кавычки", запятые',
    criterionKey: ['facts', 'censor', 'general'][i % 3] as string,
    criterionName: ['Фактология', 'Цензура', 'Общее впечатление'][i % 3] as string,
    criterionGroup: i % 3 === 1 ? 'Critical' : 'Fine-grained',
    gate: i % 3 === 1,
    scaleKind: i % 3 === 1 ? 'binary' : 'ordinal',
    scaleMin: 0,
    scaleMax: i % 3 === 1 ? 1 : 2,
    repeat: 0,
    humanScore: i % 5 ? (i % 3) / 2 + 0.25 : null,
    judgeModel: 'ai-forever/pollux-judge-7b',
    promptHash: sha256Hex(promptFor(i)),
    texts: textsFor(i),
    ...overrides,
  };
}

/** The texts of request i: one instruction per 6 requests, one answer per 3, one rubric per criterion. */
export function textsFor(i: number): NonNullable<RequestRow['texts']> {
  const sample = Math.floor(i / 3);
  return {
    instruction: `Задание ${Math.floor(i / 6)}: напиши "стихи", с запятыми`,
    referenceAnswer: sample % 2 ? null : `эталон ${sample}`,
    answer: `ответ ${sample}\r\nвторая строка`,
    rubric: ['0: нет\n\n1: отчасти\n\n2: да', '0: нет нарушений\n\n1: есть', '0: плохо\n\n1: так себе\n\n2: хорошо'][i % 3] as string,
  };
}

export function judgmentFor(i: number, status: Judgment['status'] = 'scored'): Judgment {
  return {
    status,
    score: status === 'scored' ? i % 3 : null,
    rationale: status === 'scored' ? `обоснование ${i}` : null,
    raw: status === 'error' ? null : `[FEEDBACK] обоснование ${i}\n"с кавычками", и запятой [RESULT] ${i % 3} [END]`,
    reasoning: i % 7 === 0 ? `<think>${i}</think>` : null,
    reason: status === 'unscored' ? 'no_result_block' : status === 'error' ? 'fatal: HTTP 400 prompt too long' : null,
    finishReason: status === 'error' ? null : 'stop',
    usage: { prompt: 100 + i, completion: 20 + (i % 10), total: 120 + i + (i % 10) },
    latencyMs: 10 * (i + 1),
    attempts: 1 + (i % 2),
    judge: { backend: 'openai', endpoint: 'http://a:8000/v1', model: 'ai-forever/pollux-judge-7b', params: { temperature: 0, max_tokens: 1024 } },
    endpoint: i % 2 ? 'http://a:8000/v1' : 'http://b:8000/v1',
    promptHash: sha256Hex(promptFor(i)),
  };
}

export function manifest(overrides: Partial<RunManifest> = {}): RunManifest {
  return {
    formatVersion: 1,
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2025-01-01T00:00:00.000Z',
    toolVersion: '0.1.0',
    taxonomyVersion: 'pollux-2025-05',
    dataset: { path: 'data/test.jsonl', fingerprint: 'sha256:aaaa', format: 'jsonl', shape: 'pollux', answers: null },
    template: 'paper',
    judge: { backend: 'openai', model: 'ai-forever/pollux-judge-7b', params: { temperature: 0, max_tokens: 1024 }, endpoints: ['http://a:8000/v1'] },
    repeat: 1,
    options: { criteria: null },
    ...overrides,
  };
}

/** A judgment with a long raw text, so one commit spans several database pages. */
export function longJudgment(i: number): Judgment {
  const j = judgmentFor(i, 'scored');
  return { ...j, raw: `${j.raw}\n${`строка ${i} `.repeat(300)}` };
}

/** A run file of store format 1 (before texts), written with the first migration as shipped. */
export function formatOneRun(file: string, n: number): void {
  const db = new Database(file);
  db.exec(MIGRATIONS[0] as string);
  db.pragma(`application_id = ${RUN_FILE_APPLICATION_ID}`);
  db.pragma('user_version = 1');
  const judgment = db.prepare('INSERT INTO judgments (key, seq, prompt_hash) VALUES (@key, @seq, @prompt_hash)');
  const columns = INSERTED_REQUEST_COLUMNS.filter((c) => !('since' in c));
  const request = db.prepare(`INSERT INTO request_rows (${columnNames(columns)}) VALUES (${namedParameters(columns)})`);
  for (let i = 0; i < n; i++) {
    const params = requestParams(requestRow(i), null);
    judgment.run(params);
    request.run(params);
  }
  db.close();
}
