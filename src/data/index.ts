export * from './tableTypes.ts';
export { readTable, tableFormatOf, parseTableFormat } from './table.ts';
export * from './problems.ts';
export * from './datasetTypes.ts';
export { readDataset, detectShape, DatasetReader } from './dataset.ts';
export { CriterionResolver, customCriterionKey, defaultMatcher, type CriterionMatcher } from './criteria.ts';
export { derivedSampleId } from './readContext.ts';
export * from './plan.ts';
export * from './tokens.ts';
