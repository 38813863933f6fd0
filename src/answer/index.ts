export { readInstructions, type InstructionToAnswer, type InstructionList, type InstructionReadOptions } from './instructions.ts';
export { splitReasoning, type SplitAnswer } from './reasoning.ts';
export { AnswerStore, type AnswerManifest, type AnswerRow, type AnswerCounts } from './store.ts';
export { askModel, DEFAULT_ASK_POLICY, type AskPolicy, type AskResult } from './ask.ts';
export { runAnswers, answerKey, writeAnswersJsonl, type AnswerRunConfig, type AnswerRunSummary } from './run.ts';
export {
  connectModel,
  parseModelUrls,
  modelApiKeyFromEnv,
  DEFAULT_ANSWER_MAX_TOKENS,
  DEFAULT_ANSWER_TEMPERATURE,
  type ModelUnderTest,
  type ConnectedModel,
} from './model.ts';
