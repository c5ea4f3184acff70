/**
 * Property tests of the CSV import's readers: the records of a file, its header, and each row of a deals or an
 * activities file. For any input they return values or structured errors (a message per problem, a CsvSyntaxError
 * with its line for a file that is not CSV), never throw anything else, and a row they accept is one the database can
 * hold: exact amounts, counts and durations in range, nothing in the future.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_ACTIVITY_TYPES } from '../../src/entries/activity-types.js';
import { activityRowSpec } from '../../src/features/import/activity-rows.js';
import { CsvSyntaxError, readCsvRecords } from '../../src/features/import/csv-records.js';
import { dealRowSpec } from '../../src/features/import/deal-rows.js';
import { MAX_NAME_LENGTH, MAX_NOTES_LENGTH } from '../../src/features/import/fields.js';
import { parseRow, readHeader } from '../../src/features/import/row-spec.js';
import { MAX_COUNT, MAX_DURATION_MINUTES } from '../../src/features/logging/parse.js';
import { currencyExponent, isKnownCurrency } from '../../src/lib/money.js';
import { anyText, instant, mutated, numberWord, runs, zone } from '../helpers/arbitraries.js';

const MAX_BIGINT = 2n ** 63n - 1n;

/** A cell gone wrong: absent, blank, mutated, or random text. */
function badCell(pool: fc.Arbitrary<string>): fc.Arbitrary<string | undefined> {
  return fc.oneof(fc.constantFrom(undefined, '', '   ', '\t'), mutated(pool, 2), anyText(20));
}

/**
 * A row: every cell from its column's pool (values a file would hold, good and bad), then up to three cells gone
 * wrong. Most rows are near-valid, so the checks across cells run too.
 */
function row<K extends string>(pools: Record<K, fc.Arbitrary<string>>, optional: NoInfer<K>[]): fc.Arbitrary<Record<K, string | undefined>> {
  const columns = Object.keys(pools) as K[];
  const blankable = Object.fromEntries(columns.map((c) => [c, optional.includes(c) ? fc.oneof({ weight: 3, arbitrary: pools[c] }, { weight: 1, arbitrary: fc.constantFrom(undefined, '') }) : pools[c]])) as Record<K, fc.Arbitrary<string | undefined>>;
  const wrong = fc.array(fc.constantFrom(...columns).chain((c) => fc.tuple(fc.constant(c), badCell(pools[c]))), { maxLength: 3 });
  const values = fc.record(blankable) as fc.Arbitrary<Record<K, string | undefined>>;
  return fc.tuple(values, fc.oneof({ weight: 3, arbitrary: fc.constant([]) }, { weight: 2, arbitrary: wrong })).map(([values, edits]) => {
    const out = { ...values };
    for (const [c, v] of edits) out[c] = v;
    return out;
  });
}

/** Dates and timestamps as files hold them: days, instants with and without offsets, spaces, and impossible ones. */
function when(now: Date): fc.Arbitrary<string> {
  return fc.oneof(
    fc.integer({ min: -4000, max: 3 }).map((d) => new Date(now.getTime() + d * 86_400_000).toISOString().slice(0, 10)),
    fc.integer({ min: -4000 * 24, max: 48 }).map((h) => new Date(now.getTime() + h * 3_600_000).toISOString()),
    fc.integer({ min: -4000 * 24, max: 48 }).map((h) => new Date(now.getTime() + h * 3_600_000).toISOString().slice(0, 16).replace('T', ' ')),
    fc.tuple(fc.integer({ min: -400, max: 0 }), fc.constantFrom('+02:00', '-05:00', '+0530', 'Z', '+14:00', '-12', '+25:00')).map(([d, off]) => `${new Date(now.getTime() + d * 86_400_000).toISOString().slice(0, 19)}${off}`),
    fc.constantFrom('2026-02-30', '2026-13-01', '2026-11-27T24:00:00Z', '2026-11-27T23:60', '0000-01-01', '9999-12-31', '27/11/2026', 'yesterday', '2026-11-27T10:00:00.123456789Z', '1969-12-31T23:59:59Z'),
  );
}

const userId = fc.oneof({ weight: 4, arbitrary: fc.constantFrom('U0123ABCD', 'W0ENT0001', ' U0ANA0001 ') }, { weight: 1, arbitrary: fc.constantFrom('u0123abcd', 'ana@example.com', 'U', 'U0123 ABCD', 'U0ÄBC') });
const externalId = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('crm-1', 'x'.repeat(255), 'x'.repeat(256)));
const text = (max: number) => fc.oneof({ weight: 3, arbitrary: fc.string({ maxLength: 20 }) }, { weight: 1, arbitrary: fc.constantFrom('x'.repeat(max), 'x'.repeat(max + 1), 'Acme, Inc.', '"quoted"') });

const contexts = fc.record({ now: instant(), timeZone: zone(), defaultCurrency: fc.constantFrom('USD', 'EUR', 'JPY', 'KWD') });

describe('a deals file row on any cells', () => {
  it(`gives a deal the database can hold, or its problems; never throws (${runs().numRuns} rows)`, () => {
    const decimal = fc.oneof(
      { weight: 4, arbitrary: fc.tuple(fc.oneof({ weight: 1, arbitrary: fc.bigInt({ min: 0n, max: 10n ** 20n }) }, { weight: 3, arbitrary: fc.bigInt({ min: 0n, max: 100_000n }) }), fc.oneof({ weight: 2, arbitrary: fc.constant('') }, { weight: 2, arbitrary: fc.stringMatching(/^\.\d{1,2}$/) }, { weight: 1, arbitrary: fc.stringMatching(/^\.\d{3,4}$/) })).map(([w, f]) => `${w}${f}`) },
      numberWord([1_000_000_000]),
      fc.constantFrom('12,500.50', '$12500', '-5', '-5.5', '1e5', '12500.', '.5', '9223372036854775807', '92233720368547758.08', '0'),
    );
    const input = contexts.chain((ctx) =>
      fc.tuple(
        fc.constant(ctx),
        row(
          {
            external_id: externalId,
            user_id: userId,
            status: fc.oneof({ weight: 4, arbitrary: fc.constantFrom('won', 'lost', 'WON', 'Lost') }, { weight: 1, arbitrary: fc.constantFrom('open', 'closedwon', 'won!') }),
            amount: decimal,
            currency: fc.oneof({ weight: 4, arbitrary: fc.constantFrom('USD', 'eur', 'JPY', 'KWD', 'BHD') }, { weight: 1, arbitrary: fc.constantFrom('XYZ', 'US', '$', 'EURO') }),
            closed_at: when(ctx.now),
            account: text(MAX_NAME_LENGTH),
            notes: text(MAX_NOTES_LENGTH),
          },
          ['external_id', 'amount', 'currency', 'account', 'notes'],
        ),
      ),
    );
    fc.assert(
      fc.property(input, ([ctx, raw]) => {
        const spec = dealRowSpec(ctx);
        const parsed = parseRow(spec, raw as Record<string, string>);
        if ('errors' in parsed) {
          expect(parsed.errors.length).toBeGreaterThan(0);
          for (const message of parsed.errors) expect(typeof message === 'string' && message.trim() !== '').toBe(true);
          return;
        }
        const row = parsed.row;
        expect(row.userId).toMatch(/^[UW][A-Z0-9]+$/);
        expect(['won', 'lost']).toContain(row.status);
        expect(row.closedAt.getTime()).toBeLessThanOrEqual(ctx.now.getTime());
        if (row.status === 'won') expect(row.amountMinor).not.toBeNull();
        expect(row.amountMinor === null).toBe(row.currency === null);
        if (row.amountMinor !== null) {
          expect(isKnownCurrency(row.currency!)).toBe(true);
          expect(row.amountMinor >= 0n && row.amountMinor <= MAX_BIGINT).toBe(true);
          // Exact: the decimal written, in the currency's minor units.
          const [whole, frac = ''] = raw.amount!.trim().split('.');
          const exp = currencyExponent(row.currency!);
          expect(row.amountMinor).toBe(BigInt(whole! + frac.padEnd(exp, '0').slice(0, exp)));
          expect(frac.slice(exp).replace(/0/g, '')).toBe('');
        }
        if (row.externalId !== null) expect(row.externalId.length).toBeLessThanOrEqual(255);
        if (row.account !== null) expect(row.account.length).toBeLessThanOrEqual(MAX_NAME_LENGTH);
        if (row.notes !== null) expect(row.notes.length).toBeLessThanOrEqual(MAX_NOTES_LENGTH);
      }),
      runs(),
    );
  });
});

describe('an activities file row on any cells', () => {
  it(`gives an activity the database can hold, or its problems; never throws (${runs().numRuns} rows)`, () => {
    const input = contexts.chain((ctx) =>
      fc.tuple(
        fc.constant(ctx),
        row(
          {
            external_id: externalId,
            user_id: userId,
            type: fc.constantFrom('call', 'Calls', 'DEMO', 'meeting', 'email', 'webinar', 'proposals'),
            occurred_at: when(ctx.now),
            quantity: fc.oneof(fc.integer({ min: 1, max: MAX_COUNT }).map(String), numberWord([MAX_COUNT])),
            outcome: fc.constantFrom('connected', 'Voicemail', 'held', 'sent', 'booked', 'nope', '#connected'),
            duration_minutes: fc.oneof(fc.integer({ min: 1, max: MAX_DURATION_MINUTES }).map(String), numberWord([MAX_DURATION_MINUTES])),
            account: text(MAX_NAME_LENGTH),
            contact: text(MAX_NAME_LENGTH),
            notes: text(MAX_NOTES_LENGTH),
          },
          ['external_id', 'quantity', 'outcome', 'duration_minutes', 'account', 'contact', 'notes'],
        ),
      ),
    );
    fc.assert(
      fc.property(input, ([ctx, raw]) => {
        const parsed = parseRow(activityRowSpec({ ...ctx, types: BUILT_IN_ACTIVITY_TYPES }), raw as Record<string, string>);
        if ('errors' in parsed) {
          expect(parsed.errors.length).toBeGreaterThan(0);
          for (const message of parsed.errors) expect(typeof message === 'string' && message.trim() !== '').toBe(true);
          return;
        }
        const row = parsed.row;
        const type = BUILT_IN_ACTIVITY_TYPES.find((t) => t.key === row.typeKey);
        expect(type).toBeDefined();
        expect(row.userId).toMatch(/^[UW][A-Z0-9]+$/);
        expect(Number.isInteger(row.quantity) && row.quantity >= 1 && row.quantity <= MAX_COUNT).toBe(true);
        if (row.durationMinutes !== null) expect(Number.isInteger(row.durationMinutes) && row.durationMinutes >= 1 && row.durationMinutes <= MAX_DURATION_MINUTES).toBe(true);
        if (row.outcome !== null) expect(type!.outcomes).toContain(row.outcome);
        expect(row.occurredAt.getTime()).toBeLessThanOrEqual(ctx.now.getTime());
      }),
      runs(),
    );
  });
});

describe('a file header on any cells', () => {
  it(`maps every column or lists every problem; never throws (${runs().numRuns} headers)`, () => {
    const name = fc.oneof(
      fc.constantFrom('external_id', 'External ID', 'user-id', 'USER_ID', 'status', 'amount', ' currency ', 'closed_at', 'account', 'notes', 'type', 'occurred_at', 'quantity', 'email', 'user', ''),
      anyText(10),
    );
    fc.assert(
      fc.property(fc.array(name, { maxLength: 12 }), fc.boolean(), (header, deals) => {
        const spec = deals ? dealRowSpec({ now: new Date(), timeZone: 'UTC', defaultCurrency: 'USD' }) : activityRowSpec({ now: new Date(), timeZone: 'UTC', types: BUILT_IN_ACTIVITY_TYPES });
        const result = readHeader(spec, header);
        if (!result.ok) {
          expect(result.errors.length).toBeGreaterThan(0);
          return;
        }
        expect(result.columns).toHaveLength(header.length);
        const named = result.columns.filter((c): c is string => c !== null);
        expect(new Set(named).size).toBe(named.length);
        for (const required of spec.required) expect(named).toContain(required);
      }),
      runs(),
    );
  });
});

describe('the records of any file', () => {
  it(`are read with their lines, or stop at a CsvSyntaxError naming its line; nothing else is thrown (${runs().numRuns} files)`, async () => {
    const piece = fc.oneof(
      fc.constantFrom(',', '"', '""', '\n', '\r\n', '\r', ' ', '\ufeff', 'a', 'Acme, Inc.', '"a,b"', '"x\ny"', '5" screen', 'é', '\u0000'),
      fc.string({ unit: 'binary', maxLength: 4 }),
    );
    const file = fc.oneof(
      fc.array(piece, { maxLength: 30 }).map((parts) => parts.join('')),
      fc.array(fc.array(fc.string({ maxLength: 6 }), { maxLength: 5 }), { maxLength: 6 }).map((rows) => rows.map((r) => r.map((f) => (/[",\n\r]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f)).join(',')).join('\n')),
    );
    await fc.assert(
      fc.asyncProperty(file, fc.boolean(), async (content, asBytes) => {
        const lines: number[] = [];
        try {
          for await (const record of readCsvRecords(asBytes ? Buffer.from(content) : content)) {
            expect(record.fields.length).toBeGreaterThan(0);
            expect(record.fields.every((f) => typeof f === 'string')).toBe(true);
            lines.push(record.line);
          }
        } catch (error) {
          expect(error).toBeInstanceOf(CsvSyntaxError);
          expect((error as CsvSyntaxError).line).toBeGreaterThanOrEqual(1);
        }
        // Each record starts on a later line than the one before.
        for (let i = 1; i < lines.length; i++) expect(lines[i]!).toBeGreaterThan(lines[i - 1]!);
        if (lines.length) expect(lines[0]!).toBeGreaterThanOrEqual(1);
      }),
      runs(),
    );
  });
});
