import type { RunEvent, RunProgress } from '../engine/run.ts';
import { formatDuration } from '../report/text/duration.ts';

/**
 * Run progress on stderr: a live bar on a terminal, a plain line every `intervalMs` otherwise (logs,
 * CI, nohup), nothing with --quiet. stdout stays free for --json.
 */
export interface ProgressOptions {
  quiet: boolean;
  tty?: boolean;
  intervalMs?: number;
  stream?: { write(text: string): unknown; isTTY?: boolean };
  /** What the counts are called (`pollux answer`: answered / truncated, a/s). */
  labels?: ProgressLabels;
}

export interface ProgressLabels {
  scored: string;
  unscored: string;
  rate: string;
}

const JUDGE_LABELS: ProgressLabels = { scored: 'scored', unscored: 'unscored', rate: 'j/s' };

export function formatCount(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  return String(Math.round(n));
}

export function progressLine(p: RunProgress, width = 24, labels: ProgressLabels = JUDGE_LABELS): string {
  const frac = p.total > 0 ? p.done / p.total : 1;
  const filled = Math.round(frac * width);
  const secs = Math.max(p.elapsedMs / 1000, 1e-3);
  const rate = p.doneNow / secs;
  const remaining = p.total - p.done;
  const eta = rate > 0 ? formatDuration((remaining / rate) * 1000) : '?';
  return (
    `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${p.done}/${p.total} ${(frac * 100).toFixed(1)}%` +
    ` | ${labels.scored} ${p.scored} ${labels.unscored} ${p.unscored} errors ${p.error}` +
    ` | ${rate.toFixed(1)} ${labels.rate} ${formatCount(p.completionTokens / secs)} tok/s` +
    ` | in flight ${p.inFlight}/${p.concurrency} | ETA ${eta}`
  );
}

export class ProgressReporter {
  private readonly stream: { write(text: string): unknown; isTTY?: boolean };
  private readonly tty: boolean;
  private readonly intervalMs: number;
  private lastPlain = 0;
  private barShown = false;
  private last: RunProgress | null = null;
  private readonly labels: ProgressLabels;
  private retriesSince = 0;
  private lastRetry = '';

  constructor(private readonly options: ProgressOptions) {
    this.stream = options.stream ?? process.stderr;
    this.tty = options.tty ?? Boolean(this.stream.isTTY);
    this.intervalMs = options.intervalMs ?? 10_000;
    this.labels = options.labels ?? JUDGE_LABELS;
  }

  handle = (event: RunEvent): void => {
    if (this.options.quiet) return;
    switch (event.type) {
      case 'phase':
        this.message(event.message);
        break;
      case 'stopping':
        this.message(`stopping: no new requests; waiting for ${event.inFlight} in flight (Ctrl-C again aborts them; they stay pending)`);
        break;
      case 'retry':
        // Retries are routine under load: plain logs get one line per progress line that sums them
        // up (how many, and the last reason), never a line per retry.
        this.retriesSince++;
        this.lastRetry = event.retry.error.message;
        break;
      case 'progress':
        this.last = event.progress;
        if (this.tty) {
          this.stream.write(`\r\x1b[2K${progressLine(event.progress, 24, this.labels)}`);
          this.barShown = true;
        } else if (event.progress.elapsedMs - this.lastPlain >= this.intervalMs) {
          this.lastPlain = event.progress.elapsedMs;
          this.stream.write(`${progressLine(event.progress, 24, this.labels)}\n`);
          if (this.retriesSince > 0) {
            this.stream.write(`  ${this.retriesSince} retr${this.retriesSince === 1 ? 'y' : 'ies'} since the last line (last: ${this.lastRetry})\n`);
            this.retriesSince = 0;
          }
        }
        break;
    }
  };

  private message(text: string): void {
    if (this.barShown) this.stream.write('\r\x1b[2K');
    this.stream.write(`${text}\n`);
    if (this.barShown && this.last) this.stream.write(progressLine(this.last, 24, this.labels));
  }

  private ended = false;

  end(): void {
    if (this.options.quiet || this.ended) return;
    this.ended = true;
    if (this.barShown) this.stream.write('\n');
    else if (this.last && !this.tty && this.last.doneNow > 0) this.stream.write(`${progressLine(this.last, 24, this.labels)}\n`);
    this.barShown = false;
  }
}
