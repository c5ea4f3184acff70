import { sql } from 'drizzle-orm';
import { index, integer, pgTable, serial, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { accountKeyOf } from './account-key.js';
import { workspaces } from './workspaces.js';

/**
 * Per-workspace custom activity types. The built-in types (call, email, meeting, demo, proposal)
 * live in code (features/logging/activity-types.ts) and are merged with these at read time.
 */
export const activityTypes = pgTable(
  'activity_types',
  {
    id: serial('id').primaryKey(),
    teamId: text('team_id')
      .notNull()
      .references(() => workspaces.teamId),
    key: text('key').notNull(),
    label: text('label').notNull(),
    plural: text('plural').notNull(),
    outcomes: text('outcomes')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    emoji: text('emoji'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('activity_types_team_key_uq').on(t.teamId, t.key)],
);

export const ACTIVITY_SOURCES = ['slash_command', 'modal', 'import'] as const;
export type ActivitySource = (typeof ACTIVITY_SOURCES)[number];

/**
 * One logged entry. `quantity` > 1 is a block of identical activities (`/log-call x12`):
 * one row, so one Undo, counted as `quantity` activities by every report (sum(quantity), never count(*)).
 */
export const activities = pgTable(
  'activities',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    teamId: text('team_id')
      .notNull()
      .references(() => workspaces.teamId),
    userId: text('user_id').notNull(),
    /** A manager who logged this on the rep's behalf (null: the rep logged it). */
    loggedBy: text('logged_by'),
    typeKey: text('type_key').notNull(),
    quantity: integer('quantity').notNull().default(1),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
    account: text('account'),
    /** The account as matched against deals: lower case, spaces and punctuation removed (see account-key.ts). */
    accountKey: text('account_key').generatedAlwaysAs(accountKeyOf(sql`"account"`)),
    contact: text('contact'),
    outcome: text('outcome'),
    durationMinutes: integer('duration_minutes'),
    notes: text('notes'),
    source: text('source', { enum: ACTIVITY_SOURCES }).notNull(),
    idempotencyKey: text('idempotency_key'),
    /** An imported row's id in the source system: importing it again updates instead of duplicating. */
    externalId: text('external_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('activities_team_idempotency_uq').on(t.teamId, t.idempotencyKey),
    uniqueIndex('activities_team_external_uq').on(t.teamId, t.externalId),
    index('activities_team_occurred_idx').on(t.teamId, t.occurredAt),
    // One person's live entries by time, covering: the confirmation's "that's N calls this week" and personal
    // summaries are index-only range scans of that person's period, not of the whole workspace's.
    index('activities_team_user_occurred_live_idx')
      .on(t.teamId, t.userId, t.occurredAt, t.typeKey, t.quantity)
      .where(sql`deleted_at is null`),
    // Covers the leaderboard's grouped sums: an index-only range scan of one workspace's period, live rows only
    // (cost follows the period's rows, not the table). Trailing key columns instead of INCLUDE: drizzle has no INCLUDE.
    index('activities_team_occurred_live_idx')
      .on(t.teamId, t.occurredAt, t.userId, t.typeKey, t.quantity)
      .where(sql`deleted_at is null`),
    // The effort behind a won deal: one workspace's activities with one account, by time.
    index('activities_team_account_key_idx')
      .on(t.teamId, t.accountKey, t.occurredAt)
      .where(sql`deleted_at is null and account_key is not null`),
  ],
);
