// Statistics: small pure functions over arrays (null where undefined, never NaN).
export * from './agreement.ts';
export * from './confusion.ts';
export * from './correlation.ts';
export * from './kappa.ts';
export * from './krippendorff.ts';
export * from './levels.ts';
export * from './metrics.ts';
export * from './random.ts';
// Clustered bootstrap.
export * from './bootstrap.ts';
export * from './bootstrapPlan.ts';
export * from './intervals.ts';
// Reports.
export { buildMetaReport, type MetaOptions } from './report.ts';
export * from './reportTypes.ts';
export * from './compare.ts';
export { POLLUX_OUT_OF_DOMAIN_TASKS, domainSide, type DomainSide } from './domains.ts';
export { HumanScoresBuilder, humanItemFor, humanKey, readHumanScores, type HumanItem, type HumanScores } from './humanScores.ts';
export { DEFAULT_BOOTSTRAP, type BootstrapOptionsInput } from './settings.ts';
