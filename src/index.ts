/**
 * The public library API: everything the CLI can do, a TypeScript user can do from here.
 * node-llama-cpp stays unloaded until a GGUF judge is created.
 */
export * from './core/index.ts';
export * from './taxonomy/index.ts';
export * from './data/index.ts';
export * from './prompt/index.ts';
export * from './parse/index.ts';
export * from './judges/index.ts';
export * from './judges/gguf/index.ts';
export * from './engine/index.ts';
export * from './run/index.ts';
export * from './store/index.ts';
export * from './scoring/index.ts';
export * from './meta/index.ts';
export * from './answer/index.ts';
export * from './eval/index.ts';
