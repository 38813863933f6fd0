import type { Scale } from './scale.ts';

/** A criterion as the judge sees it: its name (shown in the prompt), its rubric text and scale. */
export interface Criterion {
  /** Taxonomy key (`facts__2`), or a hash-derived key for a criterion that came with the data. */
  key: string;
  name: { ru: string; en?: string | null };
  /** The criterion group (Critical, Fine-grained, Subjective, Domain-specific, Task-specific) or null. */
  group: string | null;
  /** The rubric exactly as rendered into the prompt (`"0: …\n\n1: …"`). */
  rubric: string;
  scale: Scale;
  /** A gate: a 0/1 criterion where 1 = bad, which zeroes the answer's other scores when it fires. */
  gate: boolean;
}

/** One evaluated answer to one instruction. */
export interface Sample {
  id: string;
  instruction: string;
  /** null = no reference answer (the paper template then drops the section); '' = an empty one. */
  referenceAnswer: string | null;
  answer: string;
  modelId: string | null;
  taskType: string | null;
  taskSubtype: string | null;
  taskSubsubtype: string | null;
  difficulty: string | null;
  domain: string | null;
  /** Where the sample came from, for error messages and traces. */
  source?: { file: string; line?: number; row?: number };
}

export type TemplateName = 'paper' | 'v2';

/** One judgment to make: a sample on one criterion (and, with --repeat, one repetition of it). */
export interface JudgeRequest {
  sample: Sample;
  criterion: Criterion;
  template: TemplateName;
  /** Expert score for this (sample, criterion), when the dataset has one. */
  humanScore: number | null;
  repeat: number;
}

export interface TokenUsage {
  prompt: number | null;
  completion: number | null;
  total: number | null;
}

/** Which judge made a judgment, with every parameter that can change its answer. Never holds secrets. */
export interface JudgeProvenance {
  backend: string;
  /** Base URL for HTTP judges, file path for GGUF judges. */
  endpoint: string | null;
  model: string;
  params: Record<string, unknown>;
}

/** What a backend returns: the reply exactly as the judge gave it, before parsing. */
export interface JudgeReply {
  text: string;
  /** A separate reasoning channel (`reasoning_content`), kept but never parsed for a score. */
  reasoning: string | null;
  finishReason: string | null;
  usage: TokenUsage;
  latencyMs: number;
  /** The endpoint that answered (useful when requests are spread over several replicas). */
  endpoint: string | null;
}

export interface JudgeCallOptions {
  signal?: AbortSignal;
  /** The scale of the criterion, for backends that can constrain their output to it. */
  scale?: Scale;
}

/**
 * A judge backend: one prompt in, one reply out. Failures are thrown as JudgeError, classified
 * once here (rate-limited, transient, fatal); retries belong to the engine, not to backends.
 */
export interface JudgeBackend {
  describe(): JudgeProvenance;
  judge(prompt: string, options?: JudgeCallOptions): Promise<JudgeReply>;
  close?(): Promise<void>;
}

export type JudgmentStatus = 'scored' | 'unscored' | 'error';

/** Why a reply gave no valid score. */
export type UnscoredReason = 'empty' | 'no_result_block' | 'not_a_number' | 'out_of_scale' | 'truncated';

export interface Judgment {
  status: JudgmentStatus;
  score: number | null;
  rationale: string | null;
  /** The judge's text as received (never rewritten), or null when no reply came. */
  raw: string | null;
  reasoning: string | null;
  /** For `unscored`, an UnscoredReason; for `error`, the error kind and message. */
  reason: string | null;
  finishReason: string | null;
  usage: TokenUsage;
  latencyMs: number | null;
  attempts: number;
  judge: JudgeProvenance;
  endpoint: string | null;
  promptHash: string;
}

/**
 * Where criteria come from: the POLLUX taxonomy, custom criteria files, or both merged.
 * Dataset readers use it to attach criteria to samples; the CLI uses it for `--criterion KEY`.
 */
export interface CriteriaCatalog {
  byKey(key: string): Criterion | undefined;
  /** By the criterion's Russian or English name, exactly as the dataset's `criteria_name` holds it. */
  byName(name: string): Criterion | undefined;
  /**
   * The criteria set of a task: the path is the dataset's `task_type`, `task_subtype`,
   * `task_subsubtype` values (Russian or English names), as deep as known. Returns undefined for an
   * unknown task; when the path stops above a leaf, the union of the leaves below it in taxonomy order.
   */
  forTask(path: readonly string[]): Criterion[] | undefined;
  /**
   * The longest known prefix of a dataset task path (task_type, task_subtype, task_subsubtype): how
   * many levels matched, of how many given, and the criteria set of the deepest matched task
   * (undefined when not even the task type is known). The dataset holds subtask strings the
   * taxonomy does not, so a row is placed as deep as its path is known instead of not at all.
   */
  matchTaskPath?(path: readonly (string | null | undefined)[]): TaskPathMatch;
  /** Keys close to a mistyped key (or to a name typed where a key was expected). */
  suggestKeys?(text: string, limit?: number): string[];
}

export interface TaskPathMatch {
  matched: number;
  given: number;
  criteria: Criterion[] | undefined;
}

/**
 * One request and its judgment as a run keeps them: the flat record that scoring, meta-evaluation,
 * exports and reports read. `status` is 'pending' for a request not judged yet.
 */
export interface JudgmentRecord {
  key: string;
  sampleId: string;
  /** Hash of the instruction text: the cluster unit for bootstrap resampling. */
  instructionId: string;
  modelId: string | null;
  taskType: string | null;
  taskSubtype: string | null;
  taskSubsubtype: string | null;
  difficulty: string | null;
  domain: string | null;
  criterionKey: string;
  criterionName: string;
  criterionGroup: string | null;
  gate: boolean;
  scaleKind: 'binary' | 'ordinal';
  scaleMin: number;
  scaleMax: number;
  repeat: number;
  humanScore: number | null;
  status: JudgmentStatus | 'pending';
  score: number | null;
  rationale: string | null;
  raw: string | null;
  reason: string | null;
  finishReason: string | null;
  promptTokens: number | null;
  completionTokens: number | null;
  latencyMs: number | null;
  attempts: number;
  endpoint: string | null;
  judgeModel: string;
}
