import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { compareManifests } from '../../src/store/manifest.ts';
import { openRunStore } from '../../src/store/runStore.ts';
import { manifest, tempDir } from './helpers.ts';

test('a manifest survives a close and reopen unchanged', (t) => {
  const file = join(tempDir(t), 'run.sqlite');
  const m = manifest({ options: { criteria: ['a.yaml', 'b.yaml'], map: { answer: 'response' } } });
  const store = openRunStore(file);
  assert.equal(store.getManifest(), null);
  store.setManifest(m);
  store.close();
  const again = openRunStore(file, { readonly: true });
  assert.deepEqual(again.getManifest(), m);
  again.close();
});

test('setManifest replaces the stored manifest', (t) => {
  const store = openRunStore(join(tempDir(t), 'run.sqlite'));
  store.setManifest(manifest());
  store.setManifest(manifest({ updatedAt: '2025-02-02T00:00:00.000Z' }));
  assert.equal(store.getManifest()?.updatedAt, '2025-02-02T00:00:00.000Z');
  store.close();
});

test('identical manifests, or ones differing only in times, tool version, endpoints and dataset path, compare equal', () => {
  const a = manifest();
  const b = manifest({
    createdAt: '2030-01-01T00:00:00.000Z',
    updatedAt: '2030-01-01T00:00:00.000Z',
    toolVersion: '9.9.9',
    dataset: { ...a.dataset, path: '/elsewhere/test.jsonl' },
    judge: { ...a.judge, endpoints: ['http://b:8000/v1', 'http://c:8000/v1'], params: { max_tokens: 1024, temperature: 0 } },
  });
  assert.deepEqual(compareManifests(a, b), []);
});

test('compareManifests names every change with its old and new value', () => {
  const a = manifest();
  const b = manifest({
    taxonomyVersion: 'pollux-2026-01',
    dataset: { ...a.dataset, fingerprint: 'sha256:bbbb', path: 'data/other.jsonl', shape: 'instructions' },
    template: 'v2',
    judge: { ...a.judge, model: 'ai-forever/pollux-judge-32b', params: { temperature: 0.1, top_p: 0.9 } },
    repeat: 3,
    options: { criteria: ['mine.yaml'] },
  });
  assert.deepEqual(compareManifests(a, b), [
    'dataset fingerprint: "sha256:aaaa" → "sha256:bbbb" (data/test.jsonl → data/other.jsonl)',
    'dataset shape: "pollux" → "instructions"',
    'template: "paper" → "v2"',
    'judge model: "ai-forever/pollux-judge-7b" → "ai-forever/pollux-judge-32b"',
    'judge parameter max_tokens: 1024 → (unset)',
    'judge parameter temperature: 0 → 0.1',
    'judge parameter top_p: (unset) → 0.9',
    'repeat: 1 → 3',
    'taxonomy version: "pollux-2025-05" → "pollux-2026-01"',
    'option criteria: null → ["mine.yaml"]',
  ]);
});

test('compareManifests notices an answers file appearing or changing', () => {
  const a = manifest();
  const withAnswers = manifest({ dataset: { ...a.dataset, answers: { path: 'answers.jsonl', fingerprint: 'sha256:1111' } } });
  assert.deepEqual(compareManifests(a, withAnswers), ['answers file fingerprint: null → "sha256:1111"']);
  const changed = manifest({ dataset: { ...a.dataset, answers: { path: 'answers.jsonl', fingerprint: 'sha256:2222' } } });
  assert.deepEqual(compareManifests(withAnswers, changed), ['answers file fingerprint: "sha256:1111" → "sha256:2222"']);
});

test('long values are shortened in the lines', () => {
  const a = manifest({ options: { prompt: 'x'.repeat(500) } });
  const b = manifest({ options: { prompt: 'y'.repeat(500) } });
  const [line] = compareManifests(a, b);
  assert.ok(line && line.length < 200, line);
  assert.match(line, /^option prompt: "x+…/);
});
