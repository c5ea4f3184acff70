import { pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { workspaces } from './workspaces.js';

/** The shared secret a workspace's CRM signs deal webhooks with. Rotating replaces it. */
export const webhookSecrets = pgTable('webhook_secrets', {
  teamId: text('team_id')
    .primaryKey()
    .references(() => workspaces.teamId),
  secret: text('secret').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  rotatedAt: timestamp('rotated_at', { withTimezone: true }),
});
