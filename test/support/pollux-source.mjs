#!/usr/bin/env node
// `pollux` from the TypeScript sources, for the tests that need a real process (signals, kill -9,
// the lock): they test the code as it is now, never a dist/ that may be older. The packed bin is
// tested by test/package/pack.test.ts, which builds it.
import { register } from 'tsx/esm/api';

register();
await import('../../src/cli/bin.ts');
