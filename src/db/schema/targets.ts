import { bigint, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { workspaces } from './workspaces.js';

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
