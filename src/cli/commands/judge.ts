import type { Command } from 'commander';
import { EXIT, UsageError } from '../../core/errors.ts';
import { sha256Hex } from '../../core/hash.ts';
import { describeScale } from '../../core/scale.ts';
import type { Judgment } from '../../core/types.ts';
import { EndpointPool } from '../../engine/endpointPool.ts';
import { executeRequest } from '../../engine/execute.ts';
import { createJudge, parseJudgeSpecs } from '../../judges/create.ts';
import { parseTemplateName, renderPrompt } from '../../prompt/render.ts';
import { addCatalogOptions, catalogForCli, type CatalogFlags } from '../catalogOptions.ts';
import { addJudgeOptions, addRetryOptions, judgeSettingsFrom, judgeUrlFromEnv, policyFrom, type JudgeFlagValues } from '../judgeOptions.ts';
import type { Cli } from '../io.ts';
import { addItemOptions, resolveItem, type ItemOptions } from '../promptInputs.ts';

type JudgeCommandOptions = ItemOptions & CatalogFlags & JudgeFlagValues & { json?: boolean };

export function register(cmd: Command, cli: Cli): void {
  addItemOptions(cmd);
  addCatalogOptions(cmd);
  addJudgeOptions(cmd);
  addRetryOptions(cmd);
  cmd.option('--json', 'print one JSON object instead of text');
  cmd.action(cli.action((opts: JudgeCommandOptions) => judgeCommand(cli, opts)));
}

async function judgeCommand(cli: Cli, opts: JudgeCommandOptions): Promise<number> {
  opts.judge ??= judgeUrlFromEnv(cli.env);
  if (!opts.judge) throw new UsageError('missing --judge URL (e.g. --judge http://localhost:8000/v1, or POLLUX_JUDGE_URL)');
  const template = parseTemplateName(opts.template);
  const { sample, criterion } = resolveItem(opts, () => catalogForCli(opts));
  const settings = judgeSettingsFrom(opts, cli.env);
  const specs = parseJudgeSpecs(opts.judge);
  const prompt = renderPrompt({ sample, criterion, template });
  const backends = await Promise.all(specs.map((s) => createJudge(s, settings)));
  try {
    const pool = new EndpointPool(backends);
    const judgment = await executeRequest(prompt, criterion.scale, sha256Hex(prompt), {
      pool,
      policy: policyFrom(opts),
      onRetry: (e) => {
        if (!opts.json) cli.warn(`retrying in ${(e.delayMs / 1000).toFixed(1)} s after: ${e.error.message}`);
      },
    });
    if (opts.json) cli.json(judgmentJson(judgment, criterion.scale.min, criterion.scale.max));
    else printHuman(cli, judgment, describeScale(criterion.scale), criterion.name.ru);
    if (judgment.status === 'scored') return EXIT.ok;
    if (judgment.status === 'unscored') return EXIT.unscored;
    if (!opts.json) cli.warn(`pollux: judge failed: ${judgment.reason}`);
    return EXIT.judgeFailed;
  } finally {
    await Promise.all(backends.map((b) => b.close?.()));
  }
}

export function judgmentJson(j: Judgment, min: number, max: number): Record<string, unknown> {
  return {
    status: j.status,
    score: j.score,
    min,
    max,
    rationale: j.rationale,
    reason: j.reason,
    raw: j.raw,
    reasoning: j.reasoning,
    finishReason: j.finishReason,
    usage: j.usage,
    latencyMs: j.latencyMs === null ? null : Math.round(j.latencyMs),
    attempts: j.attempts,
    judge: { backend: j.judge.backend, baseUrl: j.judge.endpoint, model: j.judge.model, parameters: j.judge.params },
    promptHash: j.promptHash,
  };
}

function printHuman(cli: Cli, j: Judgment, scale: string, criterionName: string): void {
  cli.line(`criterion: ${criterionName}`);
  if (j.status === 'scored') cli.line(`score: ${j.score} (scale ${scale})`);
  else if (j.status === 'unscored') cli.line(`score: none — unscored (${j.reason}); scale ${scale}`);
  else cli.line(`score: none — error`);
  if (j.rationale) {
    cli.line('rationale:');
    cli.line(j.rationale);
  }
  if (j.status === 'unscored' && j.raw !== null) {
    cli.line('raw reply:');
    cli.line(j.raw);
  }
  const tokens = j.usage.prompt !== null ? `, tokens ${j.usage.prompt}+${j.usage.completion ?? '?'}` : '';
  cli.line(`judge: ${j.judge.model} at ${j.judge.endpoint ?? '-'}, ${j.latencyMs === null ? '-' : Math.round(j.latencyMs)} ms, ${j.attempts} attempt(s)${tokens}`);
}
