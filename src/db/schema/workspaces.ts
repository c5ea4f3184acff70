import { boolean, integer, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

/** A Slack workspace (team) and its settings. Created on first contact. */
export const workspaces = pgTable('workspaces', {
  teamId: text('team_id').primaryKey(),
  name: text('name'),
  currency: text('currency').notNull().default('USD'),
  backdateDays: integer('backdate_days').notNull().default(30),
  defaultTimeZone: text('default_time_zone').notNull().default('UTC'),
  /** 1 = Monday, 0 = Sunday (date-fns weekStartsOn). */
  weekStartsOn: integer('week_starts_on').notNull().default(1),
  fiscalYearStartMonth: integer('fiscal_year_start_month').notNull().default(1),
  /** Where won deals are celebrated; null = off. */
  celebrationsChannel: text('celebrations_channel'),
  /** The digest for people who chose none: 'off' (opt-in) or 'weekly' (everyone, opt-out). */
  digestDefault: text('digest_default', { enum: ['off', 'weekly'] }).notNull().default('off'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

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
