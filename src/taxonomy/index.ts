export * from './types.ts';
export { TASK_PATH_SEPARATOR, parseTaskPath, formatTaskPath } from './names.ts';
export * from './polluxData.ts';
export { Catalog } from './catalog.ts';
export type { CriterionQuery } from './catalog.ts';
export * from './criteriaFile.ts';
export * from './buildCatalog.ts';
export * from './describe.ts';
