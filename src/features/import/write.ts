import { sql, type SQL } from 'drizzle-orm';
import { resultRows, type Db } from '../../db/client.js';
import type { ImportedActivity } from './activity-rows.js';
import type { ImportedDeal } from './deal-rows.js';

export interface WriteCounts {
  inserted: number;
  updated: number;
}

/*
 * Each batch is one INSERT ... SELECT FROM json_to_recordset($1) ... ON CONFLICT (team_id, external_id) DO UPDATE.
 *
 * Why not Drizzle's insert().values(rows): building a 2,000-row multi-row VALUES statement costs Drizzle about
 * 80 ms (24,000 parameters), which made a 100,000-row import four times slower than the raw INSERT it is
 * benchmarked against (bench/import.ts). Here the whole batch is one JSON parameter: built in a few
 * milliseconds, sent as text on both drivers (postgres.js and PGlite), and read by PostgreSQL in one pass.
 * Exactness is kept: amounts travel as decimal strings of minor units and are read as bigint, times as
 * ISO-8601 strings read as timestamptz.
 *
 * A row without an external id never conflicts (NULLs are distinct in a unique index), so it is a plain insert
 * in the same statement. A batch must not hold one external id twice: PostgreSQL refuses to update a row twice
 * in one statement (the validation refuses such files before anything is written).
 *
 * (xmax = 0) holds only for a tuple the statement inserted, so one statement tells inserts from updates.
 */
async function upsertJson(db: Db, statement: SQL): Promise<WriteCounts> {
  const [row] = resultRows<{ inserted: string | number; total: string | number }>(await db.execute(statement));
  const total = Number(row?.total ?? 0);
  const inserted = Number(row?.inserted ?? 0);
  return { inserted, updated: total - inserted };
}

export async function upsertDealBatch(db: Db, teamId: string, rows: ImportedDeal[], now: Date): Promise<WriteCounts> {
  const json = JSON.stringify(
    rows.map((r) => ({
      external_id: r.externalId,
      user_id: r.userId,
      status: r.status,
      amount_minor: r.amountMinor === null ? null : r.amountMinor.toString(),
      currency: r.currency,
      closed_at: r.closedAt.toISOString(),
      account: r.account,
      notes: r.notes,
      kind: r.kind,
      satisfaction: r.satisfaction?.score ?? null,
      satisfaction_scale: r.satisfaction?.scale ?? null,
    })),
  );
  const at = now.toISOString();
  // A blank kind or satisfaction (null here) is new business and no score for a new deal, and keeps the one a deal
  // already stored under the external id has (read through the unique index, the same lookup the conflict makes).
  return upsertJson(
    db,
    sql`
      with written as (
        insert into deals (team_id, user_id, status, amount_minor, currency, closed_at, account, notes, kind, satisfaction, satisfaction_scale, source, external_id, created_at, updated_at)
        select ${teamId}, r.user_id, r.status, r.amount_minor, r.currency, r.closed_at, r.account, r.notes,
               coalesce(r.kind, d.kind, 'new'),
               case when r.satisfaction is null then d.satisfaction else r.satisfaction end,
               case when r.satisfaction is null then d.satisfaction_scale else r.satisfaction_scale end,
               'import', r.external_id, ${at}::timestamptz, ${at}::timestamptz
        from json_to_recordset(${json}::json) as r(
          external_id text, user_id text, status text, amount_minor bigint, currency text, closed_at timestamptz, account text, notes text,
          kind text, satisfaction smallint, satisfaction_scale text
        )
        left join deals d on d.team_id = ${teamId} and d.external_id = r.external_id
        on conflict (team_id, external_id) do update set
          user_id = excluded.user_id,
          status = excluded.status,
          amount_minor = excluded.amount_minor,
          currency = excluded.currency,
          closed_at = excluded.closed_at,
          account = excluded.account,
          notes = excluded.notes,
          kind = excluded.kind,
          satisfaction = excluded.satisfaction,
          satisfaction_scale = excluded.satisfaction_scale,
          source = excluded.source,
          updated_at = excluded.updated_at,
          -- The file says the deal exists: one deleted since comes back, as with the CRM webhook.
          deleted_at = null
        returning (xmax = 0) as inserted
      )
      select count(*) filter (where inserted) as inserted, count(*) as total from written`,
  );
}

export async function upsertActivityBatch(db: Db, teamId: string, rows: ImportedActivity[], now: Date): Promise<WriteCounts> {
  const json = JSON.stringify(
    rows.map((r) => ({
      external_id: r.externalId,
      user_id: r.userId,
      type_key: r.typeKey,
      quantity: r.quantity,
      occurred_at: r.occurredAt.toISOString(),
      outcome: r.outcome,
      duration_minutes: r.durationMinutes,
      account: r.account,
      contact: r.contact,
      notes: r.notes,
    })),
  );
  const at = now.toISOString();
  return upsertJson(
    db,
    sql`
      with written as (
        insert into activities (team_id, user_id, type_key, quantity, occurred_at, outcome, duration_minutes, account, contact, notes, source, external_id, created_at, updated_at)
        select ${teamId}, r.user_id, r.type_key, r.quantity, r.occurred_at, r.outcome, r.duration_minutes, r.account, r.contact, r.notes, 'import', r.external_id, ${at}::timestamptz, ${at}::timestamptz
        from json_to_recordset(${json}::json) as r(
          external_id text, user_id text, type_key text, quantity integer, occurred_at timestamptz, outcome text,
          duration_minutes integer, account text, contact text, notes text
        )
        on conflict (team_id, external_id) do update set
          user_id = excluded.user_id,
          type_key = excluded.type_key,
          quantity = excluded.quantity,
          occurred_at = excluded.occurred_at,
          outcome = excluded.outcome,
          duration_minutes = excluded.duration_minutes,
          account = excluded.account,
          contact = excluded.contact,
          notes = excluded.notes,
          source = excluded.source,
          updated_at = excluded.updated_at,
          deleted_at = null
        returning (xmax = 0) as inserted
      )
      select count(*) filter (where inserted) as inserted, count(*) as total from written`,
  );
}
