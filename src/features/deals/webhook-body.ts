/**
 * The deal webhook's body: one zod schema per field (so one answer lists every field's problem), then the
 * rules between fields, in `readDeal`. Pure: no I/O.
 */
import { z } from 'zod';
import { DEAL_STATUSES, type DealKind, type DealStatus, type SatisfactionScale } from '../../db/schema/index.js';
import { DEAL_KIND_CHOICES, readDealKind, readSatisfaction } from '../../entries/deal-kinds.js';
import { currencyExponent, decimalToMinor, isKnownCurrency } from '../../lib/money.js';
import { dayInstant, isoInstant, type LocalDate, parseIso } from '../../periods/calendar.js';
import type { DealFields, SatisfactionScore } from './queries.js';

/** The largest amount accepted, in major units of any currency. */
export const MAX_WEBHOOK_AMOUNT = 1_000_000_000n;
/** CRMs keep a date-only close date as midnight UTC, which is already "tomorrow" east of UTC. */
export const CLOSED_AT_FUTURE_TOLERANCE_MS = 24 * 60 * 60 * 1000;

export interface FieldError {
  field: string;
  message: string;
}

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

/** A closed_at as sent: an instant (date-time with an offset), or a calendar day to place in the workspace zone. */
export type ClosedAtValue = { kind: 'instant'; at: Date; text: string } | ({ kind: 'day'; text: string } & LocalDate);

/** closed_at text: an ISO-8601 date-time with a UTC offset (Z or ±hh:mm), or a date alone; else the message saying why not. */
export function parseClosedAt(text: string): ClosedAtValue | { error: string } {
  const value = parseIso(text);
  if (!value) return { error: `closed_at ${JSON.stringify(text.slice(0, 40))} is not an ISO-8601 date-time like 2026-11-27T15:00:00Z (or a date like 2026-11-27)` };
  if (value.kind === 'date') return { kind: 'day', ...value.date, text };
  if (value.offsetMinutes === null) {
    return { error: `closed_at ${JSON.stringify(text)} needs a UTC offset, like 2026-11-27T15:00:00Z or 2026-11-27T10:00:00-05:00` };
  }
  // With an offset the zone plays no part.
  return { kind: 'instant', at: isoInstant(value, 'UTC'), text };
}

/** closed_at: an ISO-8601 date-time with a UTC offset (Z or ±hh:mm), or a date alone. */
const closedAtSchema = z.preprocess(
  blankToUndefined,
  z
    .string({ error: 'closed_at must be an ISO-8601 string like 2026-11-27T15:00:00Z' })
    .trim()
    .transform((text, ctx): ClosedAtValue => {
      const parsed = parseClosedAt(text);
      if ('error' in parsed) {
        ctx.addIssue({ code: 'custom', message: parsed.error });
        return z.NEVER;
      }
      return parsed;
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
  /** new, expansion or renewal, any case ("New Business" too); absent: new for a new deal, unchanged on an update. */
  kind: z.preprocess(
    blankToUndefined,
    z
      .string({ error: `kind must be ${DEAL_KIND_CHOICES}` })
      .transform((v, ctx): DealKind => {
        const kind = readDealKind(v);
        if (kind) return kind;
        ctx.addIssue({ code: 'custom', message: `kind ${JSON.stringify(v.slice(0, 40))} is not ${DEAL_KIND_CHOICES}` });
        return z.NEVER;
      })
      .optional(),
  ),
  /**
   * The customer's satisfaction score: a whole number (JSON number or digits) on the workspace's scale, checked in
   * readDeal / readScoreFollowUp, which know the scale. Absent: none for a new deal, unchanged on an update.
   */
  satisfaction: z.preprocess(blankToUndefined, z.union([z.number(), z.string()], { error: 'satisfaction must be a whole number like 4' }).optional()),
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
  /** The workspace's satisfaction scale, which a `satisfaction` is read on (absent: csat5, the default). */
  satisfactionScale?: SatisfactionScale;
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

  const satisfaction = failed.has('satisfaction') ? undefined : scoreOf(v.satisfaction, ctx, errors);

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
      fields: {
        status: v.status,
        amount,
        closedAt,
        account: v.account ?? null,
        notes: v.notes ?? null,
        ...(v.kind ? { kind: v.kind } : {}),
        ...(satisfaction ? { satisfaction } : {}),
      },
    },
  };
}

/** A present satisfaction on the workspace's scale, or undefined (absent, or wrong: the error is added to `errors`). */
function scoreOf(value: number | string | undefined, ctx: ReadContext, errors: FieldError[]): SatisfactionScore | undefined {
  if (value === undefined) return undefined;
  const scale = ctx.satisfactionScale ?? 'csat5';
  const read = readSatisfaction(value, scale);
  if ('error' in read) {
    errors.push({ field: 'satisfaction', message: `satisfaction ${read.error}` });
    return undefined;
  }
  return { score: read.score, scale };
}

/** A survey tool's later call: the deal's external id and its satisfaction score, nothing else. */
export interface ScoreFollowUp {
  externalId: string;
  satisfaction: SatisfactionScore;
}

/** The deal fields a satisfaction-only follow-up leaves out (it names the deal and gives the score). */
const DEAL_ONLY_FIELDS = Object.keys(FIELD_SCHEMAS).filter((f) => f !== 'external_id' && f !== 'satisfaction');

/**
 * A body with `satisfaction` and no other deal field (unknown fields aside) is a follow-up for a deal already
 * stored: undefined for any other body (read it with readDeal), else the follow-up or its field errors. Pure.
 */
export function readScoreFollowUp(body: unknown, ctx: ReadContext): { ok: true; value: ScoreFollowUp } | { ok: false; errors: FieldError[] } | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const input = body as Record<string, unknown>;
  if (blankToUndefined(input.satisfaction) === undefined) return undefined;
  if (DEAL_ONLY_FIELDS.some((f) => blankToUndefined(input[f]) !== undefined)) return undefined;
  const errors: FieldError[] = [];
  const externalId = FIELD_SCHEMAS.external_id.safeParse(input.external_id);
  if (!externalId.success) for (const issue of externalId.error.issues) errors.push({ field: 'external_id', message: issue.message });
  const raw = FIELD_SCHEMAS.satisfaction.safeParse(input.satisfaction);
  if (!raw.success) for (const issue of raw.error.issues) errors.push({ field: 'satisfaction', message: issue.message });
  const satisfaction = raw.success ? scoreOf(raw.data, ctx, errors) : undefined;
  if (errors.length > 0 || !externalId.success || !satisfaction) return { ok: false, errors };
  return { ok: true, value: { externalId: externalId.data, satisfaction } };
}

/** An instant as is; a day at noon in the workspace zone (noon keeps the day in nearby zones), or now for today before noon. */
function instantOf(value: ClosedAtValue, ctx: ReadContext): Date {
  if (value.kind === 'instant') return value.at;
  return dayInstant({ year: value.year, month: value.month, day: value.day }, ctx.timeZone, ctx.now);
}
