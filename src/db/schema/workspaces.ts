import { integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** How a workspace scores customer satisfaction: 1-5 (CSAT) or 0-10 (NPS). */
export const SATISFACTION_SCALES = ['csat5', 'nps10'] as const;
export type SatisfactionScale = (typeof SATISFACTION_SCALES)[number];

/**
 * One stage of the conversion funnel, as stored: the activity types it counts (empty: any type) and the outcomes
 * (empty: any outcome), or the deals won (`won`). The first stage's count is where the funnel starts.
 */
export interface StoredConversionStage {
  label: string;
  types?: string[];
  outcomes?: string[];
  won?: boolean;
}

/** A Slack workspace (team) and its settings. Created on first contact. */
export const workspaces = pgTable('workspaces', {
  teamId: text('team_id').primaryKey(),
  name: text('name'),
  /** The Enterprise Grid org the workspace belongs to, when Slack says (null: none, or not yet seen). */
  enterpriseId: text('enterprise_id'),
  /**
   * When the app was uninstalled or its tokens revoked (null: installed). From then on nothing is sent there
   * (schedules, digests); its data is kept RETENTION_DAYS, then purged. A reinstall sets it back to null.
   */
  uninstalledAt: timestamp('uninstalled_at', { withTimezone: true }),
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
  /**
   * When digest_default last changed (null: never): no default digest for a slot at or before it. Its own
   * column, written only by a real change of the default, so other settings never move it.
   */
  digestDefaultSince: timestamp('digest_default_since', { withTimezone: true }),
  satisfactionScale: text('satisfaction_scale', { enum: SATISFACTION_SCALES }).notNull().default('csat5'),
  /** The workspace's conversion stages, in order (null: the default stages, see metrics/funnel). */
  conversionStages: jsonb('conversion_stages').$type<StoredConversionStage[]>(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
