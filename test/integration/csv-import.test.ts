import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { openPglite, type Database } from '../../src/db/client.js';
import { activities, activityTypes, deals, workspaces } from '../../src/db/schema/index.js';
import { parseWhen } from '../../src/features/import/fields.js';
import { formatImportError, importCsv, type ImportOptions, type ImportResult } from '../../src/features/import/index.js';
import { ensureWorkspace } from '../../src/slack/workspace.js';
import { createTestDb, DB_KINDS, describeEachDb, type TestDb } from '../helpers/db.js';
import { runCli } from '../helpers/built.js';

const TEAM = 'T0IMPORT';
const NOW = new Date('2026-11-20T15:00:00Z');

function deal(o: Partial<ImportOptions> = {}): ImportOptions {
  return { teamId: TEAM, kind: 'deals', now: NOW, ...o };
}
function activity(o: Partial<ImportOptions> = {}): ImportOptions {
  return { teamId: TEAM, kind: 'activities', now: NOW, ...o };
}

/** Lines joined with LF (or the given ending), plus a final line break. */
function csv(lines: string[], eol = '\n'): string {
  return lines.join(eol) + eol;
}

function errorsOf(result: ImportResult): string[] {
  if (result.ok) throw new Error(`expected errors, got ${JSON.stringify(result)}`);
  return result.errors.map(formatImportError);
}

const DEALS_HEADER = 'external_id,user_id,status,amount,currency,closed_at,account,notes';

describeEachDb('CSV import', (getDb) => {
  const db = () => getDb().database.db;
  const rows = <T = Record<string, unknown>>(q: ReturnType<typeof sql>) => getDb().database.rows<T>(q);
  const dealCount = async () => Number((await rows<{ n: string | number }>(sql`select count(*) as n from deals`))[0]!.n);
  const activityCount = async () => Number((await rows<{ n: string | number }>(sql`select count(*) as n from activities`))[0]!.n);

  async function dealsByExternalId() {
    const list = await db()
      .select({
        externalId: deals.externalId,
        userId: deals.userId,
        status: deals.status,
        amountMinor: deals.amountMinor,
        currency: deals.currency,
        closedAt: deals.closedAt,
        account: deals.account,
        notes: deals.notes,
        source: deals.source,
      })
      .from(deals)
      .where(eq(deals.teamId, TEAM))
      .orderBy(deals.externalId);
    return Object.fromEntries(list.map((d) => [d.externalId, d]));
  }

  describe('deals', () => {
    it('imports a valid file exactly: decimals to minor units, currencies, dates, blanks', async () => {
      // The workspace exists with its own currency and time zone: blank currencies and date-only values use them.
      await ensureWorkspace(db(), TEAM);
      await db().update(workspaces).set({ currency: 'EUR', defaultTimeZone: 'America/New_York' }).where(eq(workspaces.teamId, TEAM));
      const file = csv([
        DEALS_HEADER,
        'D-1,U0AAA,won,0.10,USD,2026-10-01,Acme,',
        'D-2,U0AAA,won,0.20,usd,2026-10-02T09:30:00+02:00,,',
        'D-3,U0BBB,won,120000,JPY,2026-10-03T12:00:00Z,Globex,',
        'D-4,U0BBB,lost,,,2026-10-04,Initech,went with a competitor',
        'D-5,U0BBB,Won,12500.5,,2026-10-05 08:15,,',
        'D-6,U0CCC,won,1.250,KWD,2026-10-06,,',
      ]);
      const result = await importCsv(db(), file, deal());
      expect(result).toEqual({ ok: true, kind: 'deals', inserted: 6, updated: 0, total: 6 });

      const byId = await dealsByExternalId();
      expect(byId['D-1']).toMatchObject({ userId: 'U0AAA', status: 'won', amountMinor: 10n, currency: 'USD', account: 'Acme', notes: null, source: 'import' });
      expect(byId['D-2']).toMatchObject({ amountMinor: 20n, currency: 'USD', account: null });
      expect(byId['D-3']).toMatchObject({ amountMinor: 120000n, currency: 'JPY' });
      expect(byId['D-4']).toMatchObject({ status: 'lost', amountMinor: null, currency: null, notes: 'went with a competitor' });
      expect(byId['D-5']).toMatchObject({ status: 'won', amountMinor: 1250050n, currency: 'EUR' });
      expect(byId['D-6']).toMatchObject({ amountMinor: 1250n, currency: 'KWD' });
      // Date only: 12:00 in the workspace zone (New York, EDT in October). With an offset: as is. Without: workspace zone.
      expect(byId['D-1']!.closedAt.toISOString()).toBe('2026-10-01T16:00:00.000Z');
      expect(byId['D-2']!.closedAt.toISOString()).toBe('2026-10-02T07:30:00.000Z');
      expect(byId['D-3']!.closedAt.toISOString()).toBe('2026-10-03T12:00:00.000Z');
      expect(byId['D-5']!.closedAt.toISOString()).toBe('2026-10-05T12:15:00.000Z');

      // Summed in SQL, exactly: 0.10 + 0.20 is 30 cents, not 0.30000000000000004.
      const [usd] = await rows<{ total: string }>(sql`select sum(amount_minor)::text as total from deals where currency = 'USD'`);
      expect(BigInt(usd!.total)).toBe(30n);
    });

    it('creates the workspace on first import, with the default settings', async () => {
      const result = await importCsv(db(), csv([DEALS_HEADER, ',U0AAA,won,99.99,,2026-11-01,,']), deal());
      expect(result).toMatchObject({ ok: true, inserted: 1 });
      const [ws] = await db().select().from(workspaces).where(eq(workspaces.teamId, TEAM));
      expect(ws).toMatchObject({ currency: 'USD', defaultTimeZone: 'UTC' });
      const [row] = await db().select().from(deals);
      expect(row).toMatchObject({ amountMinor: 9999n, currency: 'USD', externalId: null, source: 'import' });
      expect(row!.closedAt.toISOString()).toBe('2026-11-01T12:00:00.000Z');
    });

    it('imports nothing when one line is bad, not even the rows before it, and names the line', async () => {
      const file = csv([
        DEALS_HEADER,
        'D-1,U0AAA,won,100,USD,2026-10-01,,',
        'D-2,U0AAA,won,200,USD,2026-10-01,,',
        'D-3,U0AAA,won,"12,50",USD,2026-10-01,,',
        'D-4,U0AAA,won,300,USD,2026-10-01,,',
      ]);
      const result = await importCsv(db(), file, deal());
      expect(errorsOf(result)).toEqual(['line 4: amount "12,50" is not a decimal number like 12500.50 (no currency symbols or thousands separators)']);
      expect(await dealCount()).toBe(0);
      // A file with errors changes nothing at all: not even the workspace row is created.
      expect(await db().select().from(workspaces)).toEqual([]);
    });

    it('reports every bad line, each problem on its own line, in file order', async () => {
      const file = csv([
        DEALS_HEADER,
        'D-1,U0AAA,won,100,USD,2026-10-01,,',
        'D-2,ann@example.com,pending,$5,XYZ,2026-10-01,,',
        'D-3,U0AAA,won,,USD,2026-10-01,,',
        'D-4,U0AAA,won,1.5,JPY,2026-10-01,,',
        'D-5,U0AAA,won,1.005,USD,2026-10-01,,',
        'D-6,U0AAA,won,-5,USD,2026-10-01,,',
        'D-7,U0AAA,won,5,USD,2026-11-21,,',
        'D-8,U0AAA,won,5,USD,2026-02-30,,',
        'D-9,,won,5,USD,,,',
        'D-10,U0AAA,won,5,USD,2026-10-01,too,many,cells',
        'D-11,U0AAA,won,5,USD,2026-11-20T15:00:01Z,,',
      ]);
      const result = await importCsv(db(), file, deal());
      expect(errorsOf(result)).toEqual([
        'line 3: user_id "ann@example.com" is not a Slack user id like U0123ABCD',
        'line 3: status "pending" is neither won nor lost',
        'line 3: amount "$5" is not a decimal number like 12500.50 (no currency symbols or thousands separators)',
        'line 3: currency "XYZ" is not an ISO-4217 code like USD, EUR or JPY',
        'line 4: amount is required for a won deal',
        'line 5: amount 1.5 has decimals, but JPY amounts are whole numbers',
        'line 6: amount 1.005 has more than 2 decimals, the most USD has',
        'line 7: amount -5 is negative; amounts are 0 or more',
        'line 8: closed_at 2026-11-21 is in the future',
        'line 9: closed_at "2026-02-30" is not a date like 2026-10-01 or 2026-10-01T14:30:00Z',
        'line 10: user_id is required (a Slack user id like U0123ABCD)',
        'line 10: closed_at is required (a date like 2026-10-01 or a timestamp like 2026-10-01T14:30:00Z)',
        'line 11: 9 values, but the header has 8 columns (a value with a comma in it must be in double quotes, like "Acme, Inc.")',
        'line 12: closed_at 2026-11-20T15:00:01Z is in the future',
      ]);
      expect(await dealCount()).toBe(0);
    });

    it("takes today's date even before noon, as the moment of the import", async () => {
      const early = new Date('2026-11-20T08:00:00Z');
      const result = await importCsv(db(), csv([DEALS_HEADER, 'D-1,U0AAA,won,5,USD,2026-11-20,,']), deal({ now: early }));
      expect(result).toMatchObject({ ok: true, inserted: 1 });
      const [row] = await db().select({ closedAt: deals.closedAt }).from(deals);
      expect(row!.closedAt.toISOString()).toBe(early.toISOString());
    });

    it('imports the same file again without duplicates: every row counts as updated', async () => {
      const file = csv([DEALS_HEADER, 'D-1,U0AAA,won,100,USD,2026-10-01,,', 'D-2,U0AAA,lost,,,2026-10-02,,', 'D-3,U0BBB,won,0.01,USD,2026-10-03,,']);
      expect(await importCsv(db(), file, deal())).toEqual({ ok: true, kind: 'deals', inserted: 3, updated: 0, total: 3 });
      expect(await importCsv(db(), file, deal())).toEqual({ ok: true, kind: 'deals', inserted: 0, updated: 3, total: 3 });
      expect(await dealCount()).toBe(3);
    });

    it('a changed file updates the stored rows (amount, status, owner), adds new ones, and brings back a deleted one', async () => {
      await importCsv(db(), csv([DEALS_HEADER, 'D-1,U0AAA,won,100,USD,2026-10-01,Acme,', 'D-2,U0AAA,won,200,USD,2026-10-02,,']), deal());
      await db().update(deals).set({ deletedAt: NOW }).where(eq(deals.externalId, 'D-2'));
      const changed = csv([DEALS_HEADER, 'D-1,U0BBB,won,150.75,EUR,2026-10-01,Acme Corp,renewed', 'D-2,U0AAA,lost,,,2026-10-02,,', 'D-3,U0AAA,won,5,USD,2026-10-03,,']);
      expect(await importCsv(db(), changed, deal())).toEqual({ ok: true, kind: 'deals', inserted: 1, updated: 2, total: 3 });
      const byId = await dealsByExternalId();
      expect(byId['D-1']).toMatchObject({ userId: 'U0BBB', amountMinor: 15075n, currency: 'EUR', account: 'Acme Corp', notes: 'renewed' });
      expect(byId['D-2']).toMatchObject({ status: 'lost', amountMinor: null, currency: null });
      const [restored] = await db().select({ deletedAt: deals.deletedAt }).from(deals).where(eq(deals.externalId, 'D-2'));
      expect(restored!.deletedAt).toBeNull();
      expect(await dealCount()).toBe(3);
    });

    it('adds rows without an external_id again on every import (nothing identifies them)', async () => {
      const file = csv([DEALS_HEADER, ',U0AAA,won,100,USD,2026-10-01,,']);
      await importCsv(db(), file, deal());
      expect(await importCsv(db(), file, deal())).toMatchObject({ ok: true, inserted: 1, updated: 0 });
      expect(await dealCount()).toBe(2);
    });

    it('leaves other workspaces alone: the same external_id in another workspace is another deal', async () => {
      const file = csv([DEALS_HEADER, 'D-1,U0AAA,won,100,USD,2026-10-01,,']);
      await importCsv(db(), file, deal());
      expect(await importCsv(db(), file, deal({ teamId: 'T0OTHER' }))).toMatchObject({ ok: true, inserted: 1, updated: 0 });
      expect(await dealCount()).toBe(2);
    });

    it('reads quoted commas, quotes and line breaks, a UTF-8 BOM and CRLF line endings, with the right line numbers', async () => {
      const file =
        '\uFEFF' +
        csv(
          [
            'External ID,User_ID,STATUS,Amount,Currency,Closed_At,Account,Notes',
            'D-1,U0AAA,won,100,USD,2026-10-01,"Acme, Inc.","said ""yes""\r\non a call\r\nthen signed"',
            '',
            'D-2,U0AAA,won,200,USD,2026-10-01,"Globex",plain',
          ],
          '\r\n',
        );
      expect(await importCsv(db(), file, deal())).toMatchObject({ ok: true, inserted: 2 });
      const byId = await dealsByExternalId();
      expect(byId['D-1']).toMatchObject({ account: 'Acme, Inc.', notes: 'said "yes"\r\non a call\r\nthen signed', amountMinor: 10000n });
      expect(byId['D-2']).toMatchObject({ account: 'Globex', notes: 'plain' });

      // After a three-line cell and a blank line, the next record is on line 6 (header 1, record 2-4, blank 5).
      await getDb().truncate();
      const bad =
        '\uFEFF' +
        csv(
          [DEALS_HEADER, 'D-1,U0AAA,won,100,USD,2026-10-01,Acme,"first\r\nsecond\r\nthird"', '', 'D-2,U0AAA,won,abc,USD,2026-10-01,,'],
          '\r\n',
        );
      expect(errorsOf(await importCsv(db(), bad, deal()))).toEqual([
        'line 6: amount "abc" is not a decimal number like 12500.50 (no currency symbols or thousands separators)',
      ]);
    });

    it('reads a file given as a stream in small chunks', async () => {
      const lines = [DEALS_HEADER];
      for (let i = 1; i <= 500; i++) lines.push(`D-${i},U0AAA,won,${i}.25,USD,2026-10-01,"Account ${i}, Ltd",`);
      const text = csv(lines);
      const chunks = text.match(/[\s\S]{1,97}/g)!; // cut anywhere, also inside quoted cells
      const result = await importCsv(db(), Readable.from(chunks.map((c) => Buffer.from(c))), deal({ batchSize: 64 }));
      expect(result).toEqual({ ok: true, kind: 'deals', inserted: 500, updated: 0, total: 500 });
      const [sum] = await rows<{ total: string }>(sql`select sum(amount_minor)::text as total from deals`);
      expect(BigInt(sum!.total)).toBe(500n * 501n * 50n + 500n * 25n);
    });

    it('refuses an unknown column and lists the allowed ones', async () => {
      const result = await importCsv(db(), csv(['external_id,email,status,amount,closed_at,amout', 'D-1,ann@example.com,won,5,2026-10-01,5']), deal());
      expect(errorsOf(result)).toEqual([
        'line 1: unknown column "email" (emails cannot be looked up without Slack, so a file names people by user_id (a Slack user id like U0123ABCD)); the columns for deals are: external_id, user_id, status, amount, currency, closed_at, account, notes, kind, satisfaction',
        'line 1: unknown column "amout"; the columns for deals are: external_id, user_id, status, amount, currency, closed_at, account, notes, kind, satisfaction',
        'line 1: missing required column "user_id"; the header must have: user_id, status, amount, closed_at',
      ]);
    });

    it('refuses a header without a required column, and an empty file', async () => {
      expect(errorsOf(await importCsv(db(), csv(['user_id,status,amount', 'U0AAA,won,5']), deal()))).toEqual([
        'line 1: missing required column "closed_at"; the header must have: user_id, status, amount, closed_at',
      ]);
      expect(errorsOf(await importCsv(db(), '', deal()))).toEqual([
        'line 1: the file is empty; the first line must be a header naming the columns: external_id, user_id, status, amount, currency, closed_at, account, notes, kind, satisfaction',
      ]);
      expect(errorsOf(await importCsv(db(), csv(['user_id,status,amount,closed_at,status']), deal()))).toEqual(['line 1: column "status" appears twice in the header']);
    });

    it('refuses a duplicate external_id in the file, naming both lines', async () => {
      const file = csv([DEALS_HEADER, 'D-1,U0AAA,won,5,USD,2026-10-01,,', 'D-2,U0AAA,won,5,USD,2026-10-01,,', 'D-1,U0BBB,won,7,USD,2026-10-01,,']);
      expect(errorsOf(await importCsv(db(), file, deal()))).toEqual([
        'line 4: external_id "D-1" is also on line 2; each external_id may appear once in a file',
      ]);
      expect(await dealCount()).toBe(0);
    });

    it('stops at an unclosed quote and names the line it starts on', async () => {
      const file = csv([DEALS_HEADER, 'D-1,U0AAA,won,5,USD,2026-10-01,,', 'D-2,U0AAA,won,5,USD,2026-10-01,"Acme,', 'D-3,U0AAA,won,5,USD,2026-10-01,,']);
      expect(errorsOf(await importCsv(db(), file, deal()))).toEqual([
        'line 3: a quoted value starts here and its closing quote is missing, so the rest of the file cannot be read',
      ]);
      expect(await dealCount()).toBe(0);
    });
  });

  describe('activities', () => {
    const HEADER = 'external_id,user_id,type,occurred_at,quantity,outcome,duration_minutes,account,contact,notes';

    it('imports a valid file: types by key, label or plural, canonical outcomes, defaults, custom types', async () => {
      await ensureWorkspace(db(), TEAM);
      await db().insert(activityTypes).values({ teamId: TEAM, key: 'linkedin', label: 'LinkedIn message', plural: 'LinkedIn messages', outcomes: ['accepted', 'ignored'] });
      const file = csv([
        HEADER,
        'A-1,U0AAA,call,2026-10-01,12,Connected,15,Acme,Ann Lee,"asked for pricing, twice"',
        'A-2,U0AAA,Emails,2026-10-02T10:00:00Z,,,,,,',
        'A-3,U0BBB,Meeting,2026-10-03,1,no-show,60,Globex,,',
        'A-4,U0BBB,linkedin,2026-10-04,3,ACCEPTED,,,,',
        ',U0BBB,demo,2026-10-05,,,720,,,',
      ]);
      expect(await importCsv(db(), file, activity())).toEqual({ ok: true, kind: 'activities', inserted: 5, updated: 0, total: 5 });
      const list = await db()
        .select({
          externalId: activities.externalId,
          userId: activities.userId,
          typeKey: activities.typeKey,
          quantity: activities.quantity,
          occurredAt: activities.occurredAt,
          outcome: activities.outcome,
          durationMinutes: activities.durationMinutes,
          account: activities.account,
          contact: activities.contact,
          notes: activities.notes,
          source: activities.source,
          idempotencyKey: activities.idempotencyKey,
        })
        .from(activities)
        .orderBy(activities.occurredAt);
      expect(list.map((a) => ({ ...a, occurredAt: a.occurredAt.toISOString() }))).toEqual([
        { externalId: 'A-1', userId: 'U0AAA', typeKey: 'call', quantity: 12, occurredAt: '2026-10-01T12:00:00.000Z', outcome: 'connected', durationMinutes: 15, account: 'Acme', contact: 'Ann Lee', notes: 'asked for pricing, twice', source: 'import', idempotencyKey: null },
        { externalId: 'A-2', userId: 'U0AAA', typeKey: 'email', quantity: 1, occurredAt: '2026-10-02T10:00:00.000Z', outcome: null, durationMinutes: null, account: null, contact: null, notes: null, source: 'import', idempotencyKey: null },
        { externalId: 'A-3', userId: 'U0BBB', typeKey: 'meeting', quantity: 1, occurredAt: '2026-10-03T12:00:00.000Z', outcome: 'no-show', durationMinutes: 60, account: 'Globex', contact: null, notes: null, source: 'import', idempotencyKey: null },
        { externalId: 'A-4', userId: 'U0BBB', typeKey: 'linkedin', quantity: 3, occurredAt: '2026-10-04T12:00:00.000Z', outcome: 'accepted', durationMinutes: null, account: null, contact: null, notes: null, source: 'import', idempotencyKey: null },
        { externalId: null, userId: 'U0BBB', typeKey: 'demo', quantity: 1, occurredAt: '2026-10-05T12:00:00.000Z', outcome: null, durationMinutes: 720, account: null, contact: null, notes: null, source: 'import', idempotencyKey: null },
      ]);
      // Reports sum quantities: 12 calls.
      const [calls] = await rows<{ n: string | number }>(sql`select sum(quantity) as n from activities where type_key = 'call'`);
      expect(Number(calls!.n)).toBe(12);
    });

    it('reports every bad line and imports nothing', async () => {
      const file = csv([
        HEADER,
        'A-1,U0AAA,call,2026-10-01,1,connected,15,,,',
        'A-2,U0AAA,fax,2026-10-01,1,,,,,',
        'A-3,U0AAA,call,2026-10-01,0,replied,721,,,',
        'A-4,U0AAA,email,2026-10-01,101,,1.5,,,',
        'A-5,U0AAA,call,next tuesday,x2,,,,,',
      ]);
      expect(errorsOf(await importCsv(db(), file, activity()))).toEqual([
        'line 3: type "fax" is not an activity type here; use one of: call, email, meeting, demo, proposal',
        'line 4: quantity 0 is out of range: use a whole number from 1 to 100',
        'line 4: duration_minutes 721 is out of range: use a whole number from 1 to 720',
        'line 4: outcome "replied" is not an outcome for calls; use one of: connected, voicemail, no-answer, booked',
        'line 5: quantity 101 is out of range: use a whole number from 1 to 100',
        'line 5: duration_minutes "1.5" is not a whole number from 1 to 720',
        'line 6: occurred_at "next tuesday" is not a date like 2026-10-01 or 2026-10-01T14:30:00Z',
        'line 6: quantity "x2" is not a whole number from 1 to 100',
      ]);
      expect(await activityCount()).toBe(0);
    });

    it('imports the same file again without duplicates, and a changed one updates', async () => {
      const file = csv([HEADER, 'A-1,U0AAA,call,2026-10-01,2,,,,,', 'A-2,U0AAA,email,2026-10-01,1,,,,,']);
      expect(await importCsv(db(), file, activity())).toMatchObject({ ok: true, inserted: 2, updated: 0 });
      expect(await importCsv(db(), file, activity())).toMatchObject({ ok: true, inserted: 0, updated: 2 });
      expect(await activityCount()).toBe(2);
      const changed = csv([HEADER, 'A-1,U0AAA,call,2026-10-01,5,booked,,,,', 'A-2,U0AAA,email,2026-10-01,1,,,,,']);
      expect(await importCsv(db(), changed, activity())).toMatchObject({ ok: true, inserted: 0, updated: 2 });
      const [a1] = await db().select().from(activities).where(eq(activities.externalId, 'A-1'));
      expect(a1).toMatchObject({ quantity: 5, outcome: 'booked' });
    });

    it('refuses an activities file given as deals (and the other way round), listing the right columns', async () => {
      const file = csv([HEADER, 'A-1,U0AAA,call,2026-10-01,1,,,,,']);
      const errors = errorsOf(await importCsv(db(), file, deal()));
      expect(errors[0]).toBe('line 1: unknown column "type"; the columns for deals are: external_id, user_id, status, amount, currency, closed_at, account, notes, kind, satisfaction');
      expect(errors).toContain('line 1: missing required column "status"; the header must have: user_id, status, amount, closed_at');
    });
  });
});

// ---------------------------------------------------------------------------
// Dates and times in a file (pure)

describe('parseWhen', () => {
  const at = (value: string, timeZone = 'UTC', now = NOW) => {
    const r = parseWhen(value, { timeZone, now });
    return r.ok ? r.at.toISOString() : r.message;
  };

  it('places a date at noon in the zone, across daylight saving changes', () => {
    expect(at('2026-03-07', 'America/New_York')).toBe('2026-03-07T17:00:00.000Z'); // EST
    expect(at('2026-03-09', 'America/New_York')).toBe('2026-03-09T16:00:00.000Z'); // EDT
    expect(at('2026-06-01', 'Pacific/Kiritimati')).toBe('2026-05-31T22:00:00.000Z');
    expect(at('2024-02-29')).toBe('2024-02-29T12:00:00.000Z');
  });

  it('takes a timestamp with an offset as is, and one without in the zone', () => {
    expect(at('2026-10-01T14:30:00Z', 'Asia/Tokyo')).toBe('2026-10-01T14:30:00.000Z');
    expect(at('2026-10-01T14:30:00+05:30')).toBe('2026-10-01T09:00:00.000Z');
    expect(at('2026-10-01T14:30+0530')).toBe('2026-10-01T09:00:00.000Z');
    expect(at('2026-10-01 14:30:00-07')).toBe('2026-10-01T21:30:00.000Z');
    expect(at('2026-10-01T14:30:00.123456Z')).toBe('2026-10-01T14:30:00.123Z');
    expect(at('2026-10-01T14:30', 'Asia/Tokyo')).toBe('2026-10-01T05:30:00.000Z');
  });

  it('refuses what is not a real date or time, and the future', () => {
    for (const bad of ['2025-02-29', '2026-13-01', '01/10/2026', '2026-10-01T24:00:00Z', '2026-10-01T10:00:00+19:00', '20261001', 'yesterday', '2026-10-1']) {
      expect(at(bad)).toBe(`${JSON.stringify(bad)} is not a date like 2026-10-01 or 2026-10-01T14:30:00Z`);
    }
    expect(at('2026-11-21')).toBe('2026-11-21 is in the future');
    // Today is fine in any zone where it is already today, even before noon there (then: now).
    expect(at('2026-11-21', 'Pacific/Kiritimati')).toBe(NOW.toISOString()); // 05:00 on the 21st there
    expect(at('1999-12-31')).toBe('1999-12-31T12:00:00.000Z'); // no backdating limit: history
  });
});

// ---------------------------------------------------------------------------
// The CLI, as an operator runs it


for (const kind of DB_KINDS) {
  describe(`npm run cli -- import [${kind}]`, () => {
    let dir: string;
    let env: Record<string, string>;
    let testDb: TestDb | undefined;
    /** Opens the database the CLI wrote to (the embedded one only while the CLI is not running). */
    let inspect: <T>(fn: (database: Database) => Promise<T>) => Promise<T>;

    beforeAll(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sp-import-'));
      if (kind === 'pglite') {
        const dataDir = path.join(dir, 'data');
        env = { DATA_DIR: dataDir };
        inspect = async (fn) => {
          const database = await openPglite(dataDir);
          try {
            return await fn(database);
          } finally {
            await database.close();
          }
        };
      } else {
        testDb = await createTestDb('postgres');
        env = { DATABASE_URL: testDb.database.url! };
        inspect = (fn) => fn(testDb!.database);
      }
    });
    afterAll(async () => {
      await testDb?.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('imports a valid file and prints a summary; again, it updates', async () => {
      const file = path.join(dir, 'deals.csv');
      fs.writeFileSync(file, csv([DEALS_HEADER, 'D-1,U0AAA,won,0.10,USD,2026-01-05,Acme,', 'D-2,U0AAA,won,0.20,USD,2026-01-06,,', 'D-3,U0BBB,lost,,,2026-01-07,,']));
      const first = await runCli(['import', file, '--workspace', 'T0CLI', '--kind', 'deals'], env);
      expect(first.stderr).toBe('');
      expect(first.code).toBe(0);
      expect(first.stdout.trim()).toBe('Imported 3 deals (3 new, 0 updated) into T0CLI.');

      const again = await runCli(['import', file, '--workspace', 'T0CLI', '--kind', 'deals'], env);
      expect(again.code).toBe(0);
      expect(again.stdout.trim()).toBe('Imported 3 deals (0 new, 3 updated) into T0CLI.');

      const rowsNow = await inspect((database) =>
        database.rows<{ n: string | number; total: string }>(sql`select count(*) as n, sum(amount_minor)::text as total from deals where team_id = 'T0CLI'`),
      );
      expect(Number(rowsNow[0]!.n)).toBe(3);
      expect(rowsNow[0]!.total).toBe('30');
    }, 60_000);

    it('prints every problem with its line and exits 1 without importing anything', async () => {
      const file = path.join(dir, 'activities.csv');
      fs.writeFileSync(file, csv(['external_id,user_id,type,occurred_at', 'A-1,U0AAA,call,2026-01-05', 'A-2,U0AAA,fax,2026-01-05', 'A-3,someone,call,2026-01-05']));
      const run = await runCli(['import', file, '--workspace', 'T0CLI', '--kind', 'activities'], env);
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr.trim().split('\n')).toEqual([
        `${file}: 2 problems found; nothing was imported.`,
        'line 3: type "fax" is not an activity type here; use one of: call, email, meeting, demo, proposal',
        'line 4: user_id "someone" is not a Slack user id like U0123ABCD',
      ]);
      const count = await inspect((database) => database.rows<{ n: string | number }>(sql`select count(*) as n from activities`));
      expect(Number(count[0]!.n)).toBe(0);

      const missing = await runCli(['import', path.join(dir, 'nope.csv'), '--workspace', 'T0CLI', '--kind', 'deals'], env);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain(`import: file not found: ${path.join(dir, 'nope.csv')}`);

      const noArgs = await runCli(['import', file], env);
      expect(noArgs.code).toBe(1);
      expect(noArgs.stderr).toContain('--workspace <team_id> is required');
      expect(noArgs.stderr).toContain('--kind is required: deals or activities');
    }, 60_000);
  });
}
