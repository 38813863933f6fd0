// Worker entry (plain JavaScript, so it can register the TypeScript loader itself): builds the
// report summary of the run files off the server's thread, so paging stays quick meanwhile.
import { existsSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';

// In the package (dist/) the compiled summary.js sits beside this file; in a checkout's src/, only
// the TypeScript does, and tsx (a dev dependency) loads it.
const compiled = new URL('./summary.js', import.meta.url);
let summary;
if (existsSync(compiled)) summary = await import(compiled.href);
else {
  const { register } = await import('tsx/esm/api');
  register();
  summary = await import('./summary.ts');
}
const { buildReportSummary, buildViewDictionaries } = summary;
try {
  // The filter lists first: the page fills them in as soon as they arrive.
  parentPort.postMessage({ ok: true, dict: buildViewDictionaries(workerData.files, workerData.options.lang) });
  parentPort.postMessage({ ok: true, summary: buildReportSummary(workerData.files, workerData.options) });
} catch (err) {
  parentPort.postMessage({ ok: false, message: err instanceof Error ? err.message : String(err) });
}
