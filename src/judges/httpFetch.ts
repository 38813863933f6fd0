import { APIConnectionError } from 'openai';
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

/** One connection pool for every judge, with undici's own time limits off: the judge's timer rules. */
function agent(): Agent {
  sharedAgent ??= new Agent({ headersTimeout: 0, bodyTimeout: 0, keepAliveTimeout: 10_000 });
  return sharedAgent;
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
    res = await request(url, { method: 'POST', body: payload, headers, signal: options.signal, dispatcher: agent() });
  } catch (err) {
    if (options.signal.aborted) throw err;
    throw new APIConnectionError({ cause: err instanceof Error ? err : new Error(String(err)) });
  }
  const body = res.body;
  // Destroying the body mid-reply aborts the request, which the body then reports: already known here.
  const discard = () => body.on('error', () => undefined).destroy();
  const declared = Number(res.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    discard();
    throw new ReplyTooLargeError(limit);
  }
  const chunks: Buffer[] = [];
  let seen = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    seen += chunk.length;
    if (seen > limit) {
      discard();
      throw new ReplyTooLargeError(limit);
    }
    chunks.push(chunk);
  }
  return { status: res.statusCode, headers: res.headers, text: chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks).toString('utf8') };
}
