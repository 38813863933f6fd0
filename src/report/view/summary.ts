import { Worker } from 'node:worker_threads';
import { buildReportData, type ReportData, type ReportOptions } from '../html/reportData.ts';

/** What the viewer's overview shows: the score report and the agreement with experts. */
export type ReportSummary = Pick<ReportData, 'score' | 'agreement' | 'gate'>;

export function buildReportSummary(files: readonly string[], options: ReportOptions): ReportSummary {
  const data = buildReportData(files, { ...options, judgments: false });
  return { score: data.score, agreement: data.agreement, gate: data.gate };
}

export interface SummaryJob {
  result: Promise<ReportSummary>;
  /** Ends the worker (the viewer is closing); `result` then rejects unless it already settled. */
  stop(): Promise<void>;
}

/** buildReportSummary in a worker thread: a million judgments take seconds the server must not block for. */
export function summaryInWorker(files: readonly string[], options: ReportOptions): SummaryJob {
  const worker = new Worker(new URL('./summaryWorker.mjs', import.meta.url), { workerData: { files, options } });
  const result = new Promise<ReportSummary>((resolve, reject) => {
    worker.once('message', (m: { ok: true; summary: ReportSummary } | { ok: false; message: string }) => {
      void worker.terminate();
      if (m.ok) resolve(m.summary);
      else reject(new Error(m.message));
    });
    worker.once('error', reject);
    worker.once('exit', () => reject(new Error('the summary was not computed: the viewer stopped')));
  });
  return { result, stop: async () => void (await worker.terminate()) };
}
