import { isHfDataset, resolveHfDataset } from '../data/hfDataset.ts';
import type { Cli } from './io.ts';

/**
 * The local file behind a dataset argument: the argument itself, or for `hf://datasets/…` the
 * cached copy of the Hub dataset (downloaded first when needed; HF_ENDPOINT, HF_TOKEN,
 * POLLUX_CACHE and HF_HUB_OFFLINE come from the command's environment).
 */
export async function localDataset(cli: Cli, arg: string, quiet = false): Promise<string> {
  if (!isHfDataset(arg)) return arg;
  const resolved = await resolveHfDataset(arg, cli.env, quiet ? () => {} : (line) => cli.warn(`pollux: ${line}`));
  return resolved.file;
}
