import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import { APIConnectionError, APIConnectionTimeoutError } from 'openai';
import { Agent, request } from 'undici';

/**
 * How every HTTP judge call goes out. Two limits of its own:
 * - time: the judge's own timer (`--timeout`) is the only one. undici would otherwise cut a
 *   request after 300 s without headers or between body chunks, whatever `--timeout` says;
 * - size: a reply body is read up to `maxReplyBytes` (`--max-reply-bytes`), so a server that
 *   streams without end, or a huge reply, cannot exhaust memory or bloat a run file.
 */
/** 4 MiB: a 1024-token verdict is a few KiB of JSON; far beyond any real reply. */
export const DEFAULT_MAX_REPLY_BYTES = 4 * 1024 * 1024;

/** The longest `--timeout` honoured: a day (Node's timers overflow past about 24.8 days). */
export const MAX_TIMEOUT_MS = 86_400_000;

export class ReplyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`reply_too_large: the reply body passed ${limit} bytes (--max-reply-bytes); the rest was not read`);
  }
}

let sharedAgent: Agent | null = null;

/**
 * One connection pool for every judge, with undici's own time limits off: the judge's timer rules.
 * Redirects are followed as fetch follows them (a judge URL behind a proxy that answers 307/308 to
 * a rewritten path or to https), the body sent again; unlike fetch, a 301/302 keeps the POST, and a
 * redirect to another origin drops the Authorization header.
 */
function agent(): Agent {
  sharedAgent ??= new Agent({ headersTimeout: 0, bodyTimeout: 0, keepAliveTimeout: 10_000, maxRedirections: MAX_REDIRECTS });
  return sharedAgent;
}
/** Redirects followed in a row; the next one is reported with where it points. */
export const MAX_REDIRECTS = 5;

/**
 * A failure to connect or send, as the openai SDK reported it: a connect timeout (undici's
 * ConnectTimeoutError, or an ETIMEDOUT) is an APIConnectionTimeoutError, which classifies as an
 * overloaded endpoint to back off from, not as one that is down; anything else an APIConnectionError.
 */
export function connectionError(err: unknown): APIConnectionError {
  const cause = err instanceof Error ? err : new Error(String(err));
  const code = (cause as { code?: unknown }).code;
  if (code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ETIMEDOUT' || /timed? ?out/i.test(cause.message)) {
    return new APIConnectionTimeoutError({ message: `Request timed out (${cause.message})` });
  }
  return new APIConnectionError({ cause });
}

/** The body as sent, decoded when a server compressed it although asked not to; at most `limit` bytes decoded. */
function decode(raw: Buffer, encoding: string | string[] | undefined, limit: number): Buffer {
  const coding = (Array.isArray(encoding) ? encoding.join(',') : (encoding ?? '')).trim().toLowerCase();
  if (coding === '' || coding === 'identity') return raw;
  const options = { maxOutputLength: limit };
  try {
    if (coding === 'gzip' || coding === 'x-gzip') return gunzipSync(raw, options);
    if (coding === 'deflate') return inflateSync(raw, options);
    if (coding === 'br') return brotliDecompressSync(raw, options);
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') throw new ReplyTooLargeError(limit);
    throw new SyntaxError(`the reply body is not valid ${coding}: ${err instanceof Error ? err.message : String(err)}`);
  }
  throw new SyntaxError(`the reply body is in an encoding this tool does not read: content-encoding ${coding}`);
}

/** A reply as read: status, headers, the body text (at most `maxReplyBytes`). */
export interface PostReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/**
 * POSTs a JSON body through the shared connection pool with undici's own request API: no WHATWG
 * Request, Response or stream objects per call, which at hundreds of replies a second is most of
 * what a fetch costs. The body is read up to `maxReplyBytes`: a longer one (declared or streamed)
 * fails with ReplyTooLargeError, the rest unread. A failure to connect or send is an
 * APIConnectionError (the same the openai SDK raises), so failures classify as they always have.
 */
export async function postJson(url: string, payload: string, headers: Record<string, string>, options: { signal: AbortSignal; maxReplyBytes: number }): Promise<PostReply> {
  const limit = options.maxReplyBytes;
  let res;
  try {
    res = await request(url, {
      method: 'POST',
      body: payload,
      // undici's request() neither asks for nor decodes compressed replies: say so, and decode one anyway.
      headers: { 'accept-encoding': 'identity', ...headers },
      signal: options.signal,
      dispatcher: agent(),
    });
  } catch (err) {
    if (options.signal.aborted) throw err;
    throw connectionError(err);
  }
  const body = res.body;
  // A failed status keeps its status and headers (Retry-After, what the endpoint said) however long
  // its body: only its first `limit` bytes are read, and the rest dropped. A 2xx body past the limit
  // is a failure of its own (reply_too_large).
  const ok = res.statusCode >= 200 && res.statusCode < 300;
  // Destroying the body mid-reply aborts the request, which the body then reports: already known here.
  const discard = () => body.on('error', () => undefined).destroy();
  const declared = Number(res.headers['content-length']);
  if (ok && Number.isFinite(declared) && declared > limit) {
    discard();
    throw new ReplyTooLargeError(limit);
  }
  const chunks: Buffer[] = [];
  let seen = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    if (seen + chunk.length > limit) {
      discard();
      if (ok) throw new ReplyTooLargeError(limit);
      chunks.push(chunk.subarray(0, limit - seen));
      break;
    }
    seen += chunk.length;
    chunks.push(chunk);
  }
  const raw = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
  const encoding = res.headers['content-encoding'];
  let decoded = raw;
  try {
    if (encoding !== undefined) decoded = decode(raw, encoding, limit);
  } catch (err) {
    // A failed status is reported as such whatever its body: what could not be decoded is said instead.
    if (ok) throw err;
    decoded = Buffer.from(`(the reply body could not be read: ${err instanceof Error ? err.message : String(err)})`);
  }
  return { status: res.statusCode, headers: res.headers, text: decoded.toString('utf8') };
}
