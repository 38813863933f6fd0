/**
 * A small OpenAI-compatible server (`GET /v1/models`, `POST /v1/chat/completions`) on 127.0.0.1
 * that answers with a real model through the GGUF backend: by default the tiny random-weight model,
 * so HTTP judges can be tested end to end against real inference. Test code only.
 *
 * Honoured per request: `max_tokens`, `temperature`, `seed`, and `pollux_constrain` (with
 * `pollux_levels`, e.g. [0, 1, 2]) to have the reply written under the POLLUX reply grammar.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback } from './loopback.ts';
import { JudgeError, errorMessage } from '../../src/core/errors.ts';
import type { Scale } from '../../src/core/scale.ts';
import { createGgufJudge, type GgufJudge, type GgufJudgeOptions } from '../../src/judges/gguf/index.ts';
import { tinyGgufPath } from './tinyGguf.ts';

export interface LlamaHttpServerOptions extends Partial<Omit<GgufJudgeOptions, 'temperature' | 'maxTokens' | 'seed' | 'constrain'>> {
  /** The name GET /v1/models lists and replies carry. */
  servedName?: string;
  /** max_tokens when a request gives none. */
  defaultMaxTokens?: number;
}

export interface LlamaHttpServer {
  /** Base URL ending in /v1, as an OpenAI client wants it. */
  url: string;
  servedName: string;
  /** Bodies of the chat requests received, in order. */
  requests: Array<Record<string, unknown>>;
  close(): Promise<void>;
}

class BadRequest extends Error {}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function userPrompt(body: Record<string, unknown>): string {
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length !== 1) throw new BadRequest('messages: this server takes exactly one message');
  const m = messages[0] as { role?: unknown; content?: unknown };
  if (m.role !== 'user' || typeof m.content !== 'string') throw new BadRequest('messages[0]: expected {role: "user", content: string}');
  return m.content;
}

function numberField(body: Record<string, unknown>, name: string): number | undefined {
  const v = body[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new BadRequest(`${name}: expected a number`);
  return v;
}

function scaleOf(levels: unknown): Scale | undefined {
  if (levels === undefined) return undefined;
  if (!Array.isArray(levels) || levels.length < 2 || !levels.every((l) => typeof l === 'number')) {
    throw new BadRequest('pollux_levels: expected an array of at least two numbers');
  }
  const values = [...(levels as number[])].sort((a, b) => a - b);
  return {
    kind: values.length === 2 ? 'binary' : 'ordinal',
    levels: values.map((value) => ({ value, description: '' })),
    min: values[0] as number,
    max: values[values.length - 1] as number,
    source: 'mapping',
  };
}

export async function startLlamaHttpServer(options: LlamaHttpServerOptions = {}): Promise<LlamaHttpServer> {
  const { servedName = 'pollux-tiny-random', defaultMaxTokens = 64, ...judgeOptions } = options;
  const model = judgeOptions.model ?? tinyGgufPath();
  const base: GgufJudgeOptions = { gpu: false, threads: 1, contextSize: 2048, ...judgeOptions, model };
  // One backend per distinct sampling setting; the tiny model loads in milliseconds.
  const judges = new Map<string, Promise<GgufJudge>>();
  const judgeFor = (maxTokens: number, temperature: number, seed: number | undefined, constrain: boolean): Promise<GgufJudge> => {
    const key = `${maxTokens}|${temperature}|${seed}|${constrain}`;
    let j = judges.get(key);
    if (!j) {
      j = createGgufJudge({ ...base, maxTokens, temperature, constrain, ...(seed !== undefined ? { seed } : {}) });
      judges.set(key, j);
    }
    return j;
  };
  const requests: Array<Record<string, unknown>> = [];

  const server = createServer(async (req, res) => {
    const url = req.url ?? '';
    try {
      if (req.method === 'GET' && url === '/v1/models') {
        send(res, 200, { object: 'list', data: [{ id: servedName, object: 'model', created: 0, owned_by: 'pollux-test' }] });
        return;
      }
      if (req.method !== 'POST' || url !== '/v1/chat/completions') {
        send(res, 404, { error: { message: `no route ${req.method} ${url}`, type: 'not_found' } });
        return;
      }
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(await readBody(req)) as Record<string, unknown>;
      } catch {
        throw new BadRequest('the body is not JSON');
      }
      requests.push(body);
      if (body.stream === true) throw new BadRequest('stream: not supported by this server');
      const prompt = userPrompt(body);
      const maxTokens = numberField(body, 'max_tokens') ?? defaultMaxTokens;
      const temperature = numberField(body, 'temperature') ?? 1;
      const seed = numberField(body, 'seed');
      const constrain = body.pollux_constrain === true;
      const judge = await judgeFor(maxTokens, temperature, seed, constrain);
      const disconnected = new AbortController();
      res.on('close', () => {
        if (!res.writableFinished) disconnected.abort();
      });
      const scale = scaleOf(body.pollux_levels);
      const reply = await judge.judge(prompt, { signal: disconnected.signal, ...(scale ? { scale } : {}) });
      send(res, 200, {
        id: `chatcmpl-${requests.length}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: servedName,
        choices: [{ index: 0, message: { role: 'assistant', content: reply.text }, finish_reason: reply.finishReason }],
        usage: { prompt_tokens: reply.usage.prompt, completion_tokens: reply.usage.completion, total_tokens: reply.usage.total },
      });
    } catch (err) {
      if (res.headersSent || res.destroyed) return;
      // Like vLLM: what retrying cannot fix (a prompt over the context) is a 400, the rest a 500.
      const status = err instanceof BadRequest || (err instanceof JudgeError && err.kind === 'fatal') ? 400 : 500;
      send(res, status, { error: { message: errorMessage(err), type: status === 400 ? 'BadRequestError' : 'InternalServerError' } });
    }
  });
  const listener = await listenOnLoopback(server);
  return {
    url: listener.url,
    servedName,
    requests,
    async close() {
      await listener.close();
      for (const j of judges.values()) await (await j.catch(() => null))?.close();
    },
  };
}
