/**
 * Telling @slack/web-api errors apart: for handlers that explain a refusal ("I'm not in that channel"), and for
 * jobs that must decide between "retry", "failed for good" and "Slack may already have posted".
 */

/** A Slack platform error code (`error.data.error`), when the error is one. */
export function platformCode(error: unknown): string | undefined {
  const code = (error as { data?: { error?: unknown } } | null)?.data?.error;
  return typeof code === 'string' ? code : undefined;
}

/** Why the bot cannot post in a channel: not a member, cannot see it (private, or deleted), or it is archived. */
export type CannotPostCode = 'not_in_channel' | 'channel_not_found' | 'is_archived';

/** The codes of CannotPostCode: a person has to act (invite the bot, pick another channel); a retry will not help. */
export const CANNOT_POST_CODES: ReadonlySet<string> = new Set<CannotPostCode>(['not_in_channel', 'channel_not_found', 'is_archived']);

/** The error's code when it says the bot cannot post in that channel, else undefined. */
export function cannotPostCode(error: unknown): CannotPostCode | undefined {
  const code = platformCode(error);
  return code && CANNOT_POST_CODES.has(code) ? (code as CannotPostCode) : undefined;
}

/**
 * True when the call was refused for rate limits, so Slack certainly did not post: an HTTP 429 the client
 * gave up on (@slack/web-api 8 rejects with a WebAPIRequestError wrapping "A rate limit was exceeded …"),
 * a WebAPIRateLimitedError (rejectRateLimitedCalls), or a rate-limit error code.
 */
export function isRateLimited(error: unknown): boolean {
  const code = platformCode(error);
  if (code) return code === 'ratelimited' || code === 'rate_limited';
  const e = error as { code?: string; message?: string; original?: { message?: string } } | null;
  if (e?.code === 'slack_webapi_rate_limited_error') return true;
  return [e?.message, e?.original?.message].some((m) => /^A rate limit was exceeded/.test(m ?? ''));
}

/** Connection errors raised before a request could be sent: the server never saw it. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * True when Slack certainly did not post: rate-limited, or the connection was never made (Slack unreachable,
 * DNS down). Not for resets or timeouts mid-request, where the post may have happened.
 */
export function certainlyNotSent(error: unknown): boolean {
  if (isRateLimited(error)) return true;
  const e = error as { code?: string; original?: { cause?: { code?: string } } } | null;
  return e?.code === 'slack_webapi_request_error' && NOT_SENT_CODES.has(e.original?.cause?.code ?? '');
}

/**
 * How long Slack asked to wait before calling again, when the call was refused for rate limits: the Retry-After
 * of a WebAPIRateLimitedError (a client with `rejectRateLimitedCalls`), or the one named in the message of a 429 a
 * retrying client gave up on; 0 when Slack named none. Undefined when the error is not a rate limit.
 */
export function retryAfterMs(error: unknown): number | undefined {
  if (!isRateLimited(error)) return undefined;
  const e = error as { retryAfter?: unknown; message?: string; original?: { message?: string } } | null;
  if (typeof e?.retryAfter === 'number' && Number.isFinite(e.retryAfter)) return Math.max(0, e.retryAfter) * 1000;
  const named = /retry-after: (\d+)/.exec(`${e?.message ?? ''} ${e?.original?.message ?? ''}`);
  return named ? Number(named[1]) * 1000 : 0;
}

/** A short reason for scheduled_runs.error and the logs. */
export function describeFailure(error: unknown): string {
  const code = platformCode(error);
  if (code) return code;
  if (isRateLimited(error)) return 'ratelimited';
  const e = error as { code?: string; statusCode?: number; message?: string; retryAfter?: number };
  if (e?.code === 'slack_webapi_http_error' && e.statusCode) return `http_${e.statusCode}`;
  if (e?.code === 'slack_webapi_request_error') {
    const original = (error as { original?: { name?: string; cause?: { code?: string } } }).original;
    const cause = original?.cause?.code ?? (original?.name === 'TimeoutError' ? 'timeout' : undefined);
    return cause ? `request_error: ${cause}` : `request_error: ${e.message ?? ''}`.trim();
  }
  return e?.message ?? String(error);
}
