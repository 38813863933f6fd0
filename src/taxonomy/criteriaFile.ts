import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { Document, Node as YamlNode } from 'yaml';
import { InputError, errorMessage } from '../core/errors.ts';
import type { InputLocation } from '../core/errors.ts';
import { parseNumber, renderRubricMapping, scaleFromMapping, scaleFromRubricText } from '../core/scale.ts';
import type { Scale } from '../core/scale.ts';
import { formatTaskPath, parseTaskPath } from './names.ts';
import type { TaxonomyCriterion } from './types.ts';

/** A task → criteria set from a custom file; keys are checked against the whole catalog on merge. */
export interface CriteriaFileTask {
  /** Task path parts (task type, subtask, sub-subtask; a group name may come first). */
  path: string[];
  keys: string[];
  /** Where each key is written, for "unknown key" errors. */
  keyLocations: InputLocation[];
  location: InputLocation;
}

export interface CriteriaFile {
  file: string;
  sha256: string;
  criteria: TaxonomyCriterion[];
  tasks: CriteriaFileTask[];
}

/** Every problem found in one criteria file; the message lists them all, one per line. */
export class CriteriaFileError extends InputError {
  readonly issues: readonly InputError[];
  constructor(issues: readonly InputError[]) {
    const first = issues[0] ?? new InputError('invalid criteria file');
    super(first.problem, first.location);
    this.issues = issues;
    this.message = issues.map((i) => i.message).join('\n');
  }
}

const CRITERION_FIELDS = ['key', 'name', 'rubric', 'gate', 'group'];
// The level-line pattern of src/core/scale.ts, used here only to spot a level written twice.
const LEVEL_LINE = /^[ \t]*(?:[-*•·][ \t]+)?([-−]?\d+(?:[.,]\d+)?)[ \t]*(?:[:—–).]|-(?![ \t]*\d))/;

class FileReader {
  readonly issues: InputError[] = [];
  readonly #lines: LineCounter;
  readonly #doc: Document;
  constructor(
    readonly file: string,
    lines: LineCounter,
    doc: Document,
  ) {
    this.#lines = lines;
    this.#doc = doc;
  }

  node(n: unknown): YamlNode | null {
    const v = isAlias(n) ? n.resolve(this.#doc) : n;
    return (v ?? null) as YamlNode | null;
  }
  line(n: unknown): number | undefined {
    const range = (n as { range?: [number, number, number] } | null)?.range;
    return range ? this.#lines.linePos(range[0]).line : undefined;
  }
  where(n: unknown, field: string): InputLocation {
    const line = this.line(n);
    return line === undefined ? { file: this.file, field } : { file: this.file, line, field };
  }
  issue(n: unknown, field: string, problem: string): undefined {
    this.issues.push(new InputError(problem, this.where(n, field)));
    return undefined;
  }
  /** A scalar string (numbers allowed where YAML reads `0:` as a number key). */
  text(n: unknown, field: string, what: string, allowNumber = false): string | undefined {
    const v = this.node(n);
    if (isScalar(v) && (typeof v.value === 'string' || (allowNumber && typeof v.value === 'number'))) {
      const s = String(v.value);
      if (s.trim() !== '') return s;
      return this.issue(v, field, `${what} is empty`);
    }
    return this.issue(v, field, `${what} must be text`);
  }
  /** Map entries as [key text, key node, value node]. */
  entries(n: unknown): Array<[string, unknown, unknown]> {
    const v = this.node(n);
    if (!isMap(v)) return [];
    return v.items.map((pair) => {
      const k = this.node(pair.key);
      return [isScalar(k) ? String(k.value) : String(k), k, pair.value];
    });
  }
}

function quoted(s: string): string {
  return JSON.stringify(s);
}

function readName(r: FileReader, n: unknown, field: string): TaxonomyCriterion['name'] | undefined {
  const v = r.node(n);
  if (isMap(v)) {
    const e = new Map(r.entries(v).map(([k, , val]) => [k, val]));
    for (const k of e.keys()) if (k !== 'ru' && k !== 'en') r.issue(v, field, `unknown field ${quoted(k)} (expected ru, en)`);
    if (!e.has('ru')) return r.issue(v, field, 'the name needs a "ru" text (the name shown to the judge)');
    const ru = r.text(e.get('ru'), `${field}.ru`, 'the name');
    const en = e.has('en') ? r.text(e.get('en'), `${field}.en`, 'the English name') : null;
    return ru === undefined || en === undefined ? undefined : { ru, en };
  }
  const ru = r.text(v, field, 'the name');
  return ru === undefined ? undefined : { ru, en: null };
}

function readRubric(r: FileReader, n: unknown, field: string): { rubric: string; scale: Scale } | undefined {
  const v = r.node(n);
  const at = r.where(v, field);
  if (isMap(v)) {
    const mapping: Record<string, string> = {};
    const seen = new Map<number, string>();
    let ok = true;
    for (const [k, kNode, val] of r.entries(v)) {
      const value = parseNumber(k.trim());
      if (k.trim() === '' || !Number.isFinite(value)) {
        r.issue(kNode, field, `level ${quoted(k)} is not a number`);
        ok = false;
        continue;
      }
      if (seen.has(value)) {
        r.issue(kNode, field, `level ${value} appears twice (as ${quoted(seen.get(value) ?? '')} and ${quoted(k)})`);
        ok = false;
        continue;
      }
      seen.set(value, k);
      const text = r.text(val, `${field}[${quoted(k)}]`, `the description of level ${k}`);
      if (text === undefined) ok = false;
      else mapping[k.trim()] = text;
    }
    if (!ok) return undefined;
    if (seen.size === 0) return r.issue(v, field, 'the rubric is empty');
    if (seen.size < 2) return r.issue(v, field, 'a rubric needs at least two levels');
    return { rubric: renderRubricMapping(mapping), scale: scaleFromMapping(mapping, at) };
  }
  if (!isScalar(v) || typeof v.value !== 'string') {
    if (isScalar(v) && (v.value === null || v.value === '')) return r.issue(v, field, 'the rubric is empty');
    return r.issue(v, field, 'the rubric must be text ("0: …\\n\\n1: …") or a mapping of levels to texts');
  }
  const text = v.value;
  if (!text.trim()) return r.issue(v, field, 'the rubric is empty');
  const values = new Map<number, number>();
  for (const line of text.split(/\r\n|\r|\n/)) {
    const m = LEVEL_LINE.exec(line);
    if (m?.[1] !== undefined) {
      const value = parseNumber(m[1]);
      values.set(value, (values.get(value) ?? 0) + 1);
    }
  }
  const twice = [...values].filter(([, count]) => count > 1).map(([value]) => value);
  if (twice.length > 0) return r.issue(v, field, `level ${twice.join(', ')} appears more than once in the rubric`);
  try {
    return { rubric: text, scale: scaleFromRubricText(text, at) };
  } catch (err) {
    return r.issue(v, field, err instanceof InputError ? err.problem : errorMessage(err));
  }
}

function readCriterion(r: FileReader, n: unknown, field: string, keysSeen: Map<string, number | undefined>): TaxonomyCriterion | undefined {
  const v = r.node(n);
  if (!isMap(v)) return r.issue(v, field, 'each criterion must be a mapping with key, name and rubric');
  const e = new Map(r.entries(v).map(([k, , val]) => [k, val]));
  for (const k of e.keys()) {
    if (!CRITERION_FIELDS.includes(k)) r.issue(v, `${field}.${k}`, `unknown field (expected ${CRITERION_FIELDS.join(', ')})`);
  }
  for (const required of ['key', 'name', 'rubric']) {
    if (!e.has(required)) r.issue(v, `${field}.${required}`, 'missing');
  }
  let key: string | undefined;
  if (e.has('key')) {
    key = r.text(e.get('key'), `${field}.key`, 'the key');
    if (key !== undefined && /\s/.test(key)) key = r.issue(e.get('key'), `${field}.key`, `the key ${quoted(key)} must not contain spaces`);
    if (key !== undefined && keysSeen.has(key)) {
      const first = keysSeen.get(key);
      key = r.issue(e.get('key'), `${field}.key`, `duplicate key ${quoted(key)}${first ? ` (first defined at line ${first})` : ''}`);
    } else if (key !== undefined) keysSeen.set(key, r.line(r.node(e.get('key'))));
  }
  const name = e.has('name') ? readName(r, e.get('name'), `${field}.name`) : undefined;
  const rubric = e.has('rubric') ? readRubric(r, e.get('rubric'), `${field}.rubric`) : undefined;
  let gate = false;
  if (e.has('gate')) {
    const g = r.node(e.get('gate'));
    if (isScalar(g) && typeof g.value === 'boolean') gate = g.value;
    else r.issue(g, `${field}.gate`, 'must be true or false');
  }
  if (gate && rubric && (rubric.scale.levels.length !== 2 || rubric.scale.min !== 0 || rubric.scale.max !== 1)) {
    r.issue(e.get('gate'), `${field}.gate`, 'a gate criterion must have exactly the levels 0 and 1 (1 = the gate fires)');
    return undefined;
  }
  let group: string | null = null;
  const g = e.has('group') ? r.node(e.get('group')) : null;
  if (g !== null && !(isScalar(g) && g.value === null)) group = r.text(g, `${field}.group`, 'the group') ?? null;
  if (key === undefined || !name || !rubric) return undefined;
  return {
    key,
    name,
    group,
    rubric: rubric.rubric,
    scale: rubric.scale,
    gate,
    groupName: group === null ? null : { ru: group, en: group },
    domain: null,
    task: null,
    subtask1: null,
    subtask2: null,
    binary: rubric.scale.kind === 'binary',
    origin: r.file,
  };
}

function readTaskPath(r: FileReader, n: unknown, field: string): string[] | undefined {
  const v = r.node(n);
  let parts: string[] | undefined;
  if (isSeq(v)) {
    const items = v.items.map((item, i) => r.text(item, `${field}[${i}]`, 'a task name'));
    if (items.some((p) => p === undefined)) return undefined;
    parts = (items as string[]).map((p) => p.trim());
  } else {
    const text = r.text(v, field, 'the task');
    if (text === undefined) return undefined;
    parts = parseTaskPath(text);
  }
  if (parts.length === 0) return r.issue(v, field, 'the task path is empty');
  if (parts.length > 4) return r.issue(v, field, 'a task path has at most a group, a task type, a subtask and a sub-subtask');
  return parts;
}

function readTaskKeys(r: FileReader, n: unknown, field: string): Pick<CriteriaFileTask, 'keys' | 'keyLocations'> | undefined {
  const v = r.node(n);
  if (!isSeq(v)) return r.issue(v, field, 'a task needs a list of criterion keys');
  if (v.items.length === 0) return r.issue(v, field, 'the list of criterion keys is empty');
  const keys: string[] = [];
  const keyLocations: InputLocation[] = [];
  let ok = true;
  v.items.forEach((item, i) => {
    const key = r.text(item, `${field}[${i}]`, 'a criterion key');
    if (key === undefined) ok = false;
    else if (keys.includes(key)) {
      r.issue(item, `${field}[${i}]`, `criterion ${quoted(key)} is listed twice`);
      ok = false;
    } else {
      keys.push(key);
      keyLocations.push(r.where(r.node(item), `${field}[${i}]`));
    }
  });
  return ok ? { keys, keyLocations } : undefined;
}

function readTasks(r: FileReader, n: unknown): CriteriaFileTask[] {
  const v = r.node(n);
  const out: CriteriaFileTask[] = [];
  const seen = new Map<string, string>();
  const add = (path: string[] | undefined, keys: ReturnType<typeof readTaskKeys>, node: unknown, field: string) => {
    if (!path || !keys) return;
    const id = path.map((p) => p.toLowerCase()).join('\u0000');
    const first = seen.get(id);
    if (first) return r.issue(node, field, `the task ${quoted(formatTaskPath(path))} is already given a set at ${first}`);
    seen.set(id, field);
    out.push({ path, ...keys, location: r.where(node, field) });
  };
  if (isMap(v)) {
    for (const [k, kNode, val] of r.entries(v)) {
      const field = `tasks[${quoted(k)}]`;
      add(readTaskPath(r, kNode, field), readTaskKeys(r, val, field), kNode, field);
    }
  } else if (isSeq(v)) {
    v.items.forEach((item, i) => {
      const field = `tasks[${i}]`;
      const node = r.node(item);
      if (!isMap(node)) return r.issue(node, field, 'each task must be a mapping with task and criteria');
      const e = new Map(r.entries(node).map(([k, , val]) => [k, val]));
      for (const k of e.keys()) if (k !== 'task' && k !== 'criteria') r.issue(node, `${field}.${k}`, 'unknown field (expected task, criteria)');
      if (!e.has('task') || !e.has('criteria')) return r.issue(node, field, 'a task entry needs both task and criteria');
      add(readTaskPath(r, e.get('task'), `${field}.task`), readTaskKeys(r, e.get('criteria'), `${field}.criteria`), node, field);
    });
  } else {
    r.issue(v, 'tasks', 'must map task names to lists of criterion keys (or be a list of {task, criteria})');
  }
  return out;
}

/** Parses and checks a custom criteria file's text (YAML or JSON); throws CriteriaFileError listing every problem. */
export function parseCriteriaFile(text: string, file: string): CriteriaFile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const r = new FileReader(file, lines, doc);
  for (const err of doc.errors) {
    const problem = err.code === 'DUPLICATE_KEY' ? 'a key appears twice in the same mapping' : `not valid YAML/JSON: ${err.message}`;
    r.issues.push(new InputError(problem, { file, line: lines.linePos(err.pos[0]).line }));
  }
  if (r.issues.length > 0) throw new CriteriaFileError(r.issues);
  const root = r.node(doc.contents);
  if (root === null || (isScalar(root) && root.value === null)) throw new CriteriaFileError([new InputError('the file is empty', { file })]);
  if (!isMap(root)) throw new CriteriaFileError([new InputError('expected a mapping with "criteria" and/or "tasks"', r.where(root, ''))]);
  const top = new Map(r.entries(root).map(([k, kNode, val]) => [k, { kNode, val }]));
  for (const [k, { kNode }] of top) if (k !== 'criteria' && k !== 'tasks') r.issue(kNode, k, 'unknown field (expected criteria, tasks)');
  const criteria: TaxonomyCriterion[] = [];
  const crit = top.get('criteria');
  if (crit) {
    const seq = r.node(crit.val);
    if (!isSeq(seq)) r.issue(seq ?? crit.kNode, 'criteria', 'must be a list of criteria');
    else {
      const keysSeen = new Map<string, number | undefined>();
      seq.items.forEach((item, i) => {
        const c = readCriterion(r, item, `criteria[${i}]`, keysSeen);
        if (c) criteria.push(c);
      });
    }
  }
  const tasks = top.has('tasks') ? readTasks(r, top.get('tasks')?.val) : [];
  if (!crit && !top.has('tasks') && r.issues.length === 0) r.issue(root, '', 'the file defines no criteria and no tasks');
  if (r.issues.length > 0) throw new CriteriaFileError(r.issues);
  return { file, sha256: createHash('sha256').update(text, 'utf8').digest('hex'), criteria, tasks };
}

/** Reads a custom criteria file (YAML or JSON, told apart by content: JSON is read as YAML 1.2). */
export function loadCriteriaFile(path: string): CriteriaFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new InputError(`cannot read the criteria file: ${errorMessage(err)}`, { file: path });
  }
  return parseCriteriaFile(text, path);
}
