export { readEvalConfig, parseEvalConfig, evalConfigJsonSchema, evalConfigSchema, type EvalConfig, type EvalModelConfig } from './config.ts';
export { evaluate, evalFileName, type EvaluateOptions, type Evaluation, type EvalStage, type ModelEvaluation } from './evaluate.ts';
