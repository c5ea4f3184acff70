import { pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
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
