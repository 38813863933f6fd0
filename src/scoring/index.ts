export * from './types.ts';
export { normalise, normaliseByMax, isBinaryScale, isGate, gateFires, GATE_FIRES_AT } from './normalise.ts';
export { upstreamScore, withUpstreamVerdict } from './upstreamVerdict.ts';
export { DuplicateJudgmentError } from './collect.ts';
export { buildScoreReport } from './report.ts';
export { scoreReportCsv, writeScoreCsv } from './csv.ts';
export { taskGroupLookup } from './taskGroups.ts';
export { parseThreshold, checkThresholds, type ScoreThreshold, type ThresholdFailure } from './thresholds.ts';
