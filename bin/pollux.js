#!/usr/bin/env -S node --max-semi-space-size=4
// A small young generation: a long run allocates fast (prompts, request bodies) and V8 would
// otherwise let the heap grow to ~200 MB of mostly garbage; this keeps `pollux run` near 280 MB RSS
// at a few percent of throughput.
// Runs the TypeScript sources directly through tsx, so a clone works right after `npm ci`
// with no build step to remember.
import { register } from 'tsx/esm/api';

// `pollux criteria | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (err) => {
  if (err && err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv);
