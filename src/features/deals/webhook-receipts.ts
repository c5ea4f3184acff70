/**
 * Replays of the deal webhook. A signed request stays acceptable for the whole signature window (5 minutes either
 * side of the server's clock), so its signature is remembered, in the database (every bot process sees every
 * other's), from the moment it is accepted until it leaves the window: the same signature again is answered 409
 * `already_received` and applied nothing. Only an accepted request (200) is remembered, so a request refused
 * for any reason (a 503, an invalid field) can be sent again as it was.
 *
 * Purging is cheap: an indexed delete of the expired rows, at most once a minute per process.
 */
import { and, eq, lt } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import type { Logger } from '../../lib/logger.js';
import { webhookReceipts } from '../../db/schema/index.js';
import { WEBHOOK_TIMESTAMP_TOLERANCE_SECONDS } from './webhook-auth.js';

/** How often a process purges expired receipts (at most). */
export const RECEIPT_PURGE_INTERVAL_MS = 60_000;
/**
 * Receipts are kept this long past the window, so a bot process whose clock runs behind another's (which would
 * still accept the request) finds the receipt the other wrote.
 */
export const RECEIPT_CLOCK_SKEW_MS = 5 * 60_000;

/** When a request signed at `signedAtSeconds` (Unix seconds) leaves the signature window. */
export function receiptExpiry(signedAtSeconds: number): Date {
  return new Date((signedAtSeconds + WEBHOOK_TIMESTAMP_TOLERANCE_SECONDS) * 1000);
}

/** The deal an already accepted request with this signature stored, if there was one. */
export async function findReceipt(db: Db, teamId: string, signature: string): Promise<{ dealId: string } | undefined> {
  const [row] = await db
    .select({ dealId: webhookReceipts.dealId })
    .from(webhookReceipts)
    .where(and(eq(webhookReceipts.teamId, teamId), eq(webhookReceipts.signature, signature)));
  return row;
}

/**
 * Remember an accepted request, in the transaction that applies it. False when the signature is already there: a
 * replay (on PostgreSQL, a concurrent identical request waits here for the first to commit, then gets false).
 */
export async function recordReceipt(db: Db, receipt: typeof webhookReceipts.$inferInsert): Promise<boolean> {
  const rows = await db.insert(webhookReceipts).values(receipt).onConflictDoNothing().returning({ teamId: webhookReceipts.teamId });
  return rows.length > 0;
}

/** Delete the receipts past their window (and the clock-skew margin): an indexed range, usually a few rows. */
export async function purgeExpiredReceipts(db: Db, now: Date): Promise<void> {
  await db.delete(webhookReceipts).where(lt(webhookReceipts.expiresAt, new Date(now.getTime() - RECEIPT_CLOCK_SKEW_MS)));
}

/**
 * One process's purging: `after(now)` purges when the last purge is RECEIPT_PURGE_INTERVAL_MS old (or the clock
 * went back), else does nothing. A failed purge is only logged: the next one catches up.
 */
export function receiptPurger(db: Db, logger: Logger): { after(now: Date): Promise<void> } {
  let last = -Infinity;
  return {
    async after(now) {
      const at = now.getTime();
      if (at - last < RECEIPT_PURGE_INTERVAL_MS && at >= last) return;
      last = at;
      try {
        await purgeExpiredReceipts(db, now);
      } catch (error) {
        logger.warn({ err: error }, 'could not purge expired webhook receipts; the next purge will');
      }
    },
  };
}
