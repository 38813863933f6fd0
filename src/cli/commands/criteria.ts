import type { Command } from 'commander';
import { InputError, UsageError } from '../../core/errors.ts';
import { addCatalogOptions } from '../catalogOptions.ts';
import type { CatalogFlags } from '../catalogOptions.ts';
import type { Cli } from '../io.ts';
import {
  buildCatalog,
  criterionJson,
  formatCriterion,
  formatCriteriaSearch,
  formatTaskCriteria,
  formatTaskPath,
  formatTaskTree,
  parseTaskPath,
  taskNodeJson,
  treeJson,
} from '../../taxonomy/index.ts';
import type { Catalog, TaxonomyLang, TaskNode } from '../../taxonomy/index.ts';
import { collect } from '../collect.ts';

interface CriteriaOptions extends CatalogFlags {
  task?: string[];
  criterion?: string;
  search?: string;
  lang: string;
  json?: boolean;
}

// One write for the whole text, so a reader that stops early (`| head`) cuts it in one place.
function print(cli: Cli, lines: readonly string[]): void {
  cli.line(lines.join('\n'));
}

function parseLang(value: string): TaxonomyLang {
  if (value === 'ru' || value === 'en') return value;
  throw new UsageError(`--lang must be ru or en, not ${JSON.stringify(value)}`);
}

/** Each --task value is one level or several joined by ">" (task names themselves contain "/"). */
function findTask(catalog: Catalog, values: readonly string[], lang: TaxonomyLang): TaskNode {
  const path = values.flatMap(parseTaskPath);
  if (path.length === 0) throw new UsageError('--task needs a task name');
  const loc = catalog.locateTask(path);
  if (loc.unmatched === null && loc.node) return loc.node;
  const unmatched = loc.unmatched ?? '';
  const hints: string[] = [];
  if (loc.node) {
    hints.push(...catalog.suggestTaskNames(unmatched, loc.node, lang).map((n) => formatTaskPath([...path.slice(0, loc.matched), n])));
  } else {
    // A subtask named without its task type: offer the full paths that end in that name.
    hints.push(...catalog.nodesNamed(unmatched).slice(0, 5).map((n) => formatTaskPath(catalog.ancestry(n).slice(1).map((a) => a.name[lang]))));
    hints.push(...catalog.suggestTaskNames(unmatched, undefined, lang));
  }
  const under = loc.node ? ` under ${JSON.stringify(formatTaskPath(path.slice(0, loc.matched)))}` : '';
  const close = hints.length > 0 ? `; close matches: ${[...new Set(hints)].join(', ')}` : '';
  throw new InputError(`--task: unknown task ${JSON.stringify(unmatched)}${under}${close}`);
}

function run(cli: Cli, opts: CriteriaOptions): void {
  const lang = parseLang(opts.lang);
  const modes = [opts.task && opts.task.length > 0, opts.criterion !== undefined].filter(Boolean).length;
  if (modes > 1) throw new UsageError('give either --task or --criterion, not both');
  if (opts.polluxCriteria === false && (opts.criteria ?? []).length === 0) {
    throw new UsageError('--no-pollux-criteria needs at least one --criteria FILE');
  }
  const catalog = buildCatalog({ criteriaFiles: opts.criteria ?? [], pollux: opts.polluxCriteria !== false });

  if (opts.criterion !== undefined) {
    const c = catalog.byKey(opts.criterion.trim());
    if (!c) {
      const close = catalog.suggestKeys(opts.criterion);
      throw new InputError(`--criterion: unknown criterion key ${JSON.stringify(opts.criterion)}${close.length > 0 ? `; close matches: ${close.join(', ')}` : ''}`);
    }
    if (opts.json) cli.json({ ...criterionJson(c), usedBy: catalog.tasksUsing(c.key).map((n) => catalog.ancestry(n).map((a) => a.name)) });
    else print(cli, formatCriterion(catalog, c, lang));
    return;
  }

  const node = opts.task && opts.task.length > 0 ? findTask(catalog, opts.task, lang) : undefined;
  if (opts.search !== undefined) {
    const inTask = node ? new Set(catalog.criteriaKeysFor(node)) : null;
    const matches = catalog.search(opts.search).filter((c) => !inTask || inTask.has(c.key));
    if (opts.json) cli.json({ query: opts.search, task: node ? node.path : null, matches: matches.map(criterionJson) });
    else print(cli, formatCriteriaSearch(matches, opts.search, lang));
    return;
  }
  if (node) {
    if (opts.json) {
      cli.json({
        task: taskNodeJson(catalog, node),
        ancestry: catalog.ancestry(node).map((a) => ({ level: a.level, name: a.name })),
        criteria: catalog.criteriaKeysFor(node).flatMap((k) => {
          const c = catalog.byKey(k);
          return c ? [criterionJson(c)] : [];
        }),
      });
    } else print(cli, formatTaskCriteria(catalog, node, lang));
    return;
  }
  if (opts.json) cli.json(treeJson(catalog));
  else print(cli, formatTaskTree(catalog, lang));
}

export function register(cmd: Command, cli: Cli): void {
  cmd
    .option('--task <name>', 'a task (Russian or English name); a path as "Написать код > Python" or by repeating --task', collect, [])
    .option('--criterion <key>', 'one criterion in full, by key (e.g. facts__2)')
    .option('--search <text>', 'criteria whose key, name or rubric contains TEXT (case-insensitive); with --task, within that task')
    .option('--lang <lang>', 'language of names and labels: ru or en', 'ru')
    .option('--json', 'print one JSON document');
  addCatalogOptions(cmd);
  cmd.action(cli.action((opts: CriteriaOptions) => run(cli, opts)));
}
