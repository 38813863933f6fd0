import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../src/core/errors.ts';
import type { JudgmentRecord } from '../../src/core/types.ts';
import { buildMetaReport, readHumanScores, spearman } from '../../src/meta/index.ts';
import { syntheticRecords } from './syntheticRun.ts';

const dir = mkdtempSync(join(tmpdir(), 'pollux-meta-human-'));
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

test('long JSONL: one row per expert; the reference is the experts’ mean', async () => {
  const p = file(
    'long.jsonl',
    [
      { sample_id: 's1', criterion: 'general', expert: 'anna', score: 2 },
      { sample_id: 's1', criterion: 'general', expert: 'boris', score: 1 },
      { sample_id: 's1', criterion: 'facts', score: 0 },
    ]
      .map((r) => JSON.stringify(r))
      .join('\n'),
  );
  const h = await readHumanScores(p);
  assert.equal(h.items.size, 2);
  assert.equal(h.items.get('s1\u0000general')!.score, 1.5);
  assert.deepEqual([...h.items.get('s1\u0000general')!.experts], [
    ['anna', 2],
    ['boris', 1],
  ]);
  assert.equal(h.items.get('s1\u0000facts')!.score, 0);
  assert.deepEqual([...h.expertIds].sort(), ['anna', 'boris']);
});

test('wide CSV: expert:<id> columns, decimal commas, empty cells for experts who did not rate', async () => {
  const p = file('wide.csv', 'sample_id,criterion,expert:a,expert:b,expert:c\ns1,general,2,"1,5",\ns2,general,0,1,2\n');
  const h = await readHumanScores(p);
  assert.equal(h.items.get('s1\u0000general')!.score, 1.75);
  assert.equal(h.items.get('s1\u0000general')!.experts.size, 2);
  assert.equal(h.items.get('s2\u0000general')!.score, 1);
});

test('an explicit aggregated score wins over the experts’ mean; expert_scores lists are accepted', async () => {
  const p = file('agg.jsonl', JSON.stringify({ id: 's1', criteria_name: 'Общее', criteria_score: 1, expert_scores: [2, 2] }));
  const h = await readHumanScores(p);
  const item = h.items.get('s1\u0000Общее')!;
  assert.equal(item.score, 1);
  assert.equal(item.experts.size, 2);
});

test('bad rows are InputErrors naming file, line and field', async () => {
  const bad = file('bad.jsonl', `${JSON.stringify({ sample_id: 's1', criterion: 'g', score: 1 })}\n${JSON.stringify({ sample_id: 's2', criterion: 'g', score: 'high' })}\n`);
  await assert.rejects(readHumanScores(bad), (e: unknown) => {
    assert.ok(e instanceof InputError);
    assert.match(e.message, /bad\.jsonl:2, field "score": expected a score \(a number\), got "high"/);
    return true;
  });
  const missing = file('missing.jsonl', JSON.stringify({ criterion: 'g', score: 1 }));
  await assert.rejects(readHumanScores(missing), /missing\.jsonl:1: missing field: expected one of sample_id/);
  const twice = file('twice.jsonl', [{ sample_id: 's', criterion: 'g', expert: 'a', score: 1 }, { sample_id: 's', criterion: 'g', expert: 'a', score: 2 }].map((r) => JSON.stringify(r)).join('\n'));
  await assert.rejects(readHumanScores(twice), /twice\.jsonl:2.*expert "a" scores sample "s", criterion "g" twice/);
  const broken = file('broken.jsonl', '{"sample_id": "s"\n');
  await assert.rejects(readHumanScores(broken), InputError);
  const empty = file('empty.jsonl', '');
  await assert.rejects(readHumanScores(empty), /holds no expert scores/);
});

test('--human replaces the run’s expert scores and gives the expert-against-expert ceiling', async () => {
  const recs = syntheticRecords({ instructions: 60, seed: 11 });
  // The file carries the individual experts of every item, in long form, keyed by criterion key.
  const lines: string[] = [];
  for (const r of recs) r.expertScores.forEach((s, e) => lines.push(JSON.stringify({ sample_id: r.sampleId, criterion: r.criterionKey, expert: `e${e}`, score: s })));
  const p = file('experts.jsonl', lines.join('\n'));
  const human = await readHumanScores(p);
  const cleared: JudgmentRecord[] = recs.map((r) => ({ ...r, humanScore: null }));
  const report = buildMetaReport(cleared, { human, resamples: 100 });
  const fromRun = buildMetaReport(recs, { resamples: 100 });
  assert.equal(report.settings.humanSource, p);
  assert.equal(report.meanOverModels.spearman, fromRun.meanOverModels.spearman);
  assert.equal(report.pooled.n, recs.length);

  const ceiling = report.experts!;
  assert.equal(ceiling.method, 'leave-one-out');
  assert.equal(ceiling.items, recs.length);
  assert.equal(ceiling.experts, 3);
  // Leave-one-out pairs, rebuilt here: each expert against the mean of the others, per model.
  const m = ceiling.models.find((x) => x.model === 'gpt-4o')!;
  const a: number[] = [];
  const b: number[] = [];
  for (const r of recs.filter((x) => x.modelId === 'gpt-4o')) {
    const total = r.expertScores.reduce((s, v) => s + v, 0);
    for (const s of r.expertScores) {
      a.push(s);
      b.push((total - s) / (r.expertScores.length - 1));
    }
  }
  assert.equal(m.n, a.length);
  assert.ok(Math.abs(m.spearman! - spearman(a, b)!) < 1e-12);
  assert.ok(ceiling.meanOverModels.spearmanCI !== null);
  assert.equal(ceiling.outOfDomain.models.length, 7);
});

test('records the file does not cover have no expert score', async () => {
  const recs = syntheticRecords({ instructions: 5, seed: 12 });
  const p = file('one.jsonl', JSON.stringify({ sample_id: recs[0]!.sampleId, criterion: recs[0]!.criterionName, score: 2 }));
  const report = buildMetaReport(recs, { human: await readHumanScores(p), resamples: 0 });
  assert.equal(report.records.withHuman, 1);
  assert.equal(report.records.withoutHuman, recs.length - 1);
  assert.equal(report.experts, undefined);
});
