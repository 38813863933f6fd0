import { canonicalJson } from '../core/hash.ts';

/**
 * What a run was asked to do. A resume compares the stored manifest with the one the new command
 * would write (compareManifests) and refuses to mix judgments of two different runs in one file.
 */
export interface RunManifest {
  formatVersion: 1;
  /** ISO times. */
  createdAt: string;
  updatedAt: string;
  toolVersion: string;
  taxonomyVersion: string | null;
  dataset: {
    path: string;
    fingerprint: string;
    format: string | null;
    shape: string | null;
    answers?: { path: string; fingerprint: string } | null;
  };
  template: 'paper' | 'v2';
  judge: { backend: string; model: string; params: Record<string, unknown>; endpoints: string[] };
  repeat: number;
  /** Free-form settings that change which requests exist, e.g. criteria files, a column map. */
  options: Record<string, unknown>;
}

const MAX_VALUE_CHARS = 80;

function show(value: unknown): string {
  if (value === undefined) return '(unset)';
  const text = typeof value === 'string' ? JSON.stringify(value) : canonicalJson(value);
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS - 1)}…` : text;
}

function same(a: unknown, b: unknown): boolean {
  return canonicalJson(a ?? null) === canonicalJson(b ?? null);
}

function change(what: string, before: unknown, after: unknown): string {
  return `${what}: ${show(before)} → ${show(after)}`;
}

/** One line per key of two records whose values differ, named `${label} ${key}`. */
function compareRecords(label: string, before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return keys
    .filter((k) => !same(before[k], after[k]))
    .map((k) => change(`${label} ${k}`, before[k], after[k]));
}

/**
 * What differs between the manifest in a run file and the one a command wants, one human line
 * each (`judge model: "a" → "b"`); empty when the run may be resumed.
 *
 * Not compared: the times and the tool version (a newer pollux may resume an older run), the
 * dataset's path (the same bytes may be reached from another directory; the fingerprint is what
 * matters), and the judge's endpoints: they say where replicas of the same model are served, not
 * what is asked, so a run may move to another server or gain replicas between resumes. Each
 * judgment records the endpoint that answered it.
 */
export function compareManifests(stored: RunManifest, wanted: RunManifest): string[] {
  const lines: string[] = [];
  if (stored.formatVersion !== wanted.formatVersion) lines.push(change('manifest format', stored.formatVersion, wanted.formatVersion));
  if (stored.dataset.fingerprint !== wanted.dataset.fingerprint) {
    lines.push(change('dataset fingerprint', stored.dataset.fingerprint, wanted.dataset.fingerprint) + ` (${stored.dataset.path} → ${wanted.dataset.path})`);
  }
  if (!same(stored.dataset.format, wanted.dataset.format)) lines.push(change('dataset format', stored.dataset.format, wanted.dataset.format));
  if (!same(stored.dataset.shape, wanted.dataset.shape)) lines.push(change('dataset shape', stored.dataset.shape, wanted.dataset.shape));
  const answersBefore = stored.dataset.answers ?? null;
  const answersAfter = wanted.dataset.answers ?? null;
  if (!same(answersBefore?.fingerprint, answersAfter?.fingerprint)) {
    lines.push(change('answers file fingerprint', answersBefore?.fingerprint ?? null, answersAfter?.fingerprint ?? null));
  }
  if (stored.template !== wanted.template) lines.push(change('template', stored.template, wanted.template));
  if (stored.judge.backend !== wanted.judge.backend) lines.push(change('judge backend', stored.judge.backend, wanted.judge.backend));
  if (stored.judge.model !== wanted.judge.model) lines.push(change('judge model', stored.judge.model, wanted.judge.model));
  lines.push(...compareRecords('judge parameter', stored.judge.params, wanted.judge.params));
  if (stored.repeat !== wanted.repeat) lines.push(change('repeat', stored.repeat, wanted.repeat));
  if (!same(stored.taxonomyVersion, wanted.taxonomyVersion)) lines.push(change('taxonomy version', stored.taxonomyVersion, wanted.taxonomyVersion));
  lines.push(...compareRecords('option', stored.options, wanted.options));
  return lines;
}
