/**
 * The `pollux eval` configuration: YAML (or JSON, a subset of YAML) described by a JSON schema
 * (`docs/pollux-eval.schema.json`, generated from the zod schema below and checked by a test).
 * Every problem is reported at once with the file, line and field, like the criteria files.
 */
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { InputError, errorMessage } from '../core/errors.ts';

const url = z.string().regex(/^https?:\/\/\S+$/i, 'expected an http(s) URL such as http://localhost:8000/v1');
const urls = z.union([url, z.array(url).min(1)]);
const params = z.record(z.string(), z.unknown());
const concurrency = z.union([z.literal('auto'), z.number().int().min(1)]);

export const modelSchema = z
  .object({
    name: z.string().min(1).describe('the model_id of its answers and its name on the leaderboard'),
    url: urls.describe('OpenAI-compatible endpoint(s) of the model under test'),
    model: z.string().min(1).optional().describe('served model name (default: the one the server lists)'),
    system: z.string().optional().describe('system message before each instruction'),
    temperature: z.number().min(0).optional(),
    max_tokens: z.number().int().min(1).optional(),
    params: params.optional().describe('extra request body fields'),
    samples: z.number().int().min(1).optional().describe('answers per instruction'),
    concurrency: concurrency.optional(),
    timeout: z.number().positive().optional().describe('per-request timeout in seconds'),
  })
  .strict();

export const judgeSchema = z
  .object({
    url: z
      .union([z.string().regex(/^(https?:\/\/\S+|gguf:.+|hf:.+)$/i, 'expected an http(s) URL, gguf:PATH or hf:URI'), z.array(url).min(1)])
      .optional()
      .describe('judge endpoint(s); POLLUX_JUDGE_URL when absent'),
    model: z.string().min(1).optional(),
    temperature: z.number().min(0).optional(),
    max_tokens: z.number().int().min(1).optional(),
    params: params.optional(),
    concurrency: concurrency.optional(),
    timeout: z.number().positive().optional(),
  })
  .strict();

export const scoreSchema = z
  .object({
    gate: z.enum(['critical', 'all-binary', 'none']).optional(),
    bootstrap: z.number().int().min(0).optional(),
    seed: z.number().int().optional(),
    ci: z.number().gt(0).lt(1).optional(),
    fail_under: z.array(z.union([z.number(), z.string()])).optional().describe('as score --fail-under: 0.62 or "GROUP=0.5"'),
  })
  .strict();

export const evalConfigSchema = z
  .object({
    $schema: z.string().optional(),
    dataset: z.string().min(1).describe('POLLUX-instructions file or hf://datasets/OWNER/NAME'),
    models: z.array(modelSchema).min(1),
    judge: judgeSchema.optional(),
    template: z.enum(['paper', 'v2']).optional(),
    criteria: z.array(z.string().min(1)).optional().describe('custom criteria files merged over POLLUX'),
    out: z.string().min(1).optional().describe('folder for answers, run files and the leaderboard (default: eval)'),
    limit: z.number().int().min(1).optional().describe('only the first N instructions'),
    score: scoreSchema.optional(),
  })
  .strict();

export type EvalConfig = z.infer<typeof evalConfigSchema>;

function allowedKeys(path: ReadonlyArray<PropertyKey>): string {
  const shape =
    path.length === 0 ? evalConfigSchema.shape : path[0] === 'models' ? modelSchema.shape : path[0] === 'judge' ? judgeSchema.shape : path[0] === 'score' ? scoreSchema.shape : {};
  return Object.keys(shape).filter((k) => k !== '$schema').join(', ');
}
export type EvalModelConfig = z.infer<typeof modelSchema>;

/** The JSON schema users point their editor at (`$schema:` in the YAML). */
export function evalConfigJsonSchema(): Record<string, unknown> {
  return {
    ...(z.toJSONSchema(evalConfigSchema, { target: 'draft-2020-12' }) as Record<string, unknown>),
    title: 'pollux eval configuration',
  };
}

function fieldName(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? String(p) : `.${String(p)}`;
  return out;
}

/** Reads and validates a configuration file; every problem is in the one InputError thrown. */
export function readEvalConfig(file: string): EvalConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new InputError(`cannot read the configuration: ${errorMessage(err)}`, { file });
  }
  return parseEvalConfig(text, file);
}

export function parseEvalConfig(text: string, file: string): EvalConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    throw new InputError(`not valid YAML: ${e.message.split('\n')[0]}`, { file, line: lines.linePos(e.pos[0]).line });
  }
  const value: unknown = doc.toJS();
  const result = evalConfigSchema.safeParse(value);
  if (result.success) {
    const names = new Map<string, number>();
    result.data.models.forEach((m, i) => {
      const first = names.get(m.name);
      if (first !== undefined) {
        const node = doc.getIn(['models', i, 'name'], true) as { range?: [number, number, number] } | undefined;
        throw new InputError(`model name "${m.name}" is used twice (also models[${first}]); names label answers and leaderboard rows`, {
          file,
          ...(node?.range ? { line: lines.linePos(node.range[0]).line } : {}),
          field: `models[${i}].name`,
        });
      }
      names.set(m.name, i);
    });
    return result.data;
  }
  const issues = result.error.issues.flatMap((issue): Array<{ path: PropertyKey[]; message: string }> =>
    // One problem per unknown key, located at that key (a typo is found where it was made).
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((k) => ({ ...issue, path: [...issue.path, k], message: `unknown field (allowed: ${allowedKeys(issue.path)})` }))
      : [issue.code === 'invalid_type' && issue.input === undefined ? { ...issue, message: `missing (${issue.expected} expected)` } : issue],
  );
  const problems = issues.map((issue) => {
    // The deepest node that exists: a missing field is reported where its parent is.
    let path = [...issue.path] as Array<string | number>;
    let line: number | undefined;
    while (line === undefined) {
      const node = (path.length === 0 ? doc.contents : doc.getIn(path, true)) as { range?: [number, number, number] } | null | undefined;
      if (node?.range) line = lines.linePos(node.range[0]).line;
      else if (path.length === 0) break;
      else path = path.slice(0, -1);
    }
    const where = `${file}${line !== undefined ? `:${line}` : ''}`;
    const field = issue.path.length > 0 ? `, field "${fieldName(issue.path)}"` : '';
    return `${where}${field}: ${issue.message}`;
  });
  const first = issues[0]!;
  const firstLine = /:(\d+)(?:,|:)/.exec(problems[0]!)?.[1];
  throw new InputError(
    problems.length === 1 ? problems[0]!.replace(/^[^:]*(:\d+)?(, field "[^"]*")?: /, '') : `${problems.length} problems:\n  ${problems.join('\n  ')}`,
    problems.length === 1 ? { file, ...(firstLine ? { line: Number(firstLine) } : {}), ...(first.path.length ? { field: fieldName(first.path) } : {}) } : {},
  );
}
