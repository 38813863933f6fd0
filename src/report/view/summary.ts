import { Worker } from 'node:worker_threads';
import { buildReportData, type ReportData, type ReportOptions } from '../html/reportData.ts';
import { RunQueries, type ViewDictionaries } from './runQueries.ts';

export function buildViewDictionaries(files: readonly string[], lang: string): ViewDictionaries {
  return RunQueries.dictionaries(files, lang);
}

/** What the viewer's overview shows: the score report and the agreement with experts. */
export type ReportSummary = Pick<ReportData, 'score' | 'agreement' | 'gate'>;

export function buildReportSummary(files: readonly string[], options: ReportOptions): ReportSummary {
  const data = buildReportData(files, { ...options, judgments: false });
  return { score: data.score, agreement: data.agreement, gate: data.gate };
}

export interface SummaryJob {
  /** The filter lists: whole-table passes, so computed here too, first. */
  dict: Promise<ViewDictionaries>;
  result: Promise<ReportSummary>;
  /** Ends the worker (the viewer is closing); `result` then rejects unless it already settled. */
  stop(): Promise<void>;
}

/** buildReportSummary in a worker thread: a million judgments take seconds the server must not block for. */
export function summaryInWorker(files: readonly string[], options: ReportOptions): SummaryJob {
  const worker = new Worker(new URL('./summaryWorker.mjs', import.meta.url), { workerData: { files, options } });
  type Message = { ok: true; dict: ViewDictionaries } | { ok: true; summary: ReportSummary } | { ok: false; message: string };
  let settleDict: { resolve: (d: ViewDictionaries) => void; reject: (e: Error) => void } | undefined;
  const dict = new Promise<ViewDictionaries>((resolve, reject) => (settleDict = { resolve, reject }));
  const result = new Promise<ReportSummary>((resolve, reject) => {
    const fail = (err: Error) => {
      settleDict?.reject(err);
      reject(err);
    };
    worker.on('message', (m: Message) => {
      if (!m.ok) {
        void worker.terminate();
        fail(new Error(m.message));
      } else if ('dict' in m) settleDict?.resolve(m.dict);
      else {
        void worker.terminate();
        resolve(m.summary);
      }
    });
    worker.once('error', fail);
    worker.once('exit', () => fail(new Error('the summary was not computed: the viewer stopped')));
  });
  // Either may never be awaited (the viewer closes first): a rejection then is expected.
  dict.catch(() => undefined);
  return { dict, result, stop: async () => void (await worker.terminate()) };
}
