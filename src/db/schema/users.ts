import { boolean, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { workspaces } from './workspaces.js';

/** Slack users as last seen through users.info: a cache, refreshed when stale. */
export const users = pgTable(
  'users',
  {
    teamId: text('team_id')
      .notNull()
      .references(() => workspaces.teamId),
    userId: text('user_id').notNull(),
    displayName: text('display_name').notNull(),
    realName: text('real_name'),
    timeZone: text('time_zone').notNull().default('UTC'),
    isAdmin: boolean('is_admin').notNull().default(false),
    isOwner: boolean('is_owner').notNull().default(false),
    isBot: boolean('is_bot').notNull().default(false),
    deleted: boolean('deleted').notNull().default(false),
    /** When Sales Pulse first saw this person (null for people seen before this was recorded): targets are prorated from it. */
    joinedAt: timestamp('joined_at', { withTimezone: true }),
    fetchedAt: timestamp('fetched_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.teamId, t.userId] })],
);
