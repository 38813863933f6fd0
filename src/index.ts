/**
 * The public library API: everything the CLI can do, a TypeScript user can do from here.
 * Each module adds its export line below.
 */
export * from './core/index.ts';
export * from './taxonomy/index.ts';
export * from './scoring/index.ts';
export * from './judges/gguf/index.ts';
export * from './store/index.ts';
export * from './data/index.ts';
export * from './meta/index.ts';
