/** How an HTTP judge's request travels: redirects, failed statuses with long bodies, compressed replies, connect timeouts. */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import { gzipSync } from 'node:zlib';
import { after, before, test } from 'node:test';
import { errors as undiciErrors } from 'undici';
import { classifyHttpError } from '../../src/judges/errorClassification.ts';
import { connectionError } from '../../src/judges/httpFetch.ts';
import { OpenAIChatJudge } from '../../src/judges/openaiChat.ts';
import { listenOnLoopback, type LoopbackListener } from '../support/loopback.ts';
import { rejection } from '../support/judgeErrors.ts';

const completion = (text: string) =>
  JSON.stringify({ choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }] });

let server: LoopbackListener;
/** What reached the final handler: the path, the body and the Authorization header, per request. */
const seen: Array<{ path: string; body: string; authorization: string | undefined }> = [];

async function bodyOf(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

before(async () => {
  server = await listenOnLoopback(
    createServer(async (req, res) => {
      const path = req.url ?? '';
      const body = await bodyOf(req);
      if (path.endsWith('/models')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ object: 'list', data: [{ id: 'judge', object: 'model' }] }));
        return;
      }
      if (path.startsWith('/moved308/')) {
        res.writeHead(308, { location: '/ok/v1/chat/completions' });
        res.end();
        return;
      }
      if (path.startsWith('/moved307/')) {
        res.writeHead(307, { location: '/moved308/v1/chat/completions' });
        res.end();
        return;
      }
      if (path.startsWith('/loop/')) {
        res.writeHead(308, { location: '/loop/v1/chat/completions' });
        res.end();
        return;
      }
      if (path.startsWith('/limited/')) {
        // A proxy's long error page, sent in chunks, with the delay to wait.
        res.writeHead(429, { 'content-type': 'text/html', 'retry-after': '7' });
        for (let i = 0; i < 50; i++) res.write(`<p>${'slow down '.repeat(10)}</p>\n`);
        res.end();
        return;
      }
      if (path.startsWith('/gzip/')) {
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
        res.end(gzipSync(completion('[FEEDBACK] сжато [RESULT] 2 [END]')));
        return;
      }
      if (path.startsWith('/bomb/')) {
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
        res.end(gzipSync(Buffer.alloc(5 * 1024 * 1024, 0x20)));
        return;
      }
      seen.push({ path, body, authorization: req.headers.authorization });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(completion('[FEEDBACK] ок [RESULT] 1 [END]'));
    }),
  );
});
after(() => server.close());

const base = () => server.url.replace(/\/v1$/, '');
const judgeAt = (prefix: string, maxReplyBytes?: number) =>
  OpenAIChatJudge.create({ baseUrl: `${base()}/${prefix}/v1`, model: 'judge', apiKey: 'k-123', ...(maxReplyBytes ? { maxReplyBytes } : {}) });

test('307 and 308 redirects are followed with the POST body and the key sent again', async () => {
  seen.length = 0;
  const reply = await (await judgeAt('moved307')).judge('Оцени ответ');
  assert.match(reply.text, /\[RESULT\] 1 \[END\]/);
  assert.equal(seen.length, 1);
  assert.equal(seen[0]!.path, '/ok/v1/chat/completions');
  assert.equal(JSON.parse(seen[0]!.body).messages[0].content, 'Оцени ответ');
  assert.equal(seen[0]!.authorization, 'Bearer k-123');
});

test('a redirect loop ends as a failure that says so, not as a hang', async () => {
  const e = await rejection((await judgeAt('loop')).judge('x'));
  assert.equal(e.kind, 'fatal');
  assert.match(e.message, /HTTP 308: 308 a redirect to \/loop\/v1\/chat\/completions, not followed/);
});

test('a failed status keeps its status and Retry-After however long its body, past --max-reply-bytes', async () => {
  const e = await rejection((await judgeAt('limited', 1000)).judge('x'));
  assert.equal(e.kind, 'rate_limited');
  assert.equal(e.status, 429);
  assert.equal(e.retryAfterMs, 7000);
  assert.ok(e.message.length < 2000, `${e.message.length} characters`);
});

test('a compressed reply is decoded; one that inflates past --max-reply-bytes is reply_too_large', async () => {
  const reply = await (await judgeAt('gzip')).judge('x');
  assert.match(reply.text, /сжато \[RESULT\] 2 \[END\]/);
  const e = await rejection((await judgeAt('bomb', 65536)).judge('x'));
  assert.equal(e.kind, 'transient');
  assert.match(e.message, /reply_too_large/);
});

test('a connect timeout is a timeout to back off from, not an endpoint that is down; a refused connection is down', () => {
  const timedOut = classifyHttpError(connectionError(new undiciErrors.ConnectTimeoutError()), 'http://h/v1', 600_000);
  assert.equal(timedOut.timeout, true);
  assert.ok(!timedOut.connection);
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
  const down = classifyHttpError(connectionError(refused), 'http://h/v1', 600_000);
  assert.equal(down.connection, true);
  assert.ok(!down.timeout);
  assert.match(down.message, /connection failed: connect ECONNREFUSED/);
});
