import { sql } from 'drizzle-orm';
import { boolean, date, index, jsonb, numeric, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { workspaces } from './workspaces.js';

/**
 * A sales team inside a workspace ("East AEs"): a name, a home channel, managers and members
 * (sales_team_members). `team_id` is the Slack workspace, as everywhere; the sales team is `id`.
 */
export const salesTeams = pgTable(
  'sales_teams',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    teamId: text('team_id')
      .notNull()
      .references(() => workspaces.teamId),
    name: text('name').notNull(),
    /** lower(name) with spaces collapsed: names are unique per workspace whatever their case. */
    nameKey: text('name_key').notNull(),
    /** Where the team's board is posted by default. */
    channelId: text('channel_id'),
    /** The team's digest default ('weekly' = every member gets it unless they opted out); null = the workspace's. */
    digestDefault: text('digest_default', { enum: ['off', 'weekly'] }),
    /** When digest_default last changed (null: never): no team-default digest for a slot at or before it. */
    digestDefaultSince: timestamp('digest_default_since', { withTimezone: true }),
    createdBy: text('created_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('sales_teams_team_name_uq').on(t.teamId, t.nameKey)],
);

export const TEAM_ROLES = ['member', 'manager'] as const;
export type TeamRole = (typeof TEAM_ROLES)[number];

/** A person in a sales team, as a member (ranked on its board) or a manager (manages it), or both (two rows). */
export const salesTeamMembers = pgTable(
  'sales_team_members',
  {
    salesTeamId: uuid('sales_team_id')
      .notNull()
      .references(() => salesTeams.id, { onDelete: 'cascade' }),
    teamId: text('team_id').notNull(),
    userId: text('user_id').notNull(),
    role: text('role', { enum: TEAM_ROLES }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.salesTeamId, t.role, t.userId] }), index('sales_team_members_user_idx').on(t.teamId, t.userId)],
);

/** People an admin made Sales Pulse admins (Slack's own admins and owners are admins without a row). */
export const adminGrants = pgTable(
  'admin_grants',
  {
    teamId: text('team_id')
      .notNull()
      .references(() => workspaces.teamId),
    userId: text('user_id').notNull(),
    grantedBy: text('granted_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.teamId, t.userId] })],
);

/**
 * Every administrative change: who (actor), what (action, subject), the value before and after, when.
 * Written in the same transaction as the change it records. An erasure records that it happened, never the data.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    teamId: text('team_id').notNull(),
    actorId: text('actor_id').notNull(),
    /** Dotted verb, e.g. `team.create`, `role.admin.grant`, `settings.update`, `rate.set`, `target.set`. */
    action: text('action').notNull(),
    /** What it applies to, in words a person reads: a team name, `<@U123>`, `backdate_days`, `EUR`. */
    subject: text('subject').notNull(),
    before: jsonb('before'),
    after: jsonb('after'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('audit_log_team_created_idx').on(t.teamId, t.createdAt)],
);

/**
 * A fixed exchange rate: 1 unit of `currency` = `rate` units of the workspace's reporting currency, from
 * `effective_on` (a calendar date) until the next rate of that currency. A deal converts at the rate in force on
 * its close date. Exact decimal, never a float.
 */
export const exchangeRates = pgTable(
  'exchange_rates',
  {
    teamId: text('team_id')
      .notNull()
      .references(() => workspaces.teamId),
    currency: text('currency').notNull(),
    effectiveOn: date('effective_on', { mode: 'string' }).notNull(),
    rate: numeric('rate', { precision: 24, scale: 12 }).notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.teamId, t.currency, t.effectiveOn] })],
);

/**
 * Per-workspace settings of an activity type, built-in or custom: hidden (no longer offered for logging; its
 * entries still count) and the weight of the weighted activity score (null = 1).
 */
export const activityTypeSettings = pgTable(
  'activity_type_settings',
  {
    teamId: text('team_id')
      .notNull()
      .references(() => workspaces.teamId),
    typeKey: text('type_key').notNull(),
    hidden: boolean('hidden').notNull().default(false),
    weight: numeric('weight', { precision: 8, scale: 2 }),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().default(sql`now()`),
  },
  (t) => [primaryKey({ columns: [t.teamId, t.typeKey] })],
);
