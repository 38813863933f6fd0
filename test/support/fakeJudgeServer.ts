import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { listenOnLoopback } from './loopback.ts';

/**
 * A real OpenAI-compatible HTTP server on 127.0.0.1 for tests and benchmarks, with scripted faults.
 * Each chat request is answered by the `reply` function, which sees the prompt and the request count.
 */
export type FakeAction =
  | { kind: 'verdict'; text: string; finishReason?: string; reasoning?: string; delayMs?: number }
  | { kind: 'status'; status: number; body?: string; headers?: Record<string, string>; delayMs?: number }
  | { kind: 'hang' }
  | { kind: 'reset' }
  | { kind: 'malformed'; body: string };

export interface FakeRequest {
  prompt: string;
  body: Record<string, unknown>;
  /** 1-based count of chat requests received so far, this one included. */
  n: number;
}

export interface FakeJudgeServerOptions {
  models?: string[];
  reply?: (req: FakeRequest) => FakeAction;
}

export interface FakeJudgeServer {
  url: string;
  requests: FakeRequest[];
  /** Headers of every chat request, to check what the client sent (e.g. the API key). */
  headers: Array<Record<string, string | string[] | undefined>>;
  close(): Promise<void>;
}

export const verdict = (score: number | string, feedback = 'Ответ корректен.'): FakeAction => ({
  kind: 'verdict',
  text: `[FEEDBACK] ${feedback} [RESULT] ${score} [END]`,
});

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function completion(model: string, action: Extract<FakeAction, { kind: 'verdict' }>, promptChars: number): string {
  const message: Record<string, unknown> = { role: 'assistant', content: action.text };
  if (action.reasoning !== undefined) message.reasoning_content = action.reasoning;
  return JSON.stringify({
    id: 'chatcmpl-test',
    object: 'chat.completion',
    created: 0,
    model,
    choices: [{ index: 0, message, finish_reason: action.finishReason ?? 'stop' }],
    usage: { prompt_tokens: Math.ceil(promptChars / 4), completion_tokens: Math.ceil(action.text.length / 4), total_tokens: 0 },
  });
}

export async function startFakeJudgeServer(options: FakeJudgeServerOptions = {}): Promise<FakeJudgeServer> {
  const models = options.models ?? ['ai-forever/pollux-judge-7b'];
  const reply = options.reply ?? (() => verdict(1));
  const requests: FakeRequest[] = [];
  const headers: FakeJudgeServer['headers'] = [];
  const hung = new Set<ServerResponse>();

  const server: Server = createServer(async (req, res) => {
    const url = req.url ?? '';
    if (req.method === 'GET' && url.endsWith('/models')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'list', data: models.map((id) => ({ id, object: 'model', created: 0, owned_by: 'test' })) }));
      return;
    }
    if (req.method !== 'POST' || !url.endsWith('/chat/completions')) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `no route ${req.method} ${url}` } }));
      return;
    }
    const body = JSON.parse(await readBody(req)) as Record<string, unknown>;
    const messages = body.messages as Array<{ role: string; content: string }>;
    // The user message: a judge request has only that one; a model under test may get a system one first.
    const prompt = messages?.[messages.length - 1]?.content ?? '';
    const request: FakeRequest = { prompt, body, n: requests.length + 1 };
    requests.push(request);
    headers.push({ ...req.headers });
    const action = reply(request);
    const delay = 'delayMs' in action && action.delayMs ? action.delayMs : 0;
    const send = () => {
      switch (action.kind) {
        case 'verdict':
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(completion(String(body.model ?? models[0]), action, prompt.length));
          return;
        case 'status':
          res.writeHead(action.status, { 'content-type': 'application/json', ...(action.headers ?? {}) });
          res.end(action.body ?? JSON.stringify({ error: { message: `scripted ${action.status}` } }));
          return;
        case 'malformed':
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(action.body);
          return;
        case 'reset':
          req.socket.destroy();
          return;
        case 'hang':
          hung.add(res);
          return;
      }
    };
    if (delay > 0) setTimeout(send, delay);
    else send();
  });
  server.keepAliveTimeout = 60_000;
  const listener = await listenOnLoopback(server);
  return {
    url: listener.url,
    requests,
    headers,
    close: () => {
      hung.clear();
      return listener.close();
    },
  };
}
