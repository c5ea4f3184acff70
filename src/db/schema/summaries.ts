import { bigint, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { workspaces } from './workspaces.js';

export const DIGEST_CADENCES = ['weekly', 'daily', 'off'] as const;
export type DigestCadence = (typeof DIGEST_CADENCES)[number];

/**
 * A person's digest choice. 'off' is an explicit opt-out, which wins over a workspace default of weekly;
 * no row means "the workspace default".
 */
export const digestSubscriptions = pgTable(
  'digest_subscriptions',
  {
    teamId: text('team_id')
      .notNull()
      .references(() => workspaces.teamId),
    userId: text('user_id').notNull(),
    cadence: text('cadence', { enum: DIGEST_CADENCES }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.teamId, t.userId] })],
);

export const TARGET_PERIODS = ['week', 'month', 'quarter'] as const;
export type TargetPeriod = (typeof TARGET_PERIODS)[number];

/**
 * A target for one rep (`user_key` = their user id) or for everyone (`user_key` = '*'); a rep's own target
 * for a metric overrides the everyone target. `metric` is an activity type key or 'revenue'.
 * `amount` is a count for activities, and minor units of `currency` for revenue.
 */
export const targets = pgTable(
  'targets',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    teamId: text('team_id')
      .notNull()
      .references(() => workspaces.teamId),
    userKey: text('user_key').notNull(),
    metric: text('metric').notNull(),
    amount: bigint('amount', { mode: 'bigint' }).notNull(),
    currency: text('currency'),
    period: text('period', { enum: TARGET_PERIODS }).notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('targets_team_user_metric_uq').on(t.teamId, t.userKey, t.metric)],
);
