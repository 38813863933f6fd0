/**
 * pollux-eval: judge Russian-language LLM answers the POLLUX way, and measure judges against experts.
 *
 * The public API: what a user needs to do from code what the `pollux` command does. In-process GGUF
 * judges live in the `pollux-eval/gguf` subpath, so this entry point never needs node-llama-cpp.
 *
 * ```ts
 * import { openRun, buildScoreReport, openRunStore } from 'pollux-eval';
 * const run = await openRun({ dataset: 'answers.jsonl', judge: { endpoints: 'http://localhost:8000/v1' } });
 * try { await run.judge({ concurrency: 64 }); } finally { await run.close(); }
 * ```
 */

// ── Errors: each carries the exit code the CLI uses (2 bad input, 3 judge failed, …).
export { EXIT, PolluxError, InputError, UsageError, JudgeError, type InputLocation, type JudgeErrorKind } from './core/errors.ts';

// ── The items judged and the judgments made.
export type {
  Sample,
  Criterion,
  CriteriaCatalog,
  JudgeRequest,
  TemplateName,
  JudgeBackend,
  JudgeCallOptions,
  JudgeProvenance,
  JudgeReply,
  Judgment,
  JudgmentStatus,
  JudgmentRecord,
  UnscoredReason,
  TokenUsage,
} from './core/types.ts';

// ── Rubrics and their scales.
/** A rubric's levels: `parseScale('0: нет\n\n1: да')`. */
export { parseScale, scaleFromRubricText, describeScale, inScale, rubricText, type Scale, type ScaleLevel, type RubricInput } from './core/scale.ts';

// ── Prompts: the exact bytes the POLLUX judges were trained on.
export { renderPrompt, renderPromptFields, parseTemplateName, type PromptFields } from './prompt/render.ts';
export { TEMPLATE_NAMES } from './prompt/templates.ts';

// ── Judge replies: `[FEEDBACK] … [RESULT] x [END]` to a score, or unscored with a reason.
export { parseVerdict, stripReasoning, type ParsedVerdict, type VerdictInput } from './parse/verdict.ts';

// ── Judges: OpenAI-compatible HTTP servers (vLLM, SGLang, llama.cpp, OpenAI). GGUF: `pollux-eval/gguf`.
export { OpenAIChatJudge, apiKeyFromEnv, type OpenAIChatJudgeOptions } from './judges/openaiChat.ts';
export { createJudge, parseJudgeSpecs, judgeSpecKind, type JudgeSettings, type JudgeSpecKind } from './judges/create.ts';
export { chatParams, chatRequestBody, replyFromCompletion, type ChatCompletionBody } from './judges/openaiWire.ts';

// ── Runs: a dataset judged into a resumable run file.
export {
  openRun,
  defaultRunPath,
  type Run,
  type RunSpec,
  type PlanSpec,
  type DatasetSpec,
  type RunFileSpec,
  type PlannedRun,
  type PlanRunOptions,
  type RunFile,
  type JudgeSpec,
  type JudgeOptions,
  type DatasetReport,
} from './run/openRun.ts';
export type { RunSummary, RunEvent, RunProgress } from './engine/run.ts';
/** One request to its end (retries, re-asks, replicas), as `pollux judge` does. */
export { executeRequest, DEFAULT_POLICY, type ExecutionPolicy, type RetryEvent } from './engine/execute.ts';
export { EndpointPool } from './engine/endpointPool.ts';
export { importBatch, type BatchExportSummary, type BatchImportSummary } from './engine/batch.ts';

// ── Answers of a model under test to the POLLUX instructions (what `pollux answer` does).
export { readInstructions, runAnswers, connectModel, type InstructionList, type AnswerRunConfig, type AnswerRunSummary, type ConnectedModel } from './answer/index.ts';

// ── A whole evaluation (what `pollux eval` does): answers, judgments and the leaderboard for several models.
export { evaluate, readEvalConfig, parseEvalConfig, type EvaluateOptions, type Evaluation, type EvalConfig, type EvalModelConfig } from './eval/index.ts';

// ── Run files: reading judgments back, exporting them.
export { openRunStore, type RunStore, type OpenRunStoreOptions, type RunCounts, type RunStats } from './store/runStore.ts';
export { compareManifests, type RunManifest } from './store/manifest.ts';
export { REQUEST_STATUSES, type RequestStatus, type StoredRecord } from './store/records.ts';
export { exportRun, EXPORT_FORMATS, type ExportFormat, type ExportOptions, type ExportResult } from './store/export.ts';
export { EXPORT_COLUMNS, type ExportColumn } from './store/exportColumns.ts';

// ── Datasets: JSONL, JSON, CSV, Parquet in the POLLUX, POLLUX-instructions and generic layouts.
export { readDataset, detectShape, type DatasetReader } from './data/dataset.ts';
export { readTable, tableFormatOf, parseTableFormat } from './data/table.ts';
export type { TableFormat } from './data/tableTypes.ts';
export { DATASET_SHAPES, type DatasetShape, type DatasetOptions, type DatasetItem, type ItemCriterion, type DatasetStats } from './data/datasetTypes.ts';
export { planDataset, validateDataset, type DatasetPlan, type PlanOptions } from './data/plan.ts';
export { RejectsWriter, formatProblem, type RowProblem } from './data/problems.ts';

// ── Criteria: the POLLUX taxonomy and custom criteria files.
export { buildCatalog, polluxCatalog, type BuildCatalogOptions } from './taxonomy/buildCatalog.ts';
export { Catalog } from './taxonomy/catalog.ts';
export { polluxTaxonomyVersion } from './taxonomy/polluxData.ts';
export { loadCriteriaFile, parseCriteriaFile, CriteriaFileError, type CriteriaFile } from './taxonomy/criteriaFile.ts';

// ── Scores: POLLUX aggregation of judgments (leaderboard, criteria × task-group matrix, breakdowns).
export { buildScoreReport } from './scoring/report.ts';
export { formatScoreReport } from './report/text/score.ts';
export { scoreReportCsv, writeScoreCsv } from './scoring/csv.ts';
export { taskGroupLookup } from './scoring/taskGroups.ts';
export { parseThreshold, checkThresholds, type ScoreThreshold, type ThresholdFailure } from './scoring/thresholds.ts';
export { normalise } from './scoring/normalise.ts';
export { GATE_POLICIES, type GatePolicy, type ScoreOptions, type ScoreReport } from './scoring/types.ts';

// ── Judges against experts: agreement, intervals, judge comparisons.
export { buildMetaReport, type MetaOptions } from './meta/report.ts';
export type { MetaReport } from './meta/reportTypes.ts';
export { compareJudges, type JudgeComparison, type JudgeRun, type CompareOptions } from './meta/compare.ts';
export { formatMetaReport, formatJudgeComparison } from './report/text/meta.ts';
export { readHumanScores, type HumanScores } from './meta/humanScores.ts';
export { POLLUX_OUT_OF_DOMAIN_TASKS } from './meta/domains.ts';
export { spearman, pearson, kendallTauB } from './meta/correlation.ts';
export { pointMetrics, type PointMetrics } from './meta/metrics.ts';
