export { compareManifests, type RunManifest } from './manifest.ts';
export { REQUEST_STATUSES, type JudgmentTimes, type RequestRow, type RequestStatus, type StoredRecord } from './records.ts';
export {
  openRunStore,
  type JudgmentToSave,
  type OpenRunStoreOptions,
  type RecordFilter,
  type RunCounts,
  type RunStats,
  type RunStore,
} from './runStore.ts';
export { RUN_FILE_APPLICATION_ID, STORE_FORMAT_VERSION, type Synchronous } from './schema.ts';
export { EXPORT_FORMATS, exportRun, type ExportFormat, type ExportOptions, type ExportResult } from './export.ts';
export { EXPORT_COLUMNS, type ExportColumn } from './exportColumns.ts';
