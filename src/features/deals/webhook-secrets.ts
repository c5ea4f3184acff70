/**
 * Each workspace's deal-webhook secret. The bot needs the secret itself to check an HMAC, so it is stored
 * encrypted (AES-256-GCM, src/lib/secret-box.ts), never in plaintext: the row holds the sealed value, bound to its
 * workspace. Secrets stored in plaintext by earlier versions keep working: the bot seals them at start
 * (sealWebhookSecrets), and one read before that seals it then.
 */
import { randomBytes } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { webhookSecrets } from '../../db/schema/index.js';
import { SecretBox } from '../../lib/secret-box.js';
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

/** What a sealed secret is bound to: it opens only as this workspace's webhook secret. */
function context(teamId: string): string {
  return `webhook_secrets:${teamId}`;
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
export async function createOrRotateSecret(db: Db, box: SecretBox, teamId: string, opts: { rotate: boolean; now: Date }): Promise<SecretResult> {
  await ensureWorkspace(db, teamId);
  const candidate = generateWebhookSecret();
  const sealed = box.seal(candidate, context(teamId));
  const inserted = await db
    .insert(webhookSecrets)
    .values({ teamId, secret: sealed, createdAt: opts.now })
    .onConflictDoNothing({ target: webhookSecrets.teamId })
    .returning({ teamId: webhookSecrets.teamId });
  if (inserted.length > 0) return { secret: candidate, created: true, rotated: false };
  if (!opts.rotate) return { secret: null, created: false, rotated: false };
  await db.update(webhookSecrets).set({ secret: sealed, rotatedAt: opts.now }).where(eq(webhookSecrets.teamId, teamId));
  return { secret: candidate, created: false, rotated: true };
}

/**
 * Replace a stored value with `next`, unless the row changed meanwhile (a rotation): compare and set. True when
 * this call replaced it.
 */
async function replaceStored(db: Db, teamId: string, stored: string, next: string): Promise<boolean> {
  const rows = await db
    .update(webhookSecrets)
    .set({ secret: next })
    .where(and(eq(webhookSecrets.teamId, teamId), eq(webhookSecrets.secret, stored)))
    .returning({ teamId: webhookSecrets.teamId });
  return rows.length > 0;
}

/**
 * The workspace's current webhook secret, or null when it has none (or the workspace is unknown). A plaintext
 * secret from before encryption is sealed on this read. SecretBoxError when the configured key cannot open it.
 */
export async function getSecret(db: Db, box: SecretBox, teamId: string): Promise<string | null> {
  const [row] = await db.select({ secret: webhookSecrets.secret }).from(webhookSecrets).where(eq(webhookSecrets.teamId, teamId));
  if (!row) return null;
  if (SecretBox.isSealed(row.secret)) return box.open(row.secret, context(teamId));
  await replaceStored(db, teamId, row.secret, box.seal(row.secret, context(teamId)));
  return row.secret;
}

export interface SealReport {
  /** Plaintext secrets (from before encryption) now sealed. */
  sealed: number;
  /** Secrets sealed with a previous key (OLD_ENCRYPTION_KEY) now sealed with the current one. */
  resealed: number;
  /** Workspaces whose secret is sealed with a key this box does not have: left as they are. */
  unreadable: string[];
}

/**
 * Seal every plaintext webhook secret with the box's current key; with `reseal`, also re-encrypt every secret
 * sealed with another key the box has (OLD_ENCRYPTION_KEY during a rotation). Each row is compared and set, so
 * a secret rotated meanwhile is left as the rotation wrote it. Running it again changes nothing.
 * The bot runs it without `reseal` at start; `npm run cli -- reencrypt-secrets` runs it with.
 */
export async function sealWebhookSecrets(db: Db, box: SecretBox, opts: { reseal: boolean }): Promise<SealReport> {
  const report: SealReport = { sealed: 0, resealed: 0, unreadable: [] };
  const rows = await db.select({ teamId: webhookSecrets.teamId, secret: webhookSecrets.secret }).from(webhookSecrets).orderBy(webhookSecrets.teamId);
  for (const { teamId, secret } of rows) {
    if (!SecretBox.isSealed(secret)) {
      if (await replaceStored(db, teamId, secret, box.seal(secret, context(teamId)))) report.sealed++;
    } else if (box.isCurrent(secret)) {
      continue;
    } else if (!box.canOpen(secret)) {
      report.unreadable.push(teamId);
    } else if (opts.reseal) {
      if (await replaceStored(db, teamId, secret, box.seal(box.open(secret, context(teamId)), context(teamId)))) report.resealed++;
    }
  }
  return report;
}
