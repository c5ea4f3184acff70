import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { webhookSecrets } from '../../db/schema/index.js';
import { ensureWorkspace } from '../../slack/workspace.js';

/** Makes a leaked secret recognisable in a paste or a secret scanner. The whole string, prefix included, is the HMAC key. */
export const WEBHOOK_SECRET_PREFIX = 'spwh_';
const SECRET_PATTERN = /^spwh_[0-9a-f]{64}$/;

export function generateWebhookSecret(): string {
  return `${WEBHOOK_SECRET_PREFIX}${randomBytes(32).toString('hex')}`;
}

export function looksLikeWebhookSecret(value: string): boolean {
  return SECRET_PATTERN.test(value);
}

export interface SecretResult {
  /** The new secret, to show the operator once; null when one already existed and was kept (it is never shown again). */
  secret: string | null;
  created: boolean;
  rotated: boolean;
}

/**
 * Create the workspace's webhook secret, or replace it when `rotate` is set (the old one stops working at once).
 * Without `rotate`, an existing secret is kept and not returned. The workspace row is created if needed.
 */
export async function createOrRotateSecret(db: Db, teamId: string, opts: { rotate: boolean; now: Date }): Promise<SecretResult> {
  await ensureWorkspace(db, teamId);
  const candidate = generateWebhookSecret();
  const inserted = await db
    .insert(webhookSecrets)
    .values({ teamId, secret: candidate, createdAt: opts.now })
    .onConflictDoNothing({ target: webhookSecrets.teamId })
    .returning({ teamId: webhookSecrets.teamId });
  if (inserted.length > 0) return { secret: candidate, created: true, rotated: false };
  if (!opts.rotate) return { secret: null, created: false, rotated: false };
  await db.update(webhookSecrets).set({ secret: candidate, rotatedAt: opts.now }).where(eq(webhookSecrets.teamId, teamId));
  return { secret: candidate, created: false, rotated: true };
}

/** The workspace's current webhook secret, or null when it has none (or the workspace is unknown). */
export async function getSecret(db: Db, teamId: string): Promise<string | null> {
  const [row] = await db.select({ secret: webhookSecrets.secret }).from(webhookSecrets).where(eq(webhookSecrets.teamId, teamId));
  return row?.secret ?? null;
}
