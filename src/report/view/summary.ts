import { Worker } from 'node:worker_threads';
import { buildReportData, type ReportData, type ReportOptions } from '../html/reportData.ts';

/** What the viewer's overview shows: the score report and the agreement with experts. */
export type ReportSummary = Pick<ReportData, 'score' | 'agreement' | 'gate'>;

export function buildReportSummary(files: readonly string[], options: ReportOptions): ReportSummary {
  const data = buildReportData(files, { ...options, judgments: false });
  return { score: data.score, agreement: data.agreement, gate: data.gate };
}

/** buildReportSummary in a worker thread: a million judgments take seconds the server must not block for. */
export function summaryInWorker(files: readonly string[], options: ReportOptions): Promise<ReportSummary> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./summaryWorker.mjs', import.meta.url), { workerData: { files, options } });
    worker.once('message', (m: { ok: true; summary: ReportSummary } | { ok: false; message: string }) => {
      void worker.terminate();
      if (m.ok) resolve(m.summary);
      else reject(new Error(m.message));
    });
    worker.once('error', reject);
  });
}
