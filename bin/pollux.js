#!/usr/bin/env -S node --max-semi-space-size=4
// A small young generation: a long run allocates fast (prompts, request bodies) and V8 would
// otherwise let the heap grow to ~200 MB of mostly garbage; this keeps `pollux run` near 280 MB RSS
// at a few percent of throughput.
// Runs the compiled JavaScript in dist/ (built by `npm ci` / `npm pack` through `prepare`); each
// command's module is loaded only when that command runs.
try {
  await import('../dist/cli/bin.js');
} catch (err) {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/cli/bin.js')) {
    process.stderr.write('pollux: dist/ is missing: run `npm ci` (or `npm run build`) in the pollux-eval checkout\n');
    process.exit(2);
  }
  throw err;
}
