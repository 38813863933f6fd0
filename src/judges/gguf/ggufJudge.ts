/**
 * A judge run in process by llama.cpp (node-llama-cpp) from a GGUF file: one model, one context
 * with `concurrency` sequences, one sequence per in-flight request. Calls beyond that wait in a
 * queue here, so the engine may call judge() from as many tasks as it likes.
 */
import { basename } from 'node:path';
import { JudgeError, errorMessage } from '../../core/errors.ts';
import type { Scale } from '../../core/scale.ts';
import type { JudgeBackend, JudgeCallOptions, JudgeProvenance, JudgeReply } from '../../core/types.ts';
import type { Llama, LlamaContext, LlamaContextSequence, LlamaGrammar, LlamaModel } from 'node-llama-cpp';
import type { ChatPrompt } from './chatPrompt.ts';
import { GenerationAborted, generateReply, type ReplyConstraint } from './generateReply.ts';
import { closingGrammar, closingReserve, openReplyGrammar } from './replyGrammar.ts';
import type { NodeLlamaCpp } from './runtime.ts';
import { SlotPool } from './slotPool.ts';

export interface GgufJudgeSettings {
  /** As the user gave it: a path or an hf: URI. */
  model: string;
  /** The resolved GGUF file. */
  path: string;
  temperature: number;
  maxTokens: number;
  seed: number | undefined;
  constrain: boolean;
}

export interface GgufJudgeParts {
  nlc: NodeLlamaCpp;
  llama: Llama;
  model: LlamaModel;
  context: LlamaContext;
  chat: ChatPrompt;
}

export class GgufJudge implements JudgeBackend {
  private readonly pool: SlotPool<LlamaContextSequence>;
  private readonly constraints = new Map<string, Promise<ReplyConstraint>>();
  private closed = false;

  constructor(
    private readonly settings: GgufJudgeSettings,
    private readonly parts: GgufJudgeParts,
    sequences: LlamaContextSequence[],
  ) {
    this.pool = new SlotPool(sequences);
  }

  /** Tokens one sequence can hold: prompt plus reply. */
  get contextSize(): number {
    return this.parts.context.contextSize;
  }

  get concurrency(): number {
    return this.parts.context.totalSequences;
  }

  /** Sequences not serving a request right now. */
  get freeSequences(): number {
    return this.pool.available;
  }

  describe(): JudgeProvenance {
    const { model, path, temperature, maxTokens, seed, constrain } = this.settings;
    return {
      backend: 'gguf',
      endpoint: path,
      model: /^hf:/i.test(model) ? model : basename(path),
      params: { temperature, max_tokens: maxTokens, ...(seed !== undefined ? { seed } : {}), constrain },
    };
  }

  /** The prompt as the model sees it, chat template applied. */
  renderPrompt(prompt: string): string {
    return this.parts.chat.render(prompt);
  }

  /** Tokens the prompt takes once the chat template is applied (what usage.prompt reports). */
  promptTokenCount(prompt: string): number {
    return this.parts.chat.tokenize(prompt).length;
  }

  async judge(prompt: string, options: JudgeCallOptions = {}): Promise<JudgeReply> {
    const { signal, scale } = options;
    const endpoint = this.settings.path;
    if (this.closed) throw new JudgeError(`${endpoint}: the judge is closed`, 'fatal', { endpoint });
    const aborted = () => new JudgeError(`${endpoint}: request aborted`, 'transient', { endpoint });
    if (signal?.aborted) throw aborted();

    let promptTokens;
    try {
      promptTokens = this.parts.chat.tokenize(prompt);
    } catch (err) {
      throw new JudgeError(`${endpoint}: cannot tokenize the prompt: ${errorMessage(err)}`, 'fatal', { endpoint, cause: err });
    }
    // Keep one cell free: llama.cpp would otherwise shift the context and silently drop the
    // start of the prompt.
    const room = this.contextSize - 1 - promptTokens.length;
    if (room < 1) {
      throw new JudgeError(
        `${endpoint}: the prompt is ${promptTokens.length} tokens and the context holds ${this.contextSize}; raise the context size`,
        'fatal',
        { endpoint },
      );
    }
    const budget = Math.min(this.settings.maxTokens, room);
    const constraint = this.settings.constrain ? await this.constraintFor(scale) : null;

    let sequence: LlamaContextSequence;
    try {
      sequence = await this.pool.acquire(signal);
    } catch (err) {
      if (err instanceof JudgeError) throw err;
      throw aborted();
    }
    const started = performance.now();
    const work = generateReply(this.parts.nlc, sequence, promptTokens, budget, this.settings, constraint, signal).finally(() =>
      this.pool.release(sequence),
    );
    // The caller gets the abort at once; the sequence returns to the pool after the current
    // decoding step, when generateReply sees the signal.
    work.catch(() => undefined);
    try {
      const reply = await raceAbort(work, signal);
      return {
        text: reply.text,
        reasoning: null,
        finishReason: reply.finishReason,
        usage: { prompt: promptTokens.length, completion: reply.completionTokens, total: promptTokens.length + reply.completionTokens },
        latencyMs: performance.now() - started,
        endpoint,
      };
    } catch (err) {
      if (err instanceof GenerationAborted || signal?.aborted) throw aborted();
      if (this.closed) throw new JudgeError(`${endpoint}: the judge was closed during the request`, 'fatal', { endpoint, cause: err });
      throw new JudgeError(`${endpoint}: generation failed: ${errorMessage(err)}`, 'transient', { endpoint, cause: err });
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const endpoint = this.settings.path;
    this.pool.close(() => new JudgeError(`${endpoint}: the judge was closed`, 'fatal', { endpoint }));
    await this.parts.context.dispose();
    await this.parts.model.dispose();
  }

  /** Grammars are compiled once per distinct scale. */
  private constraintFor(scale: Scale | undefined): Promise<ReplyConstraint> {
    const key = scale ? scale.levels.map((l) => l.value).join('|') : '*';
    let made = this.constraints.get(key);
    if (!made) {
      made = this.compileConstraint(scale);
      made.catch(() => this.constraints.delete(key));
      this.constraints.set(key, made);
    }
    return made;
  }

  private async compileConstraint(scale: Scale | undefined): Promise<ReplyConstraint> {
    const { llama } = this.parts;
    try {
      const [open, closingPlain, closingAfterSpace] = await Promise.all([
        llama.createGrammar({ grammar: openReplyGrammar(scale) }),
        llama.createGrammar({ grammar: closingGrammar(scale, false) }),
        llama.createGrammar({ grammar: closingGrammar(scale, true) }),
      ]);
      return {
        open,
        closing: (afterSpace: boolean): LlamaGrammar => (afterSpace ? closingAfterSpace : closingPlain),
        reserve: closingReserve(scale),
      };
    } catch (err) {
      throw new JudgeError(`${this.settings.path}: cannot compile the reply grammar: ${errorMessage(err)}`, 'fatal', {
        endpoint: this.settings.path,
        cause: err,
      });
    }
  }
}

function raceAbort<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new GenerationAborted());
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
