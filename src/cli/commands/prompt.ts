import type { Command } from 'commander';
import { renderPrompt, parseTemplateName } from '../../prompt/render.ts';
import { addItemOptions, resolveItem, type ItemOptions } from '../promptInputs.ts';
import { catalogForCli, addCatalogOptions, type CatalogFlags } from '../catalogOptions.ts';

export function register(program: Command): void {
  const cmd = program
    .command('prompt')
    .description('print the exact POLLUX prompt bytes for one item, and nothing else');
  addItemOptions(cmd);
  addCatalogOptions(cmd);
  cmd.action((opts: ItemOptions & CatalogFlags) => {
    const template = parseTemplateName(opts.template);
    const { sample, criterion } = resolveItem(opts, () => catalogForCli(opts));
    process.stdout.write(renderPrompt({ sample, criterion, template }));
  });
}
