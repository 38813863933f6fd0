// Worker entry (plain JavaScript, so it can register the TypeScript loader itself): builds the
// report summary of the run files off the server's thread, so paging stays quick meanwhile.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { buildReportSummary } = await import('./summary.ts');
try {
  parentPort.postMessage({ ok: true, summary: buildReportSummary(workerData.files, workerData.options) });
} catch (err) {
  parentPort.postMessage({ ok: false, message: err instanceof Error ? err.message : String(err) });
}
