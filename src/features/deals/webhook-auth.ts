/**
 * The deal webhook's authentication: three headers and an HMAC-SHA256 over `<timestamp>.<raw body>` keyed with
 * the workspace's secret (webhook-secrets.ts), compared in constant time, within a clock tolerance.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Deps } from '../../deps.js';
import type { SecretBox } from '../../lib/secret-box.js';
import { getSecret } from './webhook-secrets.js';

/** A signed request is accepted this long either side of the server's clock. */
export const WEBHOOK_TIMESTAMP_TOLERANCE_SECONDS = 5 * 60;

export const WEBHOOK_HEADERS = {
  workspace: 'x-sales-pulse-workspace',
  timestamp: 'x-sales-pulse-timestamp',
  signature: 'x-sales-pulse-signature',
} as const;

/** `sha256=` + hex HMAC-SHA256 of `<timestamp>.<raw body>`: what a sender puts in X-Sales-Pulse-Signature. */
export function signDealWebhook(secret: string, timestamp: string | number, rawBody: string | Buffer): string {
  return `sha256=${hmacHex(secret, String(timestamp), rawBody)}`;
}

function hmacHex(secret: string, timestamp: string, rawBody: string | Buffer): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex');
}

export type AuthFailure = 'missing_headers' | 'stale_timestamp' | 'unknown_workspace' | 'malformed_signature' | 'bad_signature';

const AUTH_ANSWERS: Record<'missing_headers' | 'stale_timestamp' | 'invalid_signature', { error: string; message: string }> = {
  missing_headers: {
    error: 'missing_headers',
    message: 'Send X-Sales-Pulse-Workspace (the Slack team id), X-Sales-Pulse-Timestamp (unix seconds) and X-Sales-Pulse-Signature (sha256=<hex>).',
  },
  stale_timestamp: {
    error: 'stale_timestamp',
    message: `X-Sales-Pulse-Timestamp is more than ${WEBHOOK_TIMESTAMP_TOLERANCE_SECONDS / 60} minutes away from the server's clock: sign each request when sending it, and check the sender's clock.`,
  },
  // One answer for an unknown workspace, a workspace without a secret and a wrong signature: it reveals nothing.
  invalid_signature: {
    error: 'invalid_signature',
    message: "The signature does not match: X-Sales-Pulse-Signature must be sha256= and the hex HMAC-SHA256 of '<timestamp>.<raw body>' keyed with the workspace's webhook secret.",
  },
};

/** The 401 body for a failure: one answer for every signature problem, so it reveals nothing. */
export function authAnswer(reason: AuthFailure) {
  if (reason === 'missing_headers' || reason === 'stale_timestamp') return AUTH_ANSWERS[reason];
  return AUTH_ANSWERS.invalid_signature;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' ? value.trim() : undefined;
}

/** An authenticated request: its workspace, its signed timestamp (Unix seconds) and its HMAC (lowercase hex). */
export interface Authenticated {
  ok: true;
  teamId: string;
  timestamp: number;
  signature: string;
}

/**
 * Check the three headers and the signature over the raw bytes. The secret lookup (and its decryption with `box`)
 * happens only for a fresh timestamp.
 */
export async function authenticate(deps: Deps, box: SecretBox, req: IncomingMessage, raw: Buffer): Promise<Authenticated | { ok: false; reason: AuthFailure; teamId?: string }> {
  const teamId = header(req, WEBHOOK_HEADERS.workspace);
  const timestamp = header(req, WEBHOOK_HEADERS.timestamp);
  const signature = header(req, WEBHOOK_HEADERS.signature);
  if (!teamId || teamId.length > 64 || !timestamp || !/^\d{1,12}$/.test(timestamp) || !signature) return { ok: false, reason: 'missing_headers', teamId: teamId?.slice(0, 64) };
  const nowSeconds = Math.floor(deps.clock.now().getTime() / 1000);
  if (Math.abs(nowSeconds - Number(timestamp)) > WEBHOOK_TIMESTAMP_TOLERANCE_SECONDS) return { ok: false, reason: 'stale_timestamp', teamId };
  const match = /^sha256=([0-9a-f]{64})$/i.exec(signature);
  const secret = await getSecret(deps.db, box, teamId);
  // Compute an HMAC either way, so an unknown workspace costs about what a wrong signature does.
  const expected = Buffer.from(hmacHex(secret ?? 'no-secret-for-this-workspace', timestamp, raw), 'hex');
  if (!match) return { ok: false, reason: 'malformed_signature', teamId };
  const given = Buffer.from(match[1]!, 'hex');
  const equal = timingSafeEqual(expected, given);
  if (!secret) return { ok: false, reason: 'unknown_workspace', teamId };
  // The hex in lowercase: `sha256=ABC…` and `sha256=abc…` are one request (a replay check compares this).
  return equal ? { ok: true, teamId, timestamp: Number(timestamp), signature: match[1]!.toLowerCase() } : { ok: false, reason: 'bad_signature', teamId };
}
