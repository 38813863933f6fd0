import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { distIsCurrent } from '../../scripts/build.mjs';
import { ROOT } from '../support/cli.ts';
import { writeGenericDataset } from '../support/datasets.ts';
import { startFakeJudgeServer, verdict, type FakeJudgeServer } from '../support/fakeJudgeServer.ts';

// The package as a user gets it: `npm pack`, installed into a scratch project without dev
// dependencies, hence without node-llama-cpp and tsx. `npm pack` builds dist/ afresh through
// `prepare`, unless dist/ was built from the sources as they are now (`npm ci` has just built it):
// then it packs that build as it is.

const dir = mkdtempSync(join(tmpdir(), 'pollux-pack-'));
const app = join(dir, 'app');
let server: FakeJudgeServer;

interface Done {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], cwd: string, timeoutMs = 300_000): Promise<Done> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, npm_config_update_notifier: 'false' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const npm = (args: string[], cwd: string) => run('npm', args, cwd);
// Generous limits: on a busy two-core machine the type check alone has taken over a minute.
const node = (args: string[]) => run(process.execPath, args, app, 300_000);

before(async () => {
  server = await startFakeJudgeServer({ reply: () => verdict(1) });
  const built = distIsCurrent() ? ['--ignore-scripts'] : [];
  const packed = await npm(['pack', ...built, '--pack-destination', dir, '--silent'], ROOT);
  assert.equal(packed.code, 0, packed.stderr);
  const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'));
  assert.ok(tarball, `npm pack wrote no tarball: ${packed.stdout}`);
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'scratch', version: '1.0.0', private: true, type: 'module' }));
  // Install scripts off: this machine builds native modules from source, which the offline test
  // cannot repeat; better-sqlite3's binary is the checkout's own (same version, same Node).
  const installed = await npm(['install', '--omit=dev', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund', join(dir, tarball)], app);
  assert.equal(installed.code, 0, installed.stderr);
  cpSync(join(ROOT, 'node_modules/better-sqlite3/build'), join(app, 'node_modules/better-sqlite3/build'), { recursive: true });
});
after(() => server.close());

test('the installed package has compiled JavaScript, no sources, and neither node-llama-cpp nor tsx', () => {
  const pkg = join(app, 'node_modules/pollux-eval');
  assert.ok(existsSync(join(pkg, 'dist/index.js')) && existsSync(join(pkg, 'dist/index.d.ts')) && existsSync(join(pkg, 'LICENSE')));
  assert.ok(!existsSync(join(pkg, 'src')), 'TypeScript sources are not shipped');
  assert.ok(!existsSync(join(app, 'node_modules/node-llama-cpp')), 'node-llama-cpp is an optional peer dependency');
  assert.ok(!existsSync(join(app, 'node_modules/tsx')), 'tsx is for development only');
});

test('plain JavaScript imports the package and its gguf subpath; a GGUF judge asks for node-llama-cpp', async () => {
  writeFileSync(
    join(app, 'use.js'),
    `import { renderPrompt, parseVerdict, openRun, polluxCatalog, scaleFromRubricText } from 'pollux-eval';
import { createGgufJudge } from 'pollux-eval/gguf';
const criterion = polluxCatalog().byKey('general');
const prompt = renderPrompt({ sample: { id: 's', instruction: 'И', answer: 'О', referenceAnswer: null }, criterion, template: 'paper' });
const verdict = parseVerdict({ text: '[FEEDBACK] ок [RESULT] 2 [END]', finishReason: 'stop', scale: scaleFromRubricText('0: a\\n\\n1: b\\n\\n2: c') });
console.log(JSON.stringify({ prompt: prompt.startsWith('### Задание для оценки:'), score: verdict.score, openRun: typeof openRun }));
try { await createGgufJudge({ model: 'x.gguf' }); } catch (err) { console.log(err.message); }
`,
  );
  const r = await node(['use.js']);
  assert.equal(r.code, 0, r.stderr);
  const [first, second] = r.stdout.split('\n');
  assert.deepEqual(JSON.parse(first!), { prompt: true, score: 2, openRun: 'function' });
  assert.match(second!, /npm i node-llama-cpp@3\.21\.1/);
});

test('a NodeNext TypeScript file type-checks against the package (its own declarations checked too)', async () => {
  writeFileSync(
    join(app, 'check.ts'),
    `import { openRun, buildScoreReport, openRunStore, type RunSpec, type ScoreReport, type Judgment } from 'pollux-eval';
const spec: RunSpec = { dataset: 'a.jsonl', judge: { endpoints: 'http://localhost:8000/v1' }, concurrency: 'auto' };
export async function go(): Promise<ScoreReport> {
  const run = await openRun(spec);
  try { await run.judge({ concurrency: 8 }); } finally { await run.close(); }
  const store = openRunStore(run.file, { readonly: true });
  try { return buildScoreReport(store.records(), { gate: 'critical' }); } finally { store.close(); }
}
export type Status = Judgment['status'];
`,
  );
  writeFileSync(
    join(app, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        target: 'ES2022',
        strict: true,
        noEmit: true,
        // TypeScript's own lib files need no checking here; @types/node and the package's
        // declarations are still checked (skipLibCheck stays off).
        skipDefaultLibCheck: true,
        typeRoots: [join(ROOT, 'node_modules/@types')],
        types: ['node'],
      },
      files: ['check.ts'],
    }),
  );
  const r = await node([join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', app]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
});

test('npx pollux --help, an HTTP judge run and its report without node-llama-cpp', async () => {
  const help = await run('npx', ['--no-install', 'pollux', '--help'], app, 60_000);
  assert.equal(help.code, 0, help.stderr);
  assert.match(help.stdout, /Usage: pollux/);
  assert.match(help.stdout, /\n {2}run /);
  const dataset = join(app, 'data.jsonl');
  const total = writeGenericDataset(dataset, 4, 2);
  // `npx` itself is proven above; the installed bin link is what it runs, without npm's start-up each time.
  const pollux = (args: string[]) => run(join(app, 'node_modules/.bin/pollux'), args, app, 60_000);
  const r = await pollux(['run', 'data.jsonl', '--judge', server.url, '--out', 'run.sqlite', '--json', '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  const summary = JSON.parse(r.stdout) as { counts: { scored: number } };
  assert.equal(summary.counts.scored, total);
  const report = await pollux(['report', 'run.sqlite', '-o', 'report.html']);
  assert.equal(report.code, 0, report.stderr);
  assert.ok(existsSync(join(app, 'report.html')), 'the page assets of the report ship with the package');
  const gguf = await pollux(['run', 'data.jsonl', '--judge', 'gguf:model.gguf', '--out', 'g.sqlite', '--quiet']);
  assert.equal(gguf.code, 3);
  assert.match(gguf.stderr, /npm i node-llama-cpp@3\.21\.1/);
});
