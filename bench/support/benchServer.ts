/**
 * The judge server of the run benchmarks, in a process of its own so that its CPU is not charged to
 * the client being measured (beyond sharing the cores). Every chat request gets the same verdict, at
 * once or after `--delay MS`. Prints its URL as the first line of stdout; on SIGTERM prints one JSON
 * line `{"served": n, "cpuMs": …}` and exits.
 *
 *   node --import tsx bench/support/benchServer.ts [--delay MS]
 */
import { startFakeJudgeServer, verdict, type FakeAction } from '../../test/support/fakeJudgeServer.ts';

function delayArg(argv: string[]): number {
  const at = argv.indexOf('--delay');
  if (at < 0) return 0;
  const ms = Number(argv[at + 1]);
  if (!Number.isFinite(ms) || ms < 0) throw new Error(`--delay: expected milliseconds, got ${argv[at + 1]}`);
  return ms;
}

const delayMs = delayArg(process.argv.slice(2));
const action: FakeAction = { ...(verdict(1) as Extract<FakeAction, { kind: 'verdict' }>), ...(delayMs > 0 ? { delayMs } : {}) };
let served = 0;
const server = await startFakeJudgeServer({
  reply: () => {
    served++;
    return action;
  },
});
// The test server keeps every request for assertions; a benchmark sends millions, so drop them.
setInterval(() => {
  server.requests.length = 0;
  server.headers.length = 0;
}, 100).unref();

process.stdout.write(`${server.url}\n`);
process.on('SIGTERM', () => {
  const cpu = process.cpuUsage();
  process.stdout.write(`${JSON.stringify({ served, cpuMs: (cpu.user + cpu.system) / 1000 })}\n`);
  void server.close().then(() => process.exit(0));
});
