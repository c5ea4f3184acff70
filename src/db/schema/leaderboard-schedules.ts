import { integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { workspaces } from './workspaces.js';

export const CADENCES = ['daily', 'weekly', 'monthly'] as const;
export type Cadence = (typeof CADENCES)[number];

/** A leaderboard posted to a channel on a schedule. One per channel: scheduling again replaces it. */
export const leaderboardSchedules = pgTable(
  'leaderboard_schedules',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    teamId: text('team_id')
      .notNull()
      .references(() => workspaces.teamId),
    channelId: text('channel_id').notNull(),
    /** The sales team whose board this is (ranked within the team); null = the whole workspace. */
    salesTeamId: uuid('sales_team_id'),
    cadence: text('cadence', { enum: CADENCES }).notNull(),
    /** 0 = Sunday … 6 = Saturday; used by weekly schedules. */
    weekday: integer('weekday').notNull().default(1),
    /** Local time of day, "HH:MM". */
    timeOfDay: text('time_of_day').notNull(),
    timeZone: text('time_zone').notNull(),
    /** The admin who set it up: told by DM when a run fails for good. */
    createdBy: text('created_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('leaderboard_schedules_team_channel_uq').on(t.teamId, t.channelId)],
);
