/**
 * A tiny random-weight llama-architecture GGUF model, generated at test time, so tests and
 * benchmarks can drive a real llama.cpp engine (node-llama-cpp) in well under a second.
 *
 * The weights are random, so the model writes gibberish, but gibberish with two useful properties:
 * - every token it can emit unconstrained is a printable piece (ASCII, Cyrillic, a few tags), so
 *   its replies are valid UTF-8: one embedding dimension is a constant that the blocks never
 *   write to, and the output rows of byte/control tokens weigh that dimension strongly negative;
 * - the vocabulary holds the characters of `[FEEDBACK]`, `[RESULT]`, `[END]` and the digits, so a
 *   grammar can make it write a POLLUX reply.
 */
import { existsSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeGguf, type GgufTensor, type GgufValue } from './ggufWriter.ts';

export const CHATML_TEMPLATE =
  "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

export interface TinyModelShape {
  layers: number;
  embedding: number;
  heads: number;
  headsKv: number;
  feedForward: number;
  contextLength: number;
}

export const TINY_SHAPE: TinyModelShape = { layers: 2, embedding: 64, heads: 4, headsKv: 2, feedForward: 128, contextLength: 4096 };

const TYPE_NORMAL = 1;
const TYPE_UNKNOWN = 2;
const TYPE_CONTROL = 3;
const TYPE_BYTE = 6;

interface Vocabulary {
  tokens: string[];
  scores: number[];
  types: number[];
  /** Whether the model may emit the token unconstrained (printable pieces only). */
  printable: boolean[];
}

/** SentencePiece-style vocabulary: `▁` stands for a space; unknown characters fall back to bytes. */
export function tinyVocabulary(): Vocabulary {
  const v: Vocabulary = { tokens: [], scores: [], types: [], printable: [] };
  const add = (piece: string, type: number, score: number): void => {
    if (v.tokens.includes(piece)) return;
    v.tokens.push(piece);
    v.types.push(type);
    v.scores.push(score);
    v.printable.push(type === TYPE_NORMAL);
  };
  add('<unk>', TYPE_UNKNOWN, 0);
  add('<s>', TYPE_CONTROL, 0);
  add('</s>', TYPE_CONTROL, 0);
  add('<|im_start|>', TYPE_CONTROL, 0);
  add('<|im_end|>', TYPE_CONTROL, 0);
  for (let b = 0; b < 256; b++) add(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`, TYPE_BYTE, 0);
  add('▁', TYPE_NORMAL, -1);
  for (let c = 0x21; c <= 0x7e; c++) add(String.fromCharCode(c), TYPE_NORMAL, -1);
  for (let c = 0x410; c <= 0x44f; c++) add(String.fromCharCode(c), TYPE_NORMAL, -1);
  add('ё', TYPE_NORMAL, -1);
  add('Ё', TYPE_NORMAL, -1);
  // Multi-character pieces: the tags as single tokens, and common Russian bigrams that the
  // tokenizer can reach by merging two single characters.
  const pieces = ['[FEEDBACK]', '[RESULT]', '[END]', '▁и', '▁в', '▁н', '▁п', '▁с', 'не', 'ст', 'ра', 'то', 'ен', 'ов', 'но', 'по', 'ни', 'ка', 'ть', 'ло'];
  pieces.forEach((p, i) => add(p, TYPE_NORMAL, -0.5 + i * 0.01));
  return v;
}

/** mulberry32 with Box–Muller: a seeded normal generator, so the file is the same on every run. */
function normalRng(seed: number): () => number {
  let a = seed >>> 0;
  const uniform = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => {
    const u = Math.max(uniform(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform());
  };
}

export function buildTinyGguf(options: { seed?: number; shape?: Partial<TinyModelShape> } = {}): Buffer {
  const shape = { ...TINY_SHAPE, ...options.shape };
  const rand = normalRng(options.seed ?? 20250601);
  const vocab = tinyVocabulary();
  const nVocab = vocab.tokens.length;
  const d = shape.embedding;
  const headDim = d / shape.heads;
  const dKv = headDim * shape.headsKv;

  /** rows × cols, row-major; ggml dims are [cols, rows]. */
  const matrix = (name: string, rows: number, cols: number, std: number, fill?: (r: number, c: number) => number | null): GgufTensor => {
    const data = new Float32Array(rows * cols);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) data[r * cols + c] = fill?.(r, c) ?? rand() * std;
    }
    return { name, dims: [cols, rows], data };
  };
  const ones = (name: string, n: number): GgufTensor => ({ name, dims: [n], data: new Float32Array(n).fill(1) });

  // Dimension 0 carries a constant: embeddings set it, and no block writes to it (row 0 of the
  // output projections is zero), so after the final norm it is a positive "bias" input.
  const tensors: GgufTensor[] = [matrix('token_embd.weight', nVocab, d, 1, (_r, c) => (c === 0 ? 2 : null))];
  for (let i = 0; i < shape.layers; i++) {
    const s = 1 / Math.sqrt(d);
    tensors.push(
      ones(`blk.${i}.attn_norm.weight`, d),
      matrix(`blk.${i}.attn_q.weight`, d, d, s),
      matrix(`blk.${i}.attn_k.weight`, dKv, d, s),
      matrix(`blk.${i}.attn_v.weight`, dKv, d, s),
      matrix(`blk.${i}.attn_output.weight`, d, d, s, (r) => (r === 0 ? 0 : null)),
      ones(`blk.${i}.ffn_norm.weight`, d),
      matrix(`blk.${i}.ffn_gate.weight`, shape.feedForward, d, s),
      matrix(`blk.${i}.ffn_up.weight`, shape.feedForward, d, s),
      matrix(`blk.${i}.ffn_down.weight`, d, shape.feedForward, 1 / Math.sqrt(shape.feedForward), (r) => (r === 0 ? 0 : null)),
    );
  }
  tensors.push(ones('output_norm.weight', d));
  tensors.push(
    matrix('output.weight', nVocab, d, 1, (r, c) => {
      if (vocab.printable[r]) return c === 0 ? 0 : null;
      return c === 0 ? -12 : 0;
    }),
  );

  const meta: Array<readonly [string, GgufValue]> = [
    ['general.architecture', { type: 'string', value: 'llama' }],
    ['general.name', { type: 'string', value: 'pollux-tiny-random' }],
    ['general.file_type', { type: 'u32', value: 0 }],
    ['general.alignment', { type: 'u32', value: 32 }],
    ['llama.context_length', { type: 'u32', value: shape.contextLength }],
    ['llama.embedding_length', { type: 'u32', value: d }],
    ['llama.block_count', { type: 'u32', value: shape.layers }],
    ['llama.feed_forward_length', { type: 'u32', value: shape.feedForward }],
    ['llama.attention.head_count', { type: 'u32', value: shape.heads }],
    ['llama.attention.head_count_kv', { type: 'u32', value: shape.headsKv }],
    ['llama.attention.layer_norm_rms_epsilon', { type: 'f32', value: 1e-5 }],
    ['llama.rope.dimension_count', { type: 'u32', value: headDim }],
    ['llama.rope.freq_base', { type: 'f32', value: 10000 }],
    ['llama.vocab_size', { type: 'u32', value: nVocab }],
    ['tokenizer.ggml.model', { type: 'string', value: 'llama' }],
    ['tokenizer.ggml.tokens', { type: 'string[]', value: vocab.tokens }],
    ['tokenizer.ggml.scores', { type: 'f32[]', value: vocab.scores }],
    ['tokenizer.ggml.token_type', { type: 'i32[]', value: vocab.types }],
    ['tokenizer.ggml.bos_token_id', { type: 'u32', value: 1 }],
    ['tokenizer.ggml.eos_token_id', { type: 'u32', value: vocab.tokens.indexOf('<|im_end|>') }],
    ['tokenizer.ggml.unknown_token_id', { type: 'u32', value: 0 }],
    ['tokenizer.ggml.add_bos_token', { type: 'bool', value: false }],
    ['tokenizer.ggml.add_eos_token', { type: 'bool', value: false }],
    ['tokenizer.ggml.add_space_prefix', { type: 'bool', value: false }],
    ['tokenizer.chat_template', { type: 'string', value: CHATML_TEMPLATE }],
  ];
  return writeGguf(meta, tensors);
}

let cached: string | null = null;

/** The tiny model's path, written once per process under os.tmpdir() and removed at exit. */
export function tinyGgufPath(): string {
  if (cached && existsSync(cached)) return cached;
  const path = join(tmpdir(), `pollux-tiny-llama-${process.pid}.gguf`);
  writeFileSync(path, buildTinyGguf());
  if (!cached) {
    process.once('exit', () => {
      try {
        unlinkSync(path);
      } catch {
        // already gone
      }
    });
  }
  cached = path;
  return path;
}
