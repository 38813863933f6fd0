import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import { after, before, test } from 'node:test';
import { runCli } from '../support/cli.ts';
import { listenOnLoopback, type LoopbackListener } from '../support/loopback.ts';

const ITEM = 'examples/item.json';
let server: LoopbackListener;
const streams = new Set<ServerResponse>();

/** /v1/endless streams a JSON body without end; /v1/huge declares 200 MB; /v1/slow answers after 1.5 s. */
before(async () => {
  server = await listenOnLoopback(
    createServer((req, res) => {
      const url = req.url ?? '';
      if (url.endsWith('/models')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ object: 'list', data: [{ id: 'judge', object: 'model' }] }));
        return;
      }
      if (url.startsWith('/endless/')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"choices": [{"message": {"content": "');
        streams.add(res);
        const pump = () => {
          if (res.destroyed || !streams.has(res)) return;
          if (res.write('[RESULT] 1 [END] '.repeat(4096))) setImmediate(pump);
          else res.once('drain', pump);
        };
        pump();
        res.on('close', () => streams.delete(res));
        return;
      }
      if (url.startsWith('/huge/')) {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(200 * 1024 * 1024) });
        res.write('{');
        return;
      }
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ choices: [{ index: 0, message: { role: 'assistant', content: '[FEEDBACK] ok [RESULT] 1 [END]' }, finish_reason: 'stop' }] }));
      }, 1500);
    }),
  );
});
after(async () => {
  streams.clear();
  await server.close();
});

const base = () => server.url.replace(/\/v1$/, '');

test('a reply body without end is cut at --max-reply-bytes: reply_too_large, transient, nothing large kept', async () => {
  const r = await runCli(['judge', '--input', ITEM, '--judge', `${base()}/endless/v1`, '--max-reply-bytes', '65536', '--max-attempts', '1', '--json']);
  assert.equal(r.code, 3, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.status, 'error');
  assert.match(out.reason, /^transient: .*reply_too_large: the reply body passed 65536 bytes/);
  assert.ok(r.stdout.length < 4096, `${r.stdout.length} characters printed`);
});

test('a reply that declares 200 MB is refused before it is read', async () => {
  const r = await runCli(['judge', '--input', ITEM, '--judge', `${base()}/huge/v1`, '--max-attempts', '1', '--json']);
  assert.equal(r.code, 3, r.stderr);
  assert.match(JSON.parse(r.stdout).reason, /reply_too_large: the reply body passed 4194304 bytes/);
});

test('--timeout: honoured as given, the message says it; beyond a day, or overflowing, refused', async () => {
  const slow = await runCli(['judge', '--input', ITEM, '--judge', `${base()}/slow/v1`, '--timeout', '0.5', '--max-attempts', '1', '--json']);
  assert.equal(slow.code, 3, slow.stderr);
  assert.match(JSON.parse(slow.stdout).reason, /no reply within 0\.5 s/);
  const patient = await runCli(['judge', '--input', ITEM, '--judge', `${base()}/slow/v1`, '--timeout', '3', '--json']);
  assert.equal(patient.code, 0, patient.stderr);
  for (const value of ['1e9', '86401']) {
    const r = await runCli(['judge', '--input', ITEM, '--judge', `${base()}/slow/v1`, '--timeout', value]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--timeout: at most 86400 seconds/);
  }
});
