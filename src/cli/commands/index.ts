import type { Command } from 'commander';
import type { Cli } from '../io.ts';

/**
 * A command module adds its arguments, options and action to the command main() created for it
 * (named and described from the table below). Its action returns the exit code through
 * `cli.action(...)`, writes only through `cli`, and reads the environment only from `cli.env`.
 */
export interface CommandModule {
  register(cmd: Command, cli: Cli): void;
}

export interface CommandEntry {
  name: string;
  description: string;
  /** Loaded only when the command runs (or its help is asked for): `pollux prompt` never loads SQLite or the HTTP client. */
  load(): Promise<CommandModule>;
}

/** Every command, in the order `pollux --help` lists them. To add one: a file in this folder and a line here. */
export const commands: readonly CommandEntry[] = [
  {
    name: 'prompt',
    description: 'print the exact POLLUX prompt bytes for one item, and nothing else',
    load: () => import('./prompt.ts'),
  },
  {
    name: 'judge',
    description: 'judge one answer on one criterion; exit 0 scored, 1 no valid score, 2 bad input, 3 judge failed',
    load: () => import('./judge.ts'),
  },
  {
    name: 'run',
    description: 'judge every (sample × criterion) request of a dataset into a resumable run file',
    load: () => import('./run.ts'),
  },
  {
    name: 'plan',
    description: 'show what a run over a dataset would do, calling no judge: rows, samples, models, requests, prompt tokens',
    load: () => import('./plan.ts'),
  },
  {
    name: 'batch',
    description: 'offline / cluster inference through OpenAI Batch API files (vllm run-batch, OpenAI Batch)',
    load: () => import('./batch.ts'),
  },
  {
    name: 'criteria',
    description: "browse the criteria and task tree: the tree with counts, a task's criteria, one criterion, or a search",
    load: () => import('./criteria.ts'),
  },
  {
    name: 'score',
    description:
      'POLLUX scores of one or more runs: leaderboard of the evaluated models, criteria × task-group matrix, ' +
      'means per task group, criterion group, difficulty and task type, each with its coverage',
    load: () => import('./score.ts'),
  },
  {
    name: 'export',
    description: 'write a run file as JSONL, CSV or Parquet: one row per request with its sample, criterion and judgment',
    load: () => import('./export.ts'),
  },
  {
    name: 'meta',
    description:
      'How good is the judge: agreement with expert scores (Spearman ρ and MAE per evaluated model and their mean, ' +
      'pooled, in- and out-of-domain, per criterion group, task type, difficulty; Pearson, Kendall τb, RMSE, ' +
      'exact and within-one agreement, quadratic κ, Krippendorff α), with clustered bootstrap intervals and coverage. ' +
      'Several runs: one judge each, compared side by side with paired intervals of their differences',
    load: () => import('./meta.ts'),
  },
  {
    name: 'answer',
    description: 'ask the model under test for an answer to every instruction; writes the answers file `pollux run --answers` reads (resumable)',
    load: () => import('./answer.ts'),
  },
  {
    name: 'eval',
    description: 'rank models end to end: answer → judge → score with bootstrap intervals, from flags or a YAML config (resumable)',
    load: () => import('./eval.ts'),
  },
  {
    name: 'report',
    description:
      'one self-contained HTML file (opens from disk, no network): leaderboard, criteria × task-group heat map, score ' +
      'distributions, agreement with experts, confusion matrix, the largest disagreements and the failures with their texts, filters',
    load: () => import('./report.ts'),
  },
  {
    name: 'view',
    description: 'a local, read-only web viewer of run files: the report’s pages, plus search and paging over every judgment and its texts',
    load: () => import('./view.ts'),
  },
];
