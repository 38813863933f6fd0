export * from './openRun.ts';
