import { sql } from 'drizzle-orm';
import { bigint, index, pgTable, smallint, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { accountKeyOf } from './account-key.js';
import { SATISFACTION_SCALES, workspaces } from './workspaces.js';

export const DEAL_STATUSES = ['won', 'lost'] as const;
export type DealStatus = (typeof DEAL_STATUSES)[number];
export const DEAL_SOURCES = ['slack', 'webhook', 'import'] as const;
export type DealSource = (typeof DEAL_SOURCES)[number];
/** New business (a new customer), more from an existing customer, or a contract renewed. */
export const DEAL_KINDS = ['new', 'expansion', 'renewal'] as const;
export type DealKind = (typeof DEAL_KINDS)[number];

/**
 * A closed deal, from Slack, a CRM webhook or a CSV import: one kind of row, so every report counts them alike.
 * Money is exact: integer minor units of `currency` (cents for USD, yen for JPY, fils for KWD), read as bigint.
 * Never add amounts of different currencies.
 */
export const deals = pgTable(
  'deals',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    teamId: text('team_id')
      .notNull()
      .references(() => workspaces.teamId),
    userId: text('user_id').notNull(),
    /** A manager who logged this on the rep's behalf (null: the rep, the CRM or the file). */
    loggedBy: text('logged_by'),
    status: text('status', { enum: DEAL_STATUSES }).notNull(),
    /** Minor units; null only for a lost deal logged without an amount. */
    amountMinor: bigint('amount_minor', { mode: 'bigint' }),
    /** ISO-4217 code; null exactly when amountMinor is null. */
    currency: text('currency'),
    closedAt: timestamp('closed_at', { withTimezone: true }).notNull(),
    account: text('account'),
    /** The account as matched against activities: lower case, spaces and punctuation removed (see account-key.ts). */
    accountKey: text('account_key').generatedAlwaysAs(accountKeyOf(sql`"account"`)),
    kind: text('kind', { enum: DEAL_KINDS }).notNull().default('new'),
    /** The customer's satisfaction score on `satisfactionScale` (1-5, or 0-10 NPS); null: none given. */
    satisfaction: smallint('satisfaction'),
    /** The scale `satisfaction` was given on: the workspace's when it arrived (null exactly when satisfaction is). */
    satisfactionScale: text('satisfaction_scale', { enum: SATISFACTION_SCALES }),
    notes: text('notes'),
    source: text('source', { enum: DEAL_SOURCES }).notNull(),
    /** The CRM's or the file's id: the same one again updates the deal instead of adding one. */
    externalId: text('external_id'),
    /**
     * The signed timestamp (X-Sales-Pulse-Timestamp) of the last webhook request applied to this deal: a request
     * signed earlier is out of order and refused, so an older update never overwrites a newer one.
     */
    webhookTimestamp: timestamp('webhook_timestamp', { withTimezone: true }),
    /** Same key twice (a Slack retry, a double click) stores one row. */
    idempotencyKey: text('idempotency_key'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('deals_team_external_uq').on(t.teamId, t.externalId),
    uniqueIndex('deals_team_idempotency_uq').on(t.teamId, t.idempotencyKey),
    index('deals_team_closed_idx').on(t.teamId, t.closedAt),
    index('deals_team_user_closed_idx').on(t.teamId, t.userId, t.closedAt),
    // Covers the leaderboard's counts and sums per (user, status, currency, kind), its satisfaction and its new
    // customers' accounts: index-only over a period's live deals.
    index('deals_team_closed_live_idx')
      .on(t.teamId, t.closedAt, t.userId, t.status, t.currency, t.amountMinor, t.kind, t.satisfactionScale, t.satisfaction, t.accountKey)
      .where(sql`deleted_at is null`),
    // The effort behind a win and the account suggestions: one workspace's deals of an account.
    index('deals_team_account_key_idx').on(t.teamId, t.accountKey).where(sql`deleted_at is null and account_key is not null`),
  ],
);

/** One celebration per deal at most: the row is claimed before posting. */
export const dealCelebrations = pgTable('deal_celebrations', {
  dealId: uuid('deal_id')
    .primaryKey()
    .references(() => deals.id),
  teamId: text('team_id').notNull(),
  channelId: text('channel_id').notNull(),
  status: text('status', { enum: ['pending', 'posted', 'failed'] }).notNull().default('pending'),
  messageTs: text('message_ts'),
  error: text('error'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
