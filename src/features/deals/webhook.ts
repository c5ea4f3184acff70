/**
 * POST /webhooks/deals: closed deals from a CRM workflow (HubSpot, Salesforce, Pipedrive), signed per workspace.
 *
 * Contract (documented in the README, "CRM deal webhook"):
 * - Headers: `X-Sales-Pulse-Workspace: <team_id>`, `X-Sales-Pulse-Timestamp: <unix seconds>` (within 5 minutes of
 *   the server's clock, either way), `X-Sales-Pulse-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">`
 *   keyed with the workspace's webhook secret (`npm run cli -- webhook-secret --workspace <team_id>`).
 * - Body: a JSON object (at most 64 KiB), see `FIELD_SCHEMAS`. Unknown fields are ignored.
 * - Answers: 200 `{ok, id, created}`; 400 `invalid_json` or `invalid_request` with `errors: [{field, message}]`;
 *   401 for anything wrong with the signature headers; 413 past 64 KiB; 503 when Slack cannot be asked about the rep.
 *   Nothing is stored unless the answer is 200.
 * - Idempotent: the same `external_id` again updates that deal (one row per workspace and external id).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CustomRoute, webApi } from '@slack/bolt';
import { TZDate } from '@date-fns/tz';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { DEAL_STATUSES, workspaces, type DealStatus } from '../../db/schema/index.js';
import type { Deps } from '../../deps.js';
import type { Clock } from '../../lib/clock.js';
import { currencyExponent, decimalToMinor, isKnownCurrency } from '../../lib/money.js';
import type { CelebrationQueue } from './celebrations.js';
import { upsertExternalDeal, type DealFields } from './queries.js';
import { getSecret } from './webhook-secrets.js';

export const DEAL_WEBHOOK_PATH = '/webhooks/deals';
export const MAX_WEBHOOK_BODY_BYTES = 64 * 1024;
/** A signed request is accepted this long either side of the server's clock. */
export const WEBHOOK_TIMESTAMP_TOLERANCE_SECONDS = 5 * 60;
/** The largest amount accepted, in major units of any currency. */
export const MAX_WEBHOOK_AMOUNT = 1_000_000_000n;
/** CRMs keep a date-only close date as midnight UTC, which is already "tomorrow" east of UTC. */
export const CLOSED_AT_FUTURE_TOLERANCE_MS = 24 * 60 * 60 * 1000;
/** How long the route waits for Slack to answer a rep lookup before answering 503 (the CRM retries). */
export const REP_LOOKUP_TIMEOUT_MS = 8_000;

export const WEBHOOK_HEADERS = {
  workspace: 'x-sales-pulse-workspace',
  timestamp: 'x-sales-pulse-timestamp',
  signature: 'x-sales-pulse-signature',
} as const;

export interface FieldError {
  field: string;
  message: string;
}

// ---------------------------------------------------------------------------------------------
// Rep lookups (users.lookupByEmail / users.info), cached per app
// ---------------------------------------------------------------------------------------------

export const REP_CACHE_HIT_TTL_MS = 60 * 60 * 1000;
/** A "no such user" answer is kept for less time: the person may be invited to Slack any minute. */
export const REP_CACHE_MISS_TTL_MS = 5 * 60 * 1000;
const REP_CACHE_MAX_ENTRIES = 10_000;

type CacheEntry = { userId: string | null; expiresAt: number } | { pending: Promise<string | null> };

/**
 * Which Slack user a rep is: an email resolved with users.lookupByEmail, or a user id checked with users.info.
 * Answers (found or not) are cached with a TTL, concurrent lookups of one key share a call, and failures
 * other than "not found" are not cached (they throw). One instance per app, created by the deals feature.
 */
export class SlackRepDirectory {
  private readonly entries = new Map<string, CacheEntry>();

  constructor(
    private readonly client: webApi.WebClient,
    private readonly clock: Clock,
    private readonly ttl = { hitMs: REP_CACHE_HIT_TTL_MS, missMs: REP_CACHE_MISS_TTL_MS },
  ) {}

  /** The user id for an email in the workspace, or null when no Slack user has it. */
  userIdForEmail(teamId: string, email: string): Promise<string | null> {
    return this.cached(`email:${teamId}:${email.toLowerCase()}`, async () => {
      try {
        const res = await this.client.users.lookupByEmail({ email });
        return res.user?.id ?? null;
      } catch (error) {
        if (slackErrorCode(error) === 'users_not_found') return null;
        throw error;
      }
    });
  }

  /** The id itself when Slack knows the user, else null. */
  checkUserId(teamId: string, userId: string): Promise<string | null> {
    return this.cached(`id:${teamId}:${userId}`, async () => {
      try {
        const res = await this.client.users.info({ user: userId });
        return res.user?.id ?? null;
      } catch (error) {
        if (slackErrorCode(error) === 'user_not_found') return null;
        throw error;
      }
    });
  }

  private async cached(key: string, load: () => Promise<string | null>): Promise<string | null> {
    const now = this.clock.now().getTime();
    const entry = this.entries.get(key);
    if (entry && 'pending' in entry) return entry.pending;
    if (entry && entry.expiresAt > now) return entry.userId;
    const pending = load();
    this.entries.set(key, { pending });
    try {
      const userId = await pending;
      if (this.entries.size > REP_CACHE_MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(key, { userId, expiresAt: this.clock.now().getTime() + (userId ? this.ttl.hitMs : this.ttl.missMs) });
      return userId;
    } catch (error) {
      this.entries.delete(key);
      throw error;
    }
  }
}

function slackErrorCode(error: unknown): string | undefined {
  return (error as { data?: { error?: string } } | null)?.data?.error;
}

// ---------------------------------------------------------------------------------------------
// Signature
// ---------------------------------------------------------------------------------------------

/** `sha256=` + hex HMAC-SHA256 of `<timestamp>.<raw body>`: what a sender puts in X-Sales-Pulse-Signature. */
export function signDealWebhook(secret: string, timestamp: string | number, rawBody: string | Buffer): string {
  return `sha256=${hmacHex(secret, String(timestamp), rawBody)}`;
}

function hmacHex(secret: string, timestamp: string, rawBody: string | Buffer): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex');
}

type AuthFailure = 'missing_headers' | 'stale_timestamp' | 'unknown_workspace' | 'malformed_signature' | 'bad_signature';

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

function authAnswer(reason: AuthFailure) {
  if (reason === 'missing_headers' || reason === 'stale_timestamp') return AUTH_ANSWERS[reason];
  return AUTH_ANSWERS.invalid_signature;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' ? value.trim() : undefined;
}

/** Check the three headers and the signature over the raw bytes. The secret lookup happens only for a fresh timestamp. */
async function authenticate(deps: Deps, req: IncomingMessage, raw: Buffer): Promise<{ ok: true; teamId: string } | { ok: false; reason: AuthFailure; teamId?: string }> {
  const teamId = header(req, WEBHOOK_HEADERS.workspace);
  const timestamp = header(req, WEBHOOK_HEADERS.timestamp);
  const signature = header(req, WEBHOOK_HEADERS.signature);
  if (!teamId || teamId.length > 64 || !timestamp || !/^\d{1,12}$/.test(timestamp) || !signature) return { ok: false, reason: 'missing_headers', teamId: teamId?.slice(0, 64) };
  const nowSeconds = Math.floor(deps.clock.now().getTime() / 1000);
  if (Math.abs(nowSeconds - Number(timestamp)) > WEBHOOK_TIMESTAMP_TOLERANCE_SECONDS) return { ok: false, reason: 'stale_timestamp', teamId };
  const match = /^sha256=([0-9a-f]{64})$/i.exec(signature);
  const secret = await getSecret(deps.db, teamId);
  // Compute an HMAC either way, so an unknown workspace costs about what a wrong signature does.
  const expected = Buffer.from(hmacHex(secret ?? 'no-secret-for-this-workspace', timestamp, raw), 'hex');
  if (!match) return { ok: false, reason: 'malformed_signature', teamId };
  const given = Buffer.from(match[1]!, 'hex');
  const equal = timingSafeEqual(expected, given);
  if (!secret) return { ok: false, reason: 'unknown_workspace', teamId };
  return equal ? { ok: true, teamId } : { ok: false, reason: 'bad_signature', teamId };
}

// ---------------------------------------------------------------------------------------------
// Body
// ---------------------------------------------------------------------------------------------

/** JSON null and blank strings count as absent (CRMs send "" for an empty property). */
function blankToUndefined(value: unknown): unknown {
  if (value === null) return undefined;
  if (typeof value === 'string' && value.trim() === '') return undefined;
  return value;
}

function optionalText(field: string, max: number) {
  return z.preprocess(
    blankToUndefined,
    z
      .string({ error: `${field} must be a string` })
      .trim()
      .max(max, { error: `${field} can be at most ${max} characters` })
      .optional(),
  );
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** A closed_at as sent: an instant (date-time with an offset), or a calendar day to place in the workspace zone. */
export type ClosedAtValue = { kind: 'instant'; at: Date; text: string } | { kind: 'day'; year: number; month: number; day: number; text: string };

function realDay(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** closed_at: an ISO-8601 date-time with a UTC offset (Z or ±hh:mm), or a date alone. */
const closedAtSchema = z.preprocess(
  blankToUndefined,
  z
    .string({ error: 'closed_at must be an ISO-8601 string like 2026-11-27T15:00:00Z' })
    .trim()
    .transform((text, ctx): ClosedAtValue => {
      const bad = () => {
        ctx.addIssue({ code: 'custom', message: `closed_at ${JSON.stringify(text.slice(0, 40))} is not an ISO-8601 date-time like 2026-11-27T15:00:00Z (or a date like 2026-11-27)` });
        return z.NEVER;
      };
      const day = DATE_ONLY.exec(text);
      if (day) {
        const [year, month, date] = [Number(day[1]), Number(day[2]), Number(day[3])];
        return realDay(year, month, date) ? { kind: 'day', year, month, day: date, text } : bad();
      }
      const m = DATE_TIME.exec(text);
      if (!m) return bad();
      const [year, month, date, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0)) as [number, number, number, number, number, number];
      if (!realDay(year, month, date) || hour > 23 || minute > 59 || second > 59) return bad();
      const offset = m[8];
      if (!offset) {
        ctx.addIssue({ code: 'custom', message: `closed_at ${JSON.stringify(text)} needs a UTC offset, like 2026-11-27T15:00:00Z or 2026-11-27T10:00:00-05:00` });
        return z.NEVER;
      }
      let offsetMinutes = 0;
      if (offset.toUpperCase() !== 'Z') {
        const o = /^([+-])(\d{2}):?(\d{2})?$/.exec(offset)!;
        offsetMinutes = (o[1] === '-' ? -1 : 1) * (Number(o[2]) * 60 + Number(o[3] ?? 0));
        if (Math.abs(offsetMinutes) > 18 * 60) return bad();
      }
      const ms = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3) || 0);
      return { kind: 'instant', at: new Date(Date.UTC(year, month - 1, date, hour, minute, second, ms) - offsetMinutes * 60_000), text };
    })
    .optional(),
);

/**
 * One schema per body field, each checked on its own so one answer lists every field's problem;
 * the rules between fields (amount vs status and currency, the rep) come after, in `readDeal`.
 */
export const FIELD_SCHEMAS = {
  /** The CRM's id for the deal: a string, or a whole JSON number (HubSpot object ids). */
  external_id: z.preprocess(
    (v) => (typeof v === 'number' && Number.isSafeInteger(v) ? String(v) : blankToUndefined(v)),
    z
      .string({ error: (iss) => (iss.input === undefined ? "external_id is required: the CRM's id for the deal" : 'external_id must be a string') })
      .trim()
      .max(255, { error: 'external_id can be at most 255 characters' }),
  ),
  /** won or lost, any case; HubSpot's closedwon/closedlost and Salesforce's "Closed Won"/"Closed Lost" too. */
  status: z.preprocess(
    blankToUndefined,
    z
      .string({ error: (iss) => (iss.input === undefined ? 'status is required: "won" or "lost"' : 'status must be "won" or "lost"') })
      .transform((v, ctx): DealStatus => {
        const key = v.toLowerCase().replace(/[\s_-]+/g, '');
        const status = key === 'closedwon' ? 'won' : key === 'closedlost' ? 'lost' : key;
        if ((DEAL_STATUSES as readonly string[]).includes(status)) return status as DealStatus;
        ctx.addIssue({ code: 'custom', message: `status ${JSON.stringify(v.slice(0, 40))} is neither "won" nor "lost"` });
        return z.NEVER;
      }),
  ),
  /** A plain decimal string ("12500.50"); a JSON number only when it is a whole number (no float rounding). */
  amount: z.preprocess(
    blankToUndefined,
    z
      .unknown()
      .transform((v, ctx): string | undefined => {
        if (v === undefined) return undefined;
        if (typeof v === 'number') {
          if (Number.isSafeInteger(v)) return v < 0 ? negative(ctx, String(v)) : String(v);
          ctx.addIssue({ code: 'custom', message: 'amount must be a string like "12500.50"; a JSON number is accepted only when it is a whole number' });
          return z.NEVER;
        }
        if (typeof v !== 'string') {
          ctx.addIssue({ code: 'custom', message: 'amount must be a decimal string like "12500.50"' });
          return z.NEVER;
        }
        const text = v.trim();
        if (/^-\d+(\.\d+)?$/.test(text)) return negative(ctx, text);
        if (!/^\d+(\.\d+)?$/.test(text)) {
          ctx.addIssue({ code: 'custom', message: `amount ${JSON.stringify(text.slice(0, 40))} is not a decimal number like "12500.50" (no currency symbols, signs or thousands separators)` });
          return z.NEVER;
        }
        return text;
      }),
  ),
  /** ISO-4217, any case; absent means the workspace currency. */
  currency: z.preprocess(
    blankToUndefined,
    z
      .string({ error: 'currency must be an ISO-4217 code like "USD"' })
      .trim()
      .transform((v, ctx) => {
        const code = v.toUpperCase();
        if (/^[A-Z]{3}$/.test(code) && isKnownCurrency(code)) return code;
        ctx.addIssue({ code: 'custom', message: `currency ${JSON.stringify(v.slice(0, 40))} is not an ISO-4217 code like USD, EUR or JPY` });
        return z.NEVER;
      })
      .optional(),
  ),
  closed_at: closedAtSchema,
  account: optionalText('account', 255),
  notes: optionalText('notes', 3000),
  slack_user_id: z.preprocess(
    blankToUndefined,
    z
      .string({ error: 'slack_user_id must be a string like "U0123ABCD"' })
      .trim()
      .regex(/^[UW][A-Z0-9]{2,}$/, { error: 'slack_user_id must be a Slack user id like "U0123ABCD"' })
      .optional(),
  ),
  email: z.preprocess(
    blankToUndefined,
    z
      .string({ error: 'email must be a string' })
      .trim()
      .toLowerCase()
      .pipe(z.email({ error: 'email is not an email address' }))
      .optional(),
  ),
};

function negative(ctx: z.core.$RefinementCtx, text: string): never {
  ctx.addIssue({ code: 'custom', message: `amount ${text} is negative; amounts are 0 or more` });
  return z.NEVER as never;
}

type BodyValues = { [K in keyof typeof FIELD_SCHEMAS]: z.output<(typeof FIELD_SCHEMAS)[K]> };

export type Rep = { kind: 'slack_user_id'; userId: string } | { kind: 'email'; email: string };

export interface WebhookDeal {
  externalId: string;
  rep: Rep;
  fields: Omit<DealFields, 'userId'>;
}

export interface ReadContext {
  /** The workspace currency, used when `currency` is absent. */
  defaultCurrency: string;
  /** The workspace time zone a date-only closed_at is read in. */
  timeZone: string;
  now: Date;
}

/** Validate a parsed JSON body: the deal, or every field error found. Pure. */
export function readDeal(body: unknown, ctx: ReadContext): { ok: true; value: WebhookDeal } | { ok: false; errors: FieldError[] } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, errors: [{ field: '(body)', message: 'the body must be a JSON object' }] };
  }
  const input = body as Record<string, unknown>;
  const errors: FieldError[] = [];
  const values: Partial<BodyValues> = {};
  for (const [field, schema] of Object.entries(FIELD_SCHEMAS)) {
    const result = (schema as z.ZodType).safeParse(input[field]);
    if (result.success) (values as Record<string, unknown>)[field] = result.data;
    else for (const issue of result.error.issues) errors.push({ field, message: issue.message });
  }
  const failed = new Set(errors.map((e) => e.field));
  const v = values as BodyValues;

  // Amount: required and positive for a won deal, exact in the currency's minor units, bounded.
  let amount: DealFields['amount'] = null;
  const currency = v.currency ?? ctx.defaultCurrency;
  if (!failed.has('amount') && !failed.has('currency')) {
    if (v.amount === undefined) {
      if (v.status === 'won') errors.push({ field: 'amount', message: 'amount is required for a won deal' });
    } else {
      const minor = decimalToMinor(v.amount, currency);
      const exp = currencyExponent(currency);
      if (minor === 'too_precise') {
        errors.push({
          field: 'amount',
          message:
            exp === 0
              ? `amount ${v.amount} has decimals, but ${currency} amounts are whole numbers`
              : `amount ${v.amount} has more than ${exp} decimal${exp === 1 ? '' : 's'}, the most ${currency} has`,
        });
      } else if (minor === 'malformed') {
        errors.push({ field: 'amount', message: `amount ${v.amount} is not a decimal number like "12500.50"` });
      } else if (minor > MAX_WEBHOOK_AMOUNT * 10n ** BigInt(exp)) {
        errors.push({ field: 'amount', message: `amount ${v.amount} is too large: the most is 1000000000` });
      } else if (minor === 0n && v.status === 'won') {
        errors.push({ field: 'amount', message: 'amount must be more than 0 for a won deal' });
      } else {
        amount = { minor, currency };
      }
    }
  }

  // closed_at: absent means now; a date alone is noon that day in the workspace zone (today: now); not far in the future.
  let closedAt = ctx.now;
  if (!failed.has('closed_at') && v.closed_at !== undefined) {
    closedAt = instantOf(v.closed_at, ctx);
    if (closedAt.getTime() > ctx.now.getTime() + CLOSED_AT_FUTURE_TOLERANCE_MS) {
      errors.push({ field: 'closed_at', message: `closed_at ${v.closed_at.text} is in the future` });
    }
  }

  // The rep: slack_user_id wins when both are given.
  let rep: Rep | undefined;
  if (v.slack_user_id) rep = { kind: 'slack_user_id', userId: v.slack_user_id };
  else if (v.email) rep = { kind: 'email', email: v.email };
  else if (!failed.has('slack_user_id') && !failed.has('email')) {
    errors.push({ field: 'email', message: 'email or slack_user_id is required: the rep who closed the deal' });
  }

  if (errors.length > 0 || !rep || v.external_id === undefined || v.status === undefined) return { ok: false, errors };
  return {
    ok: true,
    value: {
      externalId: v.external_id,
      rep,
      fields: { status: v.status, amount, closedAt, account: v.account ?? null, notes: v.notes ?? null },
    },
  };
}

/** An instant as is; a day at noon in the workspace zone (noon keeps the day in nearby zones), or now for today before noon. */
function instantOf(value: ClosedAtValue, ctx: ReadContext): Date {
  if (value.kind === 'instant') return value.at;
  const noon = new Date(new TZDate(value.year, value.month - 1, value.day, 12, 0, 0, ctx.timeZone).getTime());
  const today = new TZDate(ctx.now.getTime(), ctx.timeZone);
  const isToday = today.getFullYear() === value.year && today.getMonth() === value.month - 1 && today.getDate() === value.day;
  return isToday && noon > ctx.now ? new Date(ctx.now.getTime()) : noon;
}

// ---------------------------------------------------------------------------------------------
// HTTP
// ---------------------------------------------------------------------------------------------

class BodyTooLarge extends Error {}

/** The raw request bytes, refusing more than `limit` (by Content-Length up front, or while reading). */
function readRawBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      reject(new BodyTooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        done = true;
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      resolve(Buffer.concat(chunks));
    });
    req.on('error', (error) => {
      if (done) return;
      done = true;
      reject(error);
    });
  });
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

class SlackUnavailable extends Error {
  constructor(readonly code: string) {
    super(`Slack could not be asked about the rep: ${code}`);
  }
}

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new SlackUnavailable('timeout')), ms);
    timer.unref();
  });
  try {
    return await Promise.race([work, timeout]);
  } catch (error) {
    if (error instanceof SlackUnavailable) throw error;
    throw new SlackUnavailable(slackErrorCode(error) ?? (error as { code?: string }).code ?? 'error');
  } finally {
    clearTimeout(timer);
  }
}

/** The rep's Slack user id, or the field error saying why there is none. */
async function resolveRep(directory: SlackRepDirectory, teamId: string, rep: Rep): Promise<{ userId: string } | FieldError> {
  if (rep.kind === 'slack_user_id') {
    const userId = await withTimeout(directory.checkUserId(teamId, rep.userId), REP_LOOKUP_TIMEOUT_MS);
    return userId ? { userId } : { field: 'slack_user_id', message: 'no Slack user with that id in this workspace' };
  }
  const userId = await withTimeout(directory.userIdForEmail(teamId, rep.email), REP_LOOKUP_TIMEOUT_MS);
  return userId ? { userId } : { field: 'email', message: 'no Slack user with that email in this workspace' };
}

/**
 * The deal webhook as a Bolt custom route (served beside /slack/events in HTTP mode, and on the health
 * server in Socket Mode). Bolt answers 404 to other methods on the path.
 */
export function dealWebhookRoute(
  deps: Deps,
  client: webApi.WebClient,
  celebrations: CelebrationQueue,
  directory: SlackRepDirectory = new SlackRepDirectory(client, deps.clock),
): CustomRoute {
  const logger = deps.logger.child({ component: 'deal-webhook' });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let raw: Buffer;
    try {
      raw = await readRawBody(req, MAX_WEBHOOK_BODY_BYTES);
    } catch (error) {
      if (!(error instanceof BodyTooLarge)) throw error;
      logger.info({ status: 413 }, 'deal webhook refused: body too large');
      // Stop reading; the connection closes after the answer.
      send(res, 413, { ok: false, error: 'payload_too_large', message: `The body can be at most ${MAX_WEBHOOK_BODY_BYTES} bytes.` }, { connection: 'close' });
      req.resume();
      return;
    }

    const auth = await authenticate(deps, req, raw);
    if (!auth.ok) {
      logger.warn({ status: 401, reason: auth.reason, teamId: auth.teamId }, 'deal webhook refused: not authenticated');
      send(res, 401, { ok: false, ...authAnswer(auth.reason) });
      return;
    }
    const { teamId } = auth;

    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch (error) {
      logger.info({ status: 400, teamId, reason: 'invalid_json' }, 'deal webhook refused: malformed JSON');
      send(res, 400, { ok: false, error: 'invalid_json', message: `The body is not valid JSON: ${(error as Error).message}` });
      return;
    }

    const [workspace] = await deps.db
      .select({ currency: workspaces.currency, timeZone: workspaces.defaultTimeZone })
      .from(workspaces)
      .where(eq(workspaces.teamId, teamId));
    const now = deps.clock.now();
    const read = readDeal(body, { defaultCurrency: workspace?.currency ?? 'USD', timeZone: workspace?.timeZone ?? 'UTC', now });
    if (!read.ok) {
      logger.info({ status: 400, teamId, fields: read.errors.map((e) => e.field) }, 'deal webhook refused: invalid fields');
      send(res, 400, { ok: false, error: 'invalid_request', errors: read.errors });
      return;
    }
    const { externalId, rep, fields } = read.value;

    let resolved: { userId: string } | FieldError;
    try {
      resolved = await resolveRep(directory, teamId, rep);
    } catch (error) {
      const code = error instanceof SlackUnavailable ? error.code : 'error';
      logger.warn({ status: 503, teamId, externalId, code }, 'deal webhook refused: Slack could not be asked about the rep');
      send(res, 503, { ok: false, error: 'slack_unavailable', message: `Slack could not be asked who the rep is (${code}); try again later.` }, { 'retry-after': '30' });
      return;
    }
    if ('field' in resolved) {
      logger.info({ status: 400, teamId, externalId, fields: [resolved.field] }, 'deal webhook refused: unknown rep');
      send(res, 400, { ok: false, error: 'invalid_request', errors: [resolved] });
      return;
    }

    const { deal, created } = await upsertExternalDeal(deps.db, teamId, externalId, { userId: resolved.userId, ...fields }, 'webhook', now);
    logger.info({ status: 200, teamId, externalId, dealId: deal.id, created, dealStatus: deal.status }, created ? 'deal webhook stored a deal' : 'deal webhook updated a deal');
    send(res, 200, { ok: true, id: deal.id, created });
    // Posted in the background, paced and at most once per deal; never holds up or fails the answer.
    if (deal.status === 'won') void celebrations.celebrate(deal);
  }

  return {
    path: DEAL_WEBHOOK_PATH,
    method: ['POST'],
    handler: (req, res) => {
      handle(req, res).catch((error: unknown) => {
        logger.error({ err: error }, 'deal webhook failed');
        send(res, 500, { ok: false, error: 'internal_error', message: 'Something went wrong; nothing was stored. Try again later.' });
      });
    },
  };
}
