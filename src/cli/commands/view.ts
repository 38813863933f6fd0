import { Option, type Command } from 'commander';
import { EXIT, UsageError } from '../../core/errors.ts';
import { REPORT_LANGS, type ReportLang } from '../../report/html/reportData.ts';
import { startView } from '../../report/view/server.ts';
import { GATE_POLICIES, type GatePolicy } from '../../scoring/index.ts';
import type { Cli } from '../io.ts';

interface ViewFlags {
  port: string;
  host: string;
  lang: ReportLang;
  gate: GatePolicy;
  bootstrap: string;
  seed: string;
}

function wholeNumber(flag: string, value: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!/^-?\d+$/.test(value.trim()) || Number(value) < min || Number(value) > max) {
    throw new UsageError(`${flag}: expected a whole number from ${min} to ${max}, got "${value}"`);
  }
  return Number(value);
}

export function register(cmd: Command, cli: Cli): void {
  cmd
    .argument('<runs...>', 'run files, combined as `pollux score` combines them')
    .option('--port <n>', 'TCP port (0: any free one)', '8765')
    .option('--host <address>', 'address to listen on; anything but loopback lets other machines read the run', '127.0.0.1')
    .addOption(new Option('--lang <lang>', 'labels in Russian or English').choices(REPORT_LANGS).default('ru'))
    .addOption(new Option('--gate <policy>', 'gates, as for `pollux score`').choices(GATE_POLICIES).default('critical'))
    .option('--bootstrap <n>', 'bootstrap resamples for the agreement intervals (0: none)', '1000')
    .option('--seed <n>', 'seed of the resampling', '1')
    .action(cli.action(async (runs: string[], flags: ViewFlags) => {
      const loopback = ['127.0.0.1', 'localhost', '::1'].includes(flags.host);
      if (!loopback) {
        cli.warn(`pollux: warning: listening on ${flags.host}: anyone who can reach it can read every text of these runs (there is no login)`);
      }
      const view = await startView(runs, {
        host: flags.host,
        port: wholeNumber('--port', flags.port, 0, 65535),
        lang: flags.lang,
        gate: flags.gate,
        resamples: wholeNumber('--bootstrap', flags.bootstrap, 0),
        seed: wholeNumber('--seed', flags.seed, Number.MIN_SAFE_INTEGER),
      });
      cli.warn(`pollux: viewing ${runs.length} run file(s) at ${view.url} (read-only; Ctrl-C stops)`);
      let stopping = false;
      view.summary.then(
        () => cli.warn('pollux: overview ready'),
        (err: unknown) => {
          if (!stopping) cli.warn(`pollux: the overview could not be computed: ${err instanceof Error ? err.message : String(err)}`);
        },
      );
      // Serve until interrupted (Ctrl-C / SIGTERM), then close the files and stop.
      await new Promise<void>((resolve) => {
        const off = cli.io.onInterrupt?.(() => {
          off?.();
          resolve();
        });
        if (!off) resolve();
      });
      stopping = true;
      await view.close();
      return EXIT.ok;
    }));
}
