/**
 * Sends deal webhooks the way a CRM following the README's contract would: the raw body signed with
 * HMAC-SHA256 over `<timestamp>.<body>` and the workspace's secret. Written apart from the app's own
 * code on purpose, so a mistake on one side is not mirrored on the other.
 */
import { createHmac } from 'node:crypto';

export interface SignedWebhookOptions {
  url: string;
  teamId: string;
  secret: string;
  /** Unix seconds; default: now. */
  timestamp?: number;
  /** Override or drop (undefined) any header. */
  headers?: Record<string, string | undefined>;
  /** Sign this instead of the body sent (for a tampered body). */
  signBody?: string;
}

export interface WebhookAnswer {
  status: number;
  body: any;
  headers: Headers;
}

export function webhookSignature(secret: string, timestamp: number | string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** POST a body (an object is JSON-encoded; a string is sent as is) with the three signature headers. */
export async function sendDealWebhook(body: unknown, opts: SignedWebhookOptions): Promise<WebhookAnswer> {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-sales-pulse-workspace': opts.teamId,
    'x-sales-pulse-timestamp': String(timestamp),
    'x-sales-pulse-signature': webhookSignature(opts.secret, timestamp, opts.signBody ?? raw),
  };
  for (const [name, value] of Object.entries(opts.headers ?? {})) {
    if (value === undefined) delete headers[name.toLowerCase()];
    else headers[name.toLowerCase()] = value;
  }
  const res = await fetch(opts.url, { method: 'POST', headers, body: raw });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* not JSON: keep the text */
  }
  return { status: res.status, body: parsed, headers: res.headers };
}
