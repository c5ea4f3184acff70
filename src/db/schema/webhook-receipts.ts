import { index, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * The signatures of accepted deal-webhook requests, kept while their timestamp is still inside the signature
 * window: the same signature again is a replay (a captured request, or a retry of one already stored) and is
 * answered 409 instead of being applied twice. In the database, so every bot process sees the others'. Rows past
 * `expires_at` only wait to be purged (src/features/deals/webhook-receipts.ts): a request that old is refused
 * by its timestamp anyway.
 */
export const webhookReceipts = pgTable(
  'webhook_receipts',
  {
    teamId: text('team_id').notNull(),
    /** The HMAC of the request, lowercase hex (the signature header without `sha256=`). */
    signature: text('signature').notNull(),
    /** The deal the request stored or updated, for the answer to a replay. */
    dealId: uuid('deal_id').notNull(),
    /** When the request's timestamp leaves the signature window (timestamp + 5 minutes). */
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.teamId, t.signature] }), index('webhook_receipts_expires_idx').on(t.expiresAt)],
);
