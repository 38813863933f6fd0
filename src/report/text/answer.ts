/** The summary `pollux answer` ends with, as terminal text. */
import type { AnswerRunSummary } from '../../answer/index.ts';
import { formatDuration } from './duration.ts';

export function formatAnswerSummary(s: AnswerRunSummary): string[] {
  const lines: string[] = [];
  if (s.movedAside) lines.push(`previous answers moved aside to ${s.movedAside}`);
  lines.push(`answers file: ${s.outFile}`);
  lines.push(
    `requests: ${s.total}  answered ${s.counts.answered} (truncated ${s.counts.truncated})  errors ${s.counts.error}  pending ${s.pending}`,
  );
  for (const e of s.firstErrors) lines.push(`  error: prompt_id ${e.promptId} sample ${e.sample}: ${e.error}`);
  lines.push(`answered now: ${s.answeredNow} in ${formatDuration(s.wallMs)} (${s.answersPerSecond.toFixed(1)} answers/s)`);
  lines.push(`tokens: prompt ${s.counts.promptTokens}, completion ${s.counts.completionTokens}`);
  if (s.counts.error > 0) lines.push(`${s.counts.error} request(s) ended in an error; running the same command again asks them again`);
  if (s.pending > 0) lines.push(`${s.pending} request(s) still pending; run the same command again to resume`);
  return lines;
}
