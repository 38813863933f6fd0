import type { JudgeProvenance, JudgmentRecord } from '../core/types.ts';
import type { AddedJudgmentColumn, InsertedRequestColumn, RecordColumn, SqlRow, VerdictColumn } from './judgmentColumns.ts';

/** The judgment fields of a JudgmentRecord: everything a request gets only once it is judged. */
type JudgmentField = Extract<VerdictColumn, { field: string }>['field'];

/** The texts a request's prompt was made from; the store keeps each one once. */
export interface RequestTexts {
  instruction: string;
  /** null = no reference answer, '' = an empty one. */
  referenceAnswer: string | null;
  answer: string;
  /** The rubric exactly as rendered into the prompt. */
  rubric: string;
}

/** A request as the engine enumerates it: a JudgmentRecord without the judgment. */
export interface RequestRow extends Omit<JudgmentRecord, JudgmentField> {
  /** SHA-256 of the prompt text; a judgment for this request must carry the same hash. */
  promptHash: string;
  /** Order in which the engine enumerated the request: exports and iteration follow it. */
  seq: number;
  /** The texts behind the prompt (absent: the run keeps no texts for this request). */
  texts?: RequestTexts;
}

export type RequestStatus = JudgmentRecord['status'];
export const REQUEST_STATUSES: readonly RequestStatus[] = ['pending', 'scored', 'unscored', 'error'];

/** Wall-clock times of a judgment, in epoch milliseconds. */
export interface JudgmentTimes {
  startedAt: number;
  finishedAt: number;
}

/**
 * A JudgmentRecord as the store keeps it, with what a record leaves out: the reasoning channel,
 * the full judge provenance, the times and how often the request was sent back by a retry.
 */
export interface StoredRecord extends JudgmentRecord {
  seq: number;
  promptHash: string;
  reasoning: string | null;
  /** Provenance of the judge that answered (null while pending). */
  judge: Omit<JudgeProvenance, 'endpoint'> | null;
  startedAt: number | null;
  finishedAt: number | null;
  retries: number;
  /**
   * Only when records() is asked for texts: the request's texts, or null when the run file has
   * none for it (a file from before pollux kept texts).
   */
  texts?: RequestTexts | null;
}

/** A request joined with its judgment, as SQLite returns it (the columns of RECORD_COLUMNS). */
export type RequestsRowSql = SqlRow<RecordColumn> & {
  /** Only in the query with texts; NULL where the file has none for the request. */
  instruction?: string | null;
  reference_answer?: string | null;
  answer?: string | null;
  rubric?: string | null;
  has_texts?: number;
};

/** Named parameters of addRequests' two inserts (into `judgments`, then `request_rows`). */
export type RequestParams = SqlRow<AddedJudgmentColumn | InsertedRequestColumn>;

export function requestParams(r: RequestRow, criterionId: number | null): RequestParams {
  return {
    key: r.key,
    seq: r.seq,
    sample_id: r.sampleId,
    instruction_id: r.instructionId,
    model_id: r.modelId ?? null,
    task_type: r.taskType ?? null,
    task_subtype: r.taskSubtype ?? null,
    task_subsubtype: r.taskSubsubtype ?? null,
    difficulty: r.difficulty ?? null,
    domain: r.domain ?? null,
    criterion_key: r.criterionKey,
    criterion_name: r.criterionName,
    criterion_group: r.criterionGroup ?? null,
    gate: r.gate ? 1 : 0,
    scale_kind: r.scaleKind,
    scale_min: r.scaleMin,
    scale_max: r.scaleMax,
    repeat: r.repeat,
    human_score: r.humanScore ?? null,
    judge_model: r.judgeModel,
    prompt_hash: r.promptHash,
    criterion_id: criterionId,
  };
}

function textsOf(row: RequestsRowSql): RequestTexts | null {
  if (row.has_texts !== 1) return null;
  return {
    instruction: row.instruction as string,
    referenceAnswer: row.reference_answer ?? null,
    answer: row.answer as string,
    rubric: row.rubric as string,
  };
}

export function toRecord(row: RequestsRowSql, judge: StoredRecord['judge']): StoredRecord {
  const record = toPlainRecord(row, judge);
  if (row.has_texts !== undefined) record.texts = textsOf(row);
  return record;
}

function toPlainRecord(row: RequestsRowSql, judge: StoredRecord['judge']): StoredRecord {
  return {
    key: row.key,
    seq: row.seq,
    sampleId: row.sample_id,
    instructionId: row.instruction_id,
    modelId: row.model_id,
    taskType: row.task_type,
    taskSubtype: row.task_subtype,
    taskSubsubtype: row.task_subsubtype,
    difficulty: row.difficulty,
    domain: row.domain,
    criterionKey: row.criterion_key,
    criterionName: row.criterion_name,
    criterionGroup: row.criterion_group,
    gate: row.gate === 1,
    scaleKind: row.scale_kind as StoredRecord['scaleKind'],
    scaleMin: row.scale_min,
    scaleMax: row.scale_max,
    repeat: row.repeat,
    humanScore: row.human_score,
    status: row.status as RequestStatus,
    score: row.score,
    rationale: row.rationale,
    raw: row.raw,
    reason: row.reason,
    finishReason: row.finish_reason,
    promptTokens: row.prompt_tokens,
    completionTokens: row.completion_tokens,
    latencyMs: row.latency_ms,
    attempts: row.attempts,
    endpoint: row.endpoint,
    judgeModel: row.judge_model,
    promptHash: row.prompt_hash,
    reasoning: row.reasoning,
    judge,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    retries: row.retries,
  };
}
