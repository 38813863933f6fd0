import type { JudgeRequest, Sample, TemplateName } from '../core/types.ts';
import { readDataset } from './dataset.ts';
import type { DatasetOptions, DatasetStats, UnmatchedTaskPath } from './datasetTypes.ts';
import { chatTemplateTokensOf, countChatTokens, estimateTokenCounter, type TokenCountMethod, type TokenCounter } from './tokens.ts';

export interface PlanOptions extends DatasetOptions {
  template?: TemplateName;
  /** The judge's completion budget (`--max-tokens`), default 1024. */
  maxTokens?: number;
  /** The judge's context length (`--context`); null/absent: no limit check. */
  context?: number | null;
  /** The exact prompt renderer; without it the prompt is approximated from its five parts. */
  renderPrompt?: (request: JudgeRequest) => string;
  /** Defaults to the estimate. */
  tokenCounter?: TokenCounter;
  /** How many over-limit requests to list (default 20). */
  listOverLimit?: number;
}

export interface CountEntry {
  value: string | null;
  samples: number;
  requests: number;
}

export interface OverLimitRequest {
  sampleId: string;
  criterionKey: string;
  criterionName: string;
  promptTokens: number;
  source: Sample['source'] | null;
}

/** The counts every full read of a dataset gives: shared by validation and plans. */
export interface DatasetCounts extends Pick<DatasetStats, 'shape' | 'files' | 'rows' | 'rejected' | 'problemCount' | 'firstProblems' | 'requests' | 'columns'> {
  samples: number;
}

function countsOf(s: DatasetStats): DatasetCounts {
  return {
    shape: s.shape,
    files: s.files,
    rows: s.rows,
    rejected: s.rejected,
    problemCount: s.problemCount,
    firstProblems: s.firstProblems,
    samples: s.items - s.regroupedSamples,
    requests: s.requests,
    columns: s.columns,
  };
}

/** What a run over this dataset would do, without calling any judge. */
export interface DatasetPlan extends DatasetCounts {
  /** Requests that carry an expert score. */
  humanScores: number;
  evaluatedModels: CountEntry[];
  taskTypes: CountEntry[];
  distinctCriteria: number;
  /** Criteria that came with the data and are not in the catalog (`custom:` keys). */
  customCriteria: number;
  criteriaPerSample: { min: number; mean: number; max: number } | null;
  /** Items from samples whose rows were not consecutive (POLLUX shape). */
  regroupedSamples: number;
  instructionsWithoutAnswers: number;
  instructionsWithoutAnswersFirst: string[];
  /**
   * Task paths the catalog knows only in part: rows placed by a prefix (the task type, or task type
   * and subtype) or not placed at all (`matched` 0), distinct such paths, the first 20 of them.
   */
  taskPaths: { partialRows: number; distinct: number; first: UnmatchedTaskPath[] };
  promptTokens: {
    method: TokenCountMethod;
    description: string;
    /** `rendered`: exact prompt text; `approximate`: the five parts plus room for the headers. */
    promptText: 'rendered' | 'approximate';
    template: TemplateName;
    chatTemplateAllowance: number;
    total: number;
    mean: number;
    max: number;
  };
  context: { length: number; maxTokens: number; overLimit: number; firstOverLimit: OverLimitRequest[] } | null;
}

// Room for the five section headers and separators, used only when no renderer is given.
const HEADER_CHARS = 160;

function approximatePrompt(request: JudgeRequest): string {
  const { sample, criterion } = request;
  return `${sample.instruction}${sample.referenceAnswer ?? ''}${sample.answer}${criterion.name.ru}${criterion.rubric}${' '.repeat(HEADER_CHARS)}`;
}

function bump(map: Map<string | null, CountEntry>, value: string | null, requests: number): void {
  const entry = map.get(value);
  if (entry) {
    entry.samples++;
    entry.requests += requests;
  } else {
    map.set(value, { value, samples: 1, requests });
  }
}

/** Most requests first, then most samples; entries without a value last among equals. */
function sorted(map: Map<string | null, CountEntry>): CountEntry[] {
  return [...map.values()].sort(
    (a, b) =>
      b.requests - a.requests ||
      b.samples - a.samples ||
      Number(a.value === null) - Number(b.value === null) ||
      String(a.value).localeCompare(String(b.value)),
  );
}

/**
 * Reads the whole dataset once and reports rows read and rejected, samples, evaluated models, task
 * types, requests, criteria per sample, prompt tokens, and the requests whose prompt plus the
 * completion budget would not fit the context. Holds only counters, never the rows.
 */
export async function planDataset(file: string, options: PlanOptions): Promise<DatasetPlan> {
  const template = options.template ?? 'paper';
  const maxTokens = options.maxTokens ?? 1024;
  const contextLength = options.context ?? null;
  const counter = options.tokenCounter ?? estimateTokenCounter();
  const render = options.renderPrompt ?? approximatePrompt;
  const listLimit = options.listOverLimit ?? 20;
  const reader = readDataset(file, options);

  const models = new Map<string | null, CountEntry>();
  const tasks = new Map<string | null, CountEntry>();
  const criteriaKeys = new Set<string>();
  let humanScores = 0;
  let minCriteria = Infinity;
  let maxCriteria = 0;
  let totalTokens = 0;
  let maxPromptTokens = 0;
  let requests = 0;
  let overLimit = 0;
  const firstOverLimit: OverLimitRequest[] = [];

  for await (const item of reader) {
    const n = item.criteria.length;
    minCriteria = Math.min(minCriteria, n);
    maxCriteria = Math.max(maxCriteria, n);
    bump(models, item.sample.modelId, n);
    bump(tasks, item.sample.taskType, n);
    for (const { criterion, humanScore } of item.criteria) {
      requests++;
      if (humanScore !== null) humanScores++;
      criteriaKeys.add(criterion.key);
      const request: JudgeRequest = { sample: item.sample, criterion, template, humanScore, repeat: 0 };
      const tokens = countChatTokens(counter, render(request));
      totalTokens += tokens;
      maxPromptTokens = Math.max(maxPromptTokens, tokens);
      if (contextLength !== null && tokens + maxTokens > contextLength) {
        overLimit++;
        if (firstOverLimit.length < listLimit) {
          firstOverLimit.push({
            sampleId: item.sample.id,
            criterionKey: criterion.key,
            criterionName: criterion.name.ru,
            promptTokens: tokens,
            source: item.sample.source ?? null,
          });
        }
      }
    }
  }

  const s = reader.stats;
  return {
    ...countsOf(s),
    // Counted here as the prompts were rendered (the reader's own count agrees on valid rows).
    requests,
    humanScores,
    evaluatedModels: sorted(models),
    taskTypes: sorted(tasks),
    distinctCriteria: criteriaKeys.size,
    customCriteria: [...criteriaKeys].filter((k) => k.startsWith('custom:')).length,
    criteriaPerSample: s.items > 0 ? { min: minCriteria, mean: requests / s.items, max: maxCriteria } : null,
    regroupedSamples: s.regroupedSamples,
    instructionsWithoutAnswers: s.instructionsWithoutAnswers,
    instructionsWithoutAnswersFirst: s.instructionsWithoutAnswersFirst,
    taskPaths: { partialRows: s.taskPathsPartial, distinct: s.taskPathsUnmatched, first: s.taskPathsUnmatchedFirst },
    promptTokens: {
      method: counter.method,
      description: counter.description,
      promptText: options.renderPrompt ? 'rendered' : 'approximate',
      template,
      chatTemplateAllowance: chatTemplateTokensOf(counter),
      total: totalTokens,
      mean: requests > 0 ? totalTokens / requests : 0,
      max: maxPromptTokens,
    },
    context: contextLength !== null ? { length: contextLength, maxTokens, overLimit, firstOverLimit } : null,
  };
}

export interface DatasetValidation extends DatasetCounts {
  ok: boolean;
}

/**
 * One full pass that checks every row and judges nothing. With `strict` it throws an InputError at
 * the first problem (what a strict run needs before it starts judging); otherwise it reports.
 */
export async function validateDataset(file: string, options: DatasetOptions): Promise<DatasetValidation> {
  const reader = readDataset(file, options);
  for await (const _item of reader) {
    // the reader validates as it goes; items are only counted
  }
  return { ...countsOf(reader.stats), ok: reader.stats.problemCount === 0 };
}
