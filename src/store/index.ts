export { compareManifests, type RunManifest } from './manifest.ts';
export { REQUEST_STATUSES, type JudgmentTimes, type RequestRow, type RequestStatus, type RequestTexts, type StoredRecord } from './records.ts';
export {
  openRunStore,
  type JudgmentToSave,
  type OpenRunStoreOptions,
  type RecordFilter,
  type RunCounts,
  type RunStats,
  type RunStore,
  type TextCoverage,
} from './runStore.ts';
export { RUN_FILE_APPLICATION_ID, STORE_FORMAT_VERSION, type Synchronous } from './schema.ts';
export { EXPORT_FORMATS, exportRun, type ExportFormat, type ExportOptions, type ExportResult } from './export.ts';
export { EXPORT_COLUMNS, TEXT_COLUMNS, exportColumns, type ExportColumn } from './exportColumns.ts';
