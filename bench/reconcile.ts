/**
 * What the database says about the commands a load run sent: each command's row is found by its idempotency key
 * `cmd:<trigger_id>` (commands.ts), and held against what the command's HTTP answer said.
 */
import postgres from 'postgres';
import type { Outcome } from './load.js';
import { TEAM_ID } from './processes.js';

export interface Reconciliation {
  /** Commands sent. */
  sent: number;
  /** HTTP 200 answers (whatever their body). */
  acknowledged: number;
  /** 200 answers carrying the stored entry's confirmation. */
  confirmed: number;
  /** Sent commands with a row. */
  stored: number;
  /** Confirmed, but no row. */
  lost: number;
  /** A row, but no confirmation (an error, a refusal, a "not saved" answer). */
  phantom: number;
  /** A row that does not say what the command said (account, user, count, outcome, duration). */
  mismatched: number;
  /** Rows in the table whose key no command of this run had. */
  foreign: number;
  /** A few examples of lost, phantom and mismatched commands. */
  examples: string[];
}

interface StoredRow {
  idempotency_key: string | null;
  user_id: string;
  account: string | null;
  quantity: number;
  outcome: string | null;
  duration_minutes: number | null;
}

export async function reconcile(databaseUrl: string, outcomes: Outcome[]): Promise<Reconciliation> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  let rows: StoredRow[];
  try {
    rows = await sql<StoredRow[]>`
      select idempotency_key, user_id, account, quantity, outcome, duration_minutes
      from activities where team_id = ${TEAM_ID}`;
  } finally {
    await sql.end({ timeout: 5 });
  }
  const byKey = new Map(rows.map((r) => [r.idempotency_key ?? '', r]));
  const r: Reconciliation = { sent: outcomes.length, acknowledged: 0, confirmed: 0, stored: 0, lost: 0, phantom: 0, mismatched: 0, foreign: 0, examples: [] };
  const example = (what: string, o: Outcome) => {
    if (r.examples.length < 6) r.examples.push(`${what}: ${o.cmd.triggerId} "${o.cmd.text}" -> ${o.kind}${o.status ? ` ${o.status}` : ''}${o.detail ? ` ${o.detail.slice(0, 120)}` : ''}`);
  };
  const sentKeys = new Set<string>();
  for (const o of outcomes) {
    const key = `cmd:${o.cmd.triggerId}`;
    sentKeys.add(key);
    const row = byKey.get(key);
    if (o.status === 200) r.acknowledged++;
    if (o.kind === 'ok') r.confirmed++;
    if (row) r.stored++;
    if (o.kind === 'ok' && !row) {
      r.lost++;
      example('lost', o);
    }
    if (o.kind !== 'ok' && row) {
      r.phantom++;
      example('phantom', o);
    }
    if (row) {
      const e = o.cmd.expected;
      if (row.user_id !== o.cmd.userId || row.account !== e.account || row.quantity !== e.quantity || row.outcome !== e.outcome || row.duration_minutes !== e.durationMinutes) {
        r.mismatched++;
        example(`mismatch (stored ${JSON.stringify(row)})`, o);
      }
    }
  }
  r.foreign = rows.filter((row) => !sentKeys.has(row.idempotency_key ?? '')).length;
  return r;
}
