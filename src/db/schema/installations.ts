import { boolean, index, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

/**
 * One Slack installation of the app (OAuth mode, SLACK_CLIENT_ID set): a workspace install (team_id set,
 * enterprise_id too when the workspace is in an Enterprise Grid org) or an org-wide install on Enterprise Grid
 * (is_enterprise_install, team_id ''). Keyed by (enterprise_id, team_id), '' where Slack gives none, so the
 * unique index holds without NULL's "every NULL is distinct".
 *
 * Tokens are sealed with the SecretBox (AES-256-GCM, `sb1:…`, context `slack_installations:<enterprise>:<team>:<kind>`),
 * never stored in plaintext. `bot_token_expires_at` is set when token rotation is on (then `bot_refresh_token` too).
 * Uninstalling or revoking deletes the row: no token outlives its workspace's consent.
 */
export const slackInstallations = pgTable(
  'slack_installations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    enterpriseId: text('enterprise_id').notNull().default(''),
    teamId: text('team_id').notNull().default(''),
    isEnterpriseInstall: boolean('is_enterprise_install').notNull().default(false),
    teamName: text('team_name'),
    enterpriseName: text('enterprise_name'),
    appId: text('app_id'),
    botId: text('bot_id'),
    botUserId: text('bot_user_id'),
    botScopes: text('bot_scopes'),
    botToken: text('bot_token').notNull(),
    botRefreshToken: text('bot_refresh_token'),
    botTokenExpiresAt: timestamp('bot_token_expires_at', { withTimezone: true }),
    installerUserId: text('installer_user_id'),
    installedAt: timestamp('installed_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('slack_installations_key').on(t.enterpriseId, t.teamId), index('slack_installations_team').on(t.teamId)],
);
