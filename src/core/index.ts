export * from './errors.ts';
export * from './hash.ts';
export * from './scale.ts';
export * from './types.ts';
