import type { Command } from 'commander';
import type { CriteriaCatalog } from '../core/types.ts';
import { buildCatalog } from '../taxonomy/index.ts';
import { collect } from './collect.ts';

/** Where criteria come from: the POLLUX taxonomy, custom files merged over it, or the files alone. */
export function addCatalogOptions(cmd: Command): Command {
  return cmd
    .option('--criteria <file>', 'custom criteria file (YAML or JSON), merged over the POLLUX taxonomy; repeatable', collect)
    .option('--no-pollux-criteria', 'use only the --criteria files, not the POLLUX taxonomy');
}

export interface CatalogFlags {
  criteria?: string[];
  polluxCriteria?: boolean;
}

export function catalogForCli(flags: CatalogFlags): CriteriaCatalog {
  return buildCatalog({ criteriaFiles: flags.criteria ?? [], pollux: flags.polluxCriteria !== false });
}
