/**
 * CSV import of deals on PostgreSQL: 100,000 rows (BENCH_IMPORT_ROWS) streamed from a file, validated and
 * upserted in one transaction, against a same-run baseline: the same rows, already built in memory, sent as
 * plain multi-row INSERTs through postgres.js (no parsing, no validation, no ON CONFLICT, no RETURNING).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import postgres from 'postgres';
import { sql } from 'drizzle-orm';
import { DEFAULT_BATCH_SIZE, importCsvFile, type ImportResult } from '../src/features/import/index.js';
import { ensureWorkspace } from '../src/slack/workspace.js';
import { freshPostgres } from './postgres.js';
import type { Bench, BenchOptions, BenchRow } from './types.js';
import { seededRandom } from '../src/lib/random.js';

const TEAM = 'T0BENCH';
const NOW = new Date('2026-11-20T15:00:00Z');
/** The baseline's rows per INSERT (12 parameters a row; postgres.js allows 65,535 per statement). */
const BASELINE_BATCH = 2000;
const HEADER = 'external_id,user_id,status,amount,currency,closed_at,account,notes';

interface RawDeal {
  team_id: string;
  user_id: string;
  status: 'won' | 'lost';
  amount_minor: string | null;
  currency: string | null;
  closed_at: Date;
  account: string | null;
  notes: string | null;
  source: 'import';
  external_id: string;
  created_at: Date;
  updated_at: Date;
}


function quote(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** One deal: its CSV line and the row the import should store for it (workspace defaults: USD, UTC). */
function* generateDeals(count: number): Generator<{ line: string; row: RawDeal }> {
  const rnd = seededRandom(42);
  const DAY = 86_400_000;
  for (let i = 1; i <= count; i++) {
    const externalId = `CRM-${String(i).padStart(7, '0')}`;
    const userId = `U0BENCH${Math.floor(rnd() * 40)}`;
    const status = rnd() < 0.8 ? 'won' : 'lost';
    const r = rnd();
    const currency = r < 0.7 ? 'USD' : r < 0.9 ? 'EUR' : 'JPY';
    const withAmount = status === 'won' || rnd() < 0.5;
    let amount = '';
    let amountMinor: string | null = null;
    if (withAmount) {
      if (currency === 'JPY') {
        const yen = Math.floor(rnd() * 5_000_000);
        amount = String(yen);
        amountMinor = String(yen);
      } else {
        const cents = Math.floor(rnd() * 10_000_000);
        amount = `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
        amountMinor = String(cents);
      }
    }
    const daysAgo = 1 + Math.floor(rnd() * 700);
    let closedAt: Date;
    let closedText: string;
    if (rnd() < 0.5) {
      const day = new Date(NOW.getTime() - daysAgo * DAY).toISOString().slice(0, 10);
      closedText = day;
      closedAt = new Date(`${day}T12:00:00Z`); // date only: noon in the workspace zone (UTC)
    } else {
      closedAt = new Date(NOW.getTime() - daysAgo * DAY - Math.floor(rnd() * DAY));
      closedText = closedAt.toISOString();
    }
    const account = rnd() < 0.2 ? `Acme ${i % 5000}, Inc.` : `Account ${i % 5000}`;
    const notes = rnd() < 0.1 ? `said "yes" on call ${i}` : '';
    const line = [externalId, userId, status, amount, withAmount ? currency : '', closedText, quote(account), quote(notes)].join(',');
    yield {
      line,
      row: {
        team_id: TEAM,
        user_id: userId,
        status,
        amount_minor: amountMinor,
        currency: withAmount ? currency : null,
        closed_at: closedAt,
        account,
        notes: notes === '' ? null : notes,
        source: 'import',
        external_id: externalId,
        created_at: NOW,
        updated_at: NOW,
      },
    };
  }
}

async function writeCsv(file: string, lines: Iterable<string>): Promise<void> {
  const out = fs.createWriteStream(file);
  if (!out.write(`${HEADER}\n`)) await once(out, 'drain');
  for (const line of lines) if (!out.write(`${line}\n`)) await once(out, 'drain');
  out.end();
  await once(out, 'finish');
}

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const start = process.hrtime.bigint();
  const value = await fn();
  return { value, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
}

function expectOk(result: ImportResult): Extract<ImportResult, { ok: true }> {
  if (!result.ok) throw new Error(`import failed:\n${result.errors.slice(0, 5).map((e) => `line ${e.line}: ${e.message}`).join('\n')}`);
  return result;
}

export const importDealsBench: Bench = {
  name: 'import',
  description: 'CSV import of 100,000 deals (20,000 with --quick) into a fresh PostgreSQL database, against raw multi-row INSERTs',
  async run({ quick }: BenchOptions): Promise<BenchRow[]> {
    const count = Number(process.env.BENCH_IMPORT_ROWS ?? (quick ? 20_000 : 100_000));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sp-bench-import-'));
    const fresh = await freshPostgres('import');
    const client = postgres(fresh.url, { max: 1, onnotice: () => {} });
    try {
      const file = path.join(dir, 'deals.csv');
      const badFile = path.join(dir, 'deals-bad-last-line.csv');
      const rows: RawDeal[] = [];
      const lines: string[] = [];
      for (const { line, row } of generateDeals(count)) {
        lines.push(line);
        rows.push(row);
      }
      await writeCsv(file, lines);
      await writeCsv(badFile, [...lines.slice(0, -1), lines.at(-1)!.replace(/^([^,]*,[^,]*,[^,]*,)[^,]*/, '$1"12,50"')]);
      const megabytes = fs.statSync(file).size / 1e6;
      await ensureWorkspace(fresh.database.db, TEAM);
      const { db } = fresh.database;
      const truncate = () => db.execute(sql`truncate deals cascade`);
      const columns = Object.keys(rows[0]!) as (keyof RawDeal)[];

      // Baseline: the rows already in memory, plain multi-row INSERTs of the same batch size, one transaction.
      const baseline = await timed(() =>
        client.begin(async (tx) => {
          for (let i = 0; i < rows.length; i += BASELINE_BATCH) {
            await tx`insert into deals ${tx(rows.slice(i, i + BASELINE_BATCH), ...columns)}`;
          }
        }),
      );
      await truncate();

      const validateOnly = await timed(() => importCsvFile(db, badFile, { teamId: TEAM, kind: 'deals', now: NOW }));
      if (validateOnly.value.ok) throw new Error('the file with a bad last line was imported');
      const first = await timed(async () => expectOk(await importCsvFile(db, file, { teamId: TEAM, kind: 'deals', now: NOW })));
      const again = await timed(async () => expectOk(await importCsvFile(db, file, { teamId: TEAM, kind: 'deals', now: NOW })));
      const [stored] = await fresh.database.rows<{ n: string | number }>(sql`select count(*) as n from deals`);
      if (Number(stored!.n) !== count || first.value.inserted !== count || again.value.updated !== count) {
        throw new Error(`expected ${count} rows, stored ${stored!.n}; ${JSON.stringify({ first: first.value, again: again.value })}`);
      }

      const row = (name: string, seconds: number, note: string): BenchRow => ({
        bench: 'import',
        case: name,
        rows: count,
        seconds,
        rowsPerSecond: count / seconds,
        ratio: seconds / baseline.seconds,
        note,
      });
      return [
        row('raw INSERT via postgres.js (baseline)', baseline.seconds, `rows prebuilt in memory, ${BASELINE_BATCH}/statement, 1 transaction`),
        row('validate only (bad last line)', validateOnly.seconds, `stream + parse + validate ${megabytes.toFixed(1)} MB, nothing written`),
        row('importCsv: all new', first.seconds, `${first.value.inserted} inserted, ${DEFAULT_BATCH_SIZE}/statement, 1 transaction`),
        row('importCsv: same file again', again.seconds, `${again.value.updated} updated`),
      ];
    } finally {
      await client.end({ timeout: 5 });
      await fresh.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};
