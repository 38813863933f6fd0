export * from './create.ts';
export * from './errorClassification.ts';
export * from './openaiChat.ts';
