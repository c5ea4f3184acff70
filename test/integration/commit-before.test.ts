/**
 * commitBefore: an entry is committed only when its work finished before the deadline; otherwise it is rolled
 * back and the caller is answered at the deadline, so "nothing was stored" is true. On both databases.
 */
import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { commitBefore, DeadlineExceeded, deadlineIn } from '../../src/db/commit-before.js';
import { describeEachDb } from '../helpers/db.js';

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
