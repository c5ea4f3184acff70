import { pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { workspaces } from './workspaces.js';

/**
 * The shared secret a workspace's CRM signs deal webhooks with. Rotating replaces it. `secret` holds it sealed
 * with AES-256-GCM (src/lib/secret-box.ts, `sb1:…`), never in plaintext; a plaintext value left by an earlier
 * version is sealed at start (src/features/deals/webhook-secrets.ts).
 */
export const webhookSecrets = pgTable('webhook_secrets', {
  teamId: text('team_id')
    .primaryKey()
    .references(() => workspaces.teamId),
  secret: text('secret').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  rotatedAt: timestamp('rotated_at', { withTimezone: true }),
});
