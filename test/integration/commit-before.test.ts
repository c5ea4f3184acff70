/**
 * commitBefore and statementBefore: an entry is committed only when its work finished before the deadline;
 * otherwise it is rolled back (or never runs) and the caller is answered at the deadline, so "nothing was stored"
 * is true. On both databases.
 */
import { sql } from 'drizzle-orm';
import { integer, pgTable, timestamp } from 'drizzle-orm/pg-core';
import { expect, it } from 'vitest';
import { commitBefore, CommitOutcomeUnknown, DeadlineExceeded, deadlineIn, statementBefore, type ReturningStatement } from '../../src/db/commit-before.js';
import { connectPostgres } from '../../src/db/client.js';
import { isDatabaseUnavailable } from '../../src/db/errors.js';
import { describeEachDb, lockTable } from '../helpers/db.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeEachDb('commitBefore', (getDb) => {
  const db = () => getDb().database.db;
  const probe = async () => {
    await db().execute(sql`create table if not exists commit_probe (n int not null)`);
    return async () => (await getDb().database.rows<{ n: number }>(sql`select n from commit_probe order by n`)).map((r) => r.n);
  };

  it('commits work that finishes in time and returns its result', async () => {
    const rows = await probe();
    const result = await commitBefore(db(), deadlineIn(2000), async (tx) => {
      await tx.execute(sql`insert into commit_probe (n) values (1)`);
      return 'done';
    });
    expect(result).toBe('done');
    expect(await rows()).toEqual([1]);
  });

  it('work still running at the deadline: answered at the deadline with DeadlineExceeded, then rolled back, not committed late', async () => {
    const rows = await probe();
    let finished!: () => void;
    const workDone = new Promise<void>((resolve) => (finished = resolve));
    const started = Date.now();
    const attempt = commitBefore(db(), deadlineIn(300), async (tx) => {
      await tx.execute(sql`insert into commit_probe (n) values (2)`);
      await sleep(600); // past the deadline
      finished();
    });
    await expect(attempt).rejects.toBeInstanceOf(DeadlineExceeded);
    expect(Date.now() - started).toBeLessThan(550); // answered at the deadline, not when the work ended
    await workDone;
    await sleep(50); // the rollback
    expect(await rows()).toEqual([]);
  });

  it('a work error is passed on and nothing is kept', async () => {
    const rows = await probe();
    const attempt = commitBefore(db(), deadlineIn(2000), async (tx) => {
      await tx.execute(sql`insert into commit_probe (n) values (3)`);
      throw new Error('boom');
    });
    await expect(attempt).rejects.toThrow('boom');
    expect(await rows()).toEqual([]);
  });

  it('on PostgreSQL a statement running past the deadline is cancelled by the server (statement_timeout)', async () => {
    if (getDb().kind !== 'postgres') return; // PGlite cannot interrupt a running statement: see commitBefore
    const rows = await probe();
    const started = Date.now();
    const attempt = commitBefore(db(), deadlineIn(300), async (tx) => {
      await tx.execute(sql`insert into commit_probe (n) values (4)`);
      await tx.execute(sql`select pg_sleep(5)`);
    });
    await expect(attempt).rejects.toBeInstanceOf(DeadlineExceeded);
    expect(Date.now() - started).toBeLessThan(1000);
    // The server cancelled the sleep: the connection is back well before pg_sleep(5) would have ended.
    await sleep(200);
    const [row] = await getDb().database.rows<{ active: number }>(
      sql`select count(*)::int as active from pg_stat_activity where query like 'select pg_sleep(5)%' and state = 'active'`,
    );
    expect(row!.active).toBe(0);
    expect(await rows()).toEqual([]);
  });
});

const statementProbe = pgTable('statement_probe', {
  n: integer('n').notNull(),
  at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
});

/** Insert n into statement_probe, returning the row and a computed value. */
function insertProbe(n: number): ReturningStatement<{ n: number; at: Date; twice: unknown }> {
  const fields = { n: statementProbe.n, at: statementProbe.at, twice: sql`${statementProbe.n} * 2` };
  return { fields, build: (db) => db.insert(statementProbe).values({ n }).returning(fields) };
}

describeEachDb('statementBefore', (getDb) => {
  const db = () => getDb().database.db;
  const probe = async () => {
    await db().execute(sql`create table if not exists statement_probe (n int not null, at timestamptz not null default now())`);
    return async () => (await db().select({ n: statementProbe.n }).from(statementProbe).orderBy(statementProbe.n)).map((r) => r.n);
  };

  it('stores in time and returns the rows decoded as Drizzle decodes them', async () => {
    const rows = await probe();
    const [row] = await statementBefore(db(), deadlineIn(2000), insertProbe(7));
    const [same] = await db().select({ n: statementProbe.n, at: statementProbe.at }).from(statementProbe);
    expect(row).toMatchObject({ n: 7, at: same!.at });
    expect(row!.at).toBeInstanceOf(Date);
    expect(Number(row!.twice)).toBe(14);
    expect(await rows()).toEqual([7]);
  });

  it('a deadline already passed: DeadlineExceeded, and nothing stored', async () => {
    const rows = await probe();
    await expect(statementBefore(db(), deadlineIn(0), insertProbe(8))).rejects.toBeInstanceOf(DeadlineExceeded);
    expect(await rows()).toEqual([]);
  });

  it('on PostgreSQL a statement blocked past the deadline is cancelled: answered at the deadline, nothing stored', async () => {
    if (getDb().kind !== 'postgres') return; // PGlite has one connection: nothing else can hold a lock against it
    const rows = await probe();
    // Another session holds the table: the insert waits for the lock until it is cancelled.
    const release = await lockTable(getDb(), 'statement_probe');
    try {
      const started = Date.now();
      await expect(statementBefore(db(), deadlineIn(300), insertProbe(9))).rejects.toBeInstanceOf(DeadlineExceeded);
      expect(Date.now() - started).toBeLessThan(1000);
    } finally {
      await release();
    }
    await sleep(200); // the lock is gone: a statement that had not been cancelled would now commit
    expect(await rows()).toEqual([]);
  });

  it('on PostgreSQL a statement sent behind busy connections at the deadline: its answer matches what was stored', async () => {
    if (getDb().kind !== 'postgres') return; // PGlite has no pool
    const rows = await probe();
    // Every connection of the pool (5 in tests) busy for 800 ms: the insert waits behind one of them.
    const busy = Promise.all(Array.from({ length: 5 }, () => db().execute(sql`select pg_sleep(0.8)`))); // started by all()
    await sleep(100);
    const outcome = await statementBefore(db(), deadlineIn(200), insertProbe(10)).then(
      (r) => ({ stored: r.length === 1 }),
      (e: unknown) => ({ stored: false, error: e }),
    );
    await busy;
    await sleep(200); // whatever was going to run has run
    // Cancelled at the deadline (nothing stored, DeadlineExceeded), or it ran before the cancel reached it (stored,
    // answered late): never "not saved" with a row, never rows without one.
    if (outcome.stored) expect(await rows()).toEqual([10]);
    else {
      expect((outcome as { error: unknown }).error).toBeInstanceOf(DeadlineExceeded);
      expect(await rows()).toEqual([]);
    }
  });

  it('on PostgreSQL a cancel meant for an earlier statement that reaches this one before its deadline: rolled back, DeadlineExceeded ("not saved"), nothing stored', async () => {
    if (getDb().kind !== 'postgres') return; // PGlite has no cancel requests
    const rows = await probe();
    // The insert waits for a lock; a cancel request naming its backend (as one sent for the statement before it on
    // that connection, arriving late, would) reaches it long before its deadline.
    const release = await lockTable(getDb(), 'statement_probe');
    try {
      const outcome = statementBefore(db(), deadlineIn(10_000), insertProbe(12)).catch((e: unknown) => e);
      // Looked up and cancelled through the pool's other connections.
      const waiting = async () =>
        (await getDb().database.rows<{ pid: number }>(sql`select pid from pg_stat_activity where wait_event_type = 'Lock' and query like 'insert into "statement_probe"%'`))[0]?.pid;
      let pid: number | undefined;
      for (let i = 0; i < 100 && pid === undefined; i++) pid = (await waiting()) ?? (await sleep(20), undefined);
      expect(pid, 'the insert waits for the lock').toBeDefined();
      await db().execute(sql`select pg_cancel_backend(${pid!})`);
      expect(await outcome).toBeInstanceOf(DeadlineExceeded);
    } finally {
      await release();
    }
    await sleep(200);
    expect(await rows()).toEqual([]);
  });

  it('on PostgreSQL a connection that cannot be made: the database error (nothing was stored), not "outcome unknown"', async () => {
    if (getDb().kind !== 'postgres') return; // PGlite has no connections
    const url = new URL(getDb().database.url!);
    url.port = '1'; // nothing listens there: the connection is refused
    const refused = connectPostgres(url.toString(), { max: 1 });
    try {
      const error: unknown = await statementBefore(refused.db, deadlineIn(2000), insertProbe(11)).catch((e: unknown) => e);
      expect(isDatabaseUnavailable(error)).toBe(true);
      expect(error).not.toBeInstanceOf(CommitOutcomeUnknown);
    } finally {
      await refused.close();
    }
  });

});
