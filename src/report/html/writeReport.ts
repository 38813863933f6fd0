import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from '../../core/errors.ts';
import { renderPage } from './page.ts';
import { buildReportData, type ReportData, type ReportOptions } from './reportData.ts';

export interface WrittenReport {
  out: string;
  bytes: number;
  data: ReportData;
}

/** The report of `data` as one self-contained HTML file's text. */
export function reportHtml(data: ReportData): string {
  return renderPage({ lang: data.lang, boot: { mode: 'static', ...data }, mode: 'static' }).html;
}

/** Builds the report of run files and writes it to `out` (under a temporary name, renamed when complete). */
export function writeReport(files: readonly string[], out: string, options: ReportOptions = {}): WrittenReport {
  for (const f of files) if (resolve(f) === resolve(out)) throw new UsageError(`the output file ${out} is the run file itself`);
  const data = buildReportData(files, options);
  const html = reportHtml(data);
  const temp = join(dirname(out), `.${basename(out)}.${process.pid}.tmp`);
  try {
    writeFileSync(temp, html);
    renameSync(temp, out);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
  return { out, bytes: Buffer.byteLength(html), data };
}
