import { Agent } from 'undici';

/**
 * The fetch every HTTP judge call goes through. Two limits of its own:
 * - time: the judge's own timer (`--timeout`) is the only one. Node's fetch would otherwise cut a
 *   request after 300 s without headers or between body chunks, whatever `--timeout` says;
 * - size: a reply body is read up to `maxReplyBytes` (`--max-reply-bytes`), so a server that
 *   streams without end, or a huge reply, cannot exhaust memory or bloat a run file.
 */
export interface JudgeFetchOptions {
  maxReplyBytes: number;
}

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

function capped(body: ReadableStream<Uint8Array>, limit: number): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let seen = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) {
        controller.close();
        return;
      }
      seen += value.byteLength;
      if (seen > limit) {
        await reader.cancel().catch(() => undefined);
        controller.error(new ReplyTooLargeError(limit));
        return;
      }
      controller.enqueue(value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}

export function judgeFetch(options: JudgeFetchOptions): typeof globalThis.fetch {
  const limit = options.maxReplyBytes;
  return (async (input: Parameters<typeof globalThis.fetch>[0], init?: RequestInit) => {
    // Node's own fetch, given a connection pool whose header and body timeouts are off.
    const response = await globalThis.fetch(input, { ...init, dispatcher: agent() } as RequestInit);
    const declared = Number(response.headers.get('content-length'));
    if (Number.isFinite(declared) && declared > limit) {
      await response.body?.cancel().catch(() => undefined);
      throw new ReplyTooLargeError(limit);
    }
    if (!response.body || [101, 204, 205, 304].includes(response.status)) return response;
    return new Response(capped(response.body, limit), {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  }) as typeof globalThis.fetch;
}
