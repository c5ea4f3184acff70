import { index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
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

export const RUN_STATUSES = ['running', 'done', 'failed', 'skipped'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/**
 * One row per scheduled job run, claimed before the work (insert … on conflict do nothing on `run_key`)
 * and completed after it: every replica and restart agrees on who runs a slot, so nothing is posted twice.
 * `run_key` names the job, its subject and the slot, e.g. `leaderboard:<schedule id>:2026-11-30T14:00:00.000Z`.
 */
export const scheduledRuns = pgTable(
  'scheduled_runs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    runKey: text('run_key').notNull(),
    job: text('job').notNull(),
    teamId: text('team_id'),
    /** The slot this run is for (the scheduled local time, as an instant). */
    slotAt: timestamp('slot_at', { withTimezone: true }).notNull(),
    status: text('status', { enum: RUN_STATUSES }).notNull().default('running'),
    attempts: integer('attempts').notNull().default(0),
    /** Who claimed it (host:pid), for operators reading the table. */
    claimedBy: text('claimed_by'),
    claimedAt: timestamp('claimed_at', { withTimezone: true }).notNull().defaultNow(),
    /** A running claim older than this may be taken over (its process died mid-run). */
    leaseUntil: timestamp('lease_until', { withTimezone: true }),
    completedAt: timestamp('completed_at', { withTimezone: true }),
    /** Slack message ts of the post, when the job posts one. */
    messageTs: text('message_ts'),
    error: text('error'),
  },
  (t) => [uniqueIndex('scheduled_runs_run_key_uq').on(t.runKey), index('scheduled_runs_job_slot_idx').on(t.job, t.slotAt)],
);
