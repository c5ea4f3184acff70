import { index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

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
  (t) => [
    uniqueIndex('scheduled_runs_run_key_uq').on(t.runKey),
    index('scheduled_runs_job_slot_idx').on(t.job, t.slotAt),
    // The retention purge deletes a workspace's runs (features/install/purge.ts): without it, a scan of every run.
    index('scheduled_runs_team_idx').on(t.teamId),
  ],
);
