import type { Command } from 'commander';
import type { Cli } from '../io.ts';
import { renderPrompt, parseTemplateName } from '../../prompt/render.ts';
import { addItemOptions, resolveItem, type ItemOptions } from '../promptInputs.ts';
import { catalogForCli, addCatalogOptions, type CatalogFlags } from '../catalogOptions.ts';

export function register(cmd: Command, cli: Cli): void {
  addItemOptions(cmd);
  addCatalogOptions(cmd);
  cmd.action(cli.action((opts: ItemOptions & CatalogFlags) => {
    const template = parseTemplateName(opts.template);
    const { sample, criterion } = resolveItem(opts, () => catalogForCli(opts));
    cli.write(renderPrompt({ sample, criterion, template }));
  }));
}
