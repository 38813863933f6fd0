#!/usr/bin/env node
// `pollux` from the sources, for the tests that need a real process (signals, kill -9, the lock):
// they test the code as it is now, never a dist/ that may be older. When the tests run compiled
// (scripts/build-tests.mjs builds .test-build/ afresh on each `npm test`), the compiled bin sits at
// the same place as the source; otherwise tsx loads the TypeScript. The packed bin is tested by
// test/package/pack.test.ts, which builds it.
import { existsSync } from 'node:fs';

const compiled = new URL('../../src/cli/bin.js', import.meta.url);
if (existsSync(compiled)) await import(compiled.href);
else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../../src/cli/bin.ts');
}
