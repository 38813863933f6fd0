#!/usr/bin/env node
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
