/**
 * Property tests of the deal webhook's body (webhook-body.ts: the zod schema per field and the rules between them):
 * for any JSON the CRM might send, readDeal returns the deal or every field's problem, never throws, and a deal it
 * accepts is one the database can hold: the amount exact in minor units, the close date not in the future.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CLOSED_AT_FUTURE_TOLERANCE_MS, FIELD_SCHEMAS, MAX_WEBHOOK_AMOUNT, readDeal } from '../../src/features/deals/webhook-body.js';
import { currencyExponent, isKnownCurrency } from '../../src/lib/money.js';
import { anyText, instant, mutated, numberWord, runs, zone } from '../helpers/arbitraries.js';

const FIELDS = Object.keys(FIELD_SCHEMAS);

/** Any JSON value at all: what a misconfigured CRM, a proxy or an attacker with the secret could send. */
const anyJson = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constantFrom(null, [], {}, '', 0, true, [{}], { external_id: {} }));

/** A field's value gone wrong: absent, null, blank, every JSON type, random text. */
const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(undefined, null, '', '  ', 0, -1, 1.5, true, [], {}, ['won'], { value: 1 }, Number.MAX_SAFE_INTEGER + 2, 1e308, 'null'),
  anyText(20),
);

/** Right values ten times in eleven, near misses otherwise. */
const mostly = <T>(right: fc.Arbitrary<T>, nearMiss: fc.Arbitrary<T>) => fc.oneof({ weight: 10, arbitrary: right }, { weight: 1, arbitrary: nearMiss });

function dealBody(now: Date): fc.Arbitrary<Record<string, unknown>> {
  const day = (d: number) => new Date(now.getTime() + d * 86_400_000);
  const good = {
    external_id: fc.oneof(fc.string({ minLength: 1, maxLength: 12 }), fc.integer({ min: 0 }), fc.constantFrom('x'.repeat(255), ' x'.repeat(128), 'crm-7')),
    status: mostly(fc.constantFrom('won', 'lost', 'WON', 'closedwon', 'Closed Won', 'closed-lost', 'closed_lost', 'Won '), fc.constantFrom('open', 'closed', 'wonn')),
    amount: fc.oneof(
      { weight: 4, arbitrary: fc.tuple(fc.bigInt({ min: 0n, max: 2_000_000_000n }), fc.constantFrom('', '', '.5', '.50', '.505', '.0001', '.000')).map(([w, f]) => `${w}${f}`) },
      { weight: 2, arbitrary: fc.integer({ min: -5, max: 2_000_000_000 }) },
      { weight: 1, arbitrary: numberWord([1_000_000_000]) },
      { weight: 1, arbitrary: fc.constantFrom('12,500', '$12500', '-5', '1e3', '12500.', '.5', ' 12500 ', 12500.5, 0) },
    ),
    currency: mostly(fc.constantFrom('USD', 'eur', 'JPY', 'KWD', 'BHD', ' usd '), fc.constantFrom('XYZ', 'US', '$')),
    closed_at: fc.oneof(
      fc.integer({ min: -800, max: 3 }).map((d) => day(d).toISOString()),
      fc.integer({ min: -800, max: 3 }).map((d) => day(d).toISOString().slice(0, 10)),
      fc.tuple(fc.integer({ min: -800, max: 2 }), fc.constantFrom('+05:30', '-08:00', '+14:00', '-1200', 'Z', '')).map(([d, off]) => `${day(d).toISOString().slice(0, 19)}${off}`),
      fc.constantFrom('2026-02-30', '2026-11-27T25:00:00Z', '2026-11-27 10:00:00Z', 'yesterday', '1700000000', '0001-01-01T00:00:00Z'),
    ).map((v) => v),
    account: mostly(fc.oneof(fc.string({ maxLength: 20 }), fc.constant('x'.repeat(255))), fc.constant('x'.repeat(256))),
    notes: mostly(fc.oneof(fc.string({ maxLength: 20 }), fc.constant('x'.repeat(3000))), fc.constant('x'.repeat(3001))),
    slack_user_id: mostly(fc.constantFrom('U0123ABCD', 'W0ENT0001', ' U0123ABCD '), fc.constantFrom('u0123abcd', 'U1', 'B0123ABCD')),
    email: mostly(fc.constantFrom('ana@example.com', 'ANA@Example.COM'), fc.constantFrom('ana', '@example.com', 'a b@example.com')),
    kind: mostly(fc.constantFrom('new', 'Expansion', 'RENEWAL', 'New Business', 'newbusiness'), fc.constantFrom('upsell', 'renew', 'existing')),
    satisfaction: mostly(fc.oneof(fc.integer({ min: 1, max: 5 }), fc.constantFrom('1', ' 5 ', '3')), fc.constantFrom(0, 6, 4.5, '4.5', '-1', 'five', 10)),
    // Unknown fields are ignored, whatever they hold.
    extra: fc.jsonValue({ maxDepth: 1 }),
  };
  // Every field from its own values (the optional ones sometimes left out; always a rep), then up to three gone wrong.
  const base = fc.record(good, { requiredKeys: ['external_id', 'status', 'amount'] }).map((b) => b as Record<string, unknown>);
  const keys = Object.keys(good);
  const edits = fc.array(fc.tuple(fc.constantFrom(...keys), wrongValue), { maxLength: 3 });
  return fc.tuple(base, fc.oneof({ weight: 3, arbitrary: fc.constant([]) }, { weight: 2, arbitrary: edits })).map(([body, wrong]) => {
    const out: Record<string, unknown> = { ...body };
    if (out.slack_user_id === undefined && out.email === undefined) out.slack_user_id = 'U0123ABCD';
    for (const [key, v] of wrong) out[key] = v;
    return out;
  });
}

const contexts = fc.record({ now: instant(), timeZone: zone(), defaultCurrency: fc.constantFrom('USD', 'EUR', 'JPY', 'KWD') });

describe('readDeal on any body', () => {
  it(`returns the deal or every field's problem, never throws; an accepted deal is valid and exact (${runs().numRuns} bodies)`, () => {
    const input = contexts.chain((ctx) => fc.tuple(fc.constant(ctx), fc.oneof({ weight: 4, arbitrary: dealBody(ctx.now) }, { weight: 1, arbitrary: anyJson })));
    fc.assert(
      fc.property(input, ([ctx, body]) => {
        const read = readDeal(body, ctx);
        if (!read.ok) {
          expect(read.errors.length).toBeGreaterThan(0);
          for (const e of read.errors) {
            expect([...FIELDS, '(body)']).toContain(e.field);
            expect(typeof e.message === 'string' && e.message.trim() !== '').toBe(true);
          }
          return;
        }
        const input = body as Record<string, unknown>;
        const { externalId, rep, fields } = read.value;
        expect(externalId.trim()).toBe(externalId);
        expect(externalId.length >= 1 && externalId.length <= 255).toBe(true);
        expect(['won', 'lost']).toContain(fields.status);
        if (rep.kind === 'slack_user_id') expect(rep.userId).toMatch(/^[UW][A-Z0-9]{2,}$/);
        else expect(rep.email).toBe(rep.email.toLowerCase());
        expect(fields.closedAt.getTime()).toBeLessThanOrEqual(ctx.now.getTime() + CLOSED_AT_FUTURE_TOLERANCE_MS);
        if (fields.account !== null) expect(fields.account.length).toBeLessThanOrEqual(255);
        if (fields.notes !== null) expect(fields.notes.length).toBeLessThanOrEqual(3000);
        if (fields.status === 'won') expect(fields.amount).not.toBeNull();
        if (fields.kind !== undefined) expect(['new', 'expansion', 'renewal']).toContain(fields.kind);
        if (fields.satisfaction !== undefined) {
          expect(fields.satisfaction.scale).toBe('csat5');
          expect(Number.isInteger(fields.satisfaction.score) && fields.satisfaction.score >= 1 && fields.satisfaction.score <= 5).toBe(true);
          expect(fields.satisfaction.score).toBe(Number(String(input.satisfaction).trim()));
        }
        if (fields.amount !== null) {
          const { minor, currency } = fields.amount;
          expect(isKnownCurrency(currency)).toBe(true);
          const exp = currencyExponent(currency);
          expect(minor >= (fields.status === 'won' ? 1n : 0n) && minor <= MAX_WEBHOOK_AMOUNT * 10n ** BigInt(exp)).toBe(true);
          // Exact: the decimal (or whole JSON number) sent, in minor units, nothing rounded.
          const [whole, frac = ''] = String(input.amount).trim().split('.');
          expect(frac.slice(exp).replace(/0/g, '')).toBe('');
          expect(minor).toBe(BigInt(whole! + frac.padEnd(exp, '0').slice(0, exp)));
        }
      }),
      runs(),
    );
  });

  it(`any request text: JSON.parse refuses it or readDeal answers; nothing else throws (${runs().numRuns} bodies)`, () => {
    const text = fc.oneof(
      anyText(120),
      dealBody(new Date('2026-11-27T15:00:00Z')).map((b) => JSON.stringify(b)).chain((json) => fc.oneof(fc.constant(json), mutated(fc.constant(json), 3), fc.nat(json.length).map((n) => json.slice(0, n)))),
    );
    fc.assert(
      fc.property(text, (raw) => {
        let body: unknown;
        try {
          body = JSON.parse(raw);
        } catch (error) {
          expect(error).toBeInstanceOf(SyntaxError);
          return;
        }
        const read = readDeal(body, { now: new Date('2026-11-27T15:00:00Z'), timeZone: 'America/New_York', defaultCurrency: 'USD' });
        expect(typeof read.ok).toBe('boolean');
      }),
      runs(),
    );
  });
});
