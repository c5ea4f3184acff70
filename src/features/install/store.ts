/**
 * The installation store (OAuth mode): one row per Slack installation in `slack_installations`, keyed by
 * (enterprise_id, team_id) with '' where Slack gives none: a workspace install is (E or '', T), an Enterprise Grid
 * org-wide install (E, ''). Tokens are sealed with the SecretBox before they reach the database and opened only
 * here; the context names the row and the kind of token, so a sealed token copied to another row does not open.
 *
 * These are the queries; tokens.ts serves opened tokens (cached, refreshed under a row lock), and oauth.ts adapts
 * both to Bolt's InstallationStore.
 */
import type { Installation } from '@slack/bolt';
import { and, desc, eq, or, sql } from 'drizzle-orm';
import { slackInstallations, workspaces } from '../../db/schema/index.js';
import type { SecretBox } from '../../lib/secret-box.js';
import { recordAudit, type DbOrTx } from '../../org/index.js';

export type InstallationRow = typeof slackInstallations.$inferSelect;

/** Which installation: '' where Slack gives no enterprise (a workspace outside a Grid org) or no team (org-wide). */
export interface InstallationKey {
  enterpriseId: string;
  teamId: string;
}

export type TokenKind = 'bot_token' | 'bot_refresh_token';

/** The SecretBox context of a token: the row it belongs to and which token it is. */
export function tokenContext(key: InstallationKey, kind: TokenKind): string {
  return `slack_installations:${key.enterpriseId}:${key.teamId}:${kind}`;
}

export function keyOfRow(row: Pick<InstallationRow, 'enterpriseId' | 'teamId'>): InstallationKey {
  return { enterpriseId: row.enterpriseId, teamId: row.teamId };
}

/** The key Bolt's installation maps to: an org-wide install has no team. */
export function keyOfInstallation(installation: Installation): InstallationKey {
  const enterpriseId = installation.enterprise?.id ?? '';
  if (installation.isEnterpriseInstall) {
    if (!enterpriseId) throw new Error('an org-wide installation without an enterprise id cannot be stored');
    return { enterpriseId, teamId: '' };
  }
  const teamId = installation.team?.id;
  if (!teamId) throw new Error('a workspace installation without a team id cannot be stored');
  return { enterpriseId, teamId };
}

/** Text to show for a key in logs and audit entries. */
export function describeKey(key: InstallationKey): string {
  return key.teamId ? (key.enterpriseId ? `${key.teamId} (org ${key.enterpriseId})` : key.teamId) : `org ${key.enterpriseId} (org-wide)`;
}

/**
 * The installation serving workspace `teamId`: its own row, else the org-wide install of its Enterprise Grid org
 * (the org given, or the one recorded on the workspace row). Own row first: a workspace installed on its own
 * inside an org that also has an org-wide install uses its own token. One query, by index.
 */
export async function findInstallationForTeam(db: DbOrTx, teamId: string, enterpriseId?: string): Promise<InstallationRow | undefined> {
  const orgOfTeam = enterpriseId
    ? sql`${enterpriseId}`
    : sql`(select ${workspaces.enterpriseId} from ${workspaces} where ${workspaces.teamId} = ${teamId})`;
  const [row] = await db
    .select()
    .from(slackInstallations)
    .where(or(eq(slackInstallations.teamId, teamId), and(eq(slackInstallations.teamId, ''), eq(slackInstallations.enterpriseId, orgOfTeam))))
    // Own row first: 'T…' sorts after ''. (Team ids are unique across Slack, so there is at most one own row.)
    .orderBy(desc(slackInstallations.teamId))
    .limit(1);
  return row;
}

export async function findInstallation(db: DbOrTx, key: InstallationKey): Promise<InstallationRow | undefined> {
  const [row] = await db
    .select()
    .from(slackInstallations)
    .where(and(eq(slackInstallations.enterpriseId, key.enterpriseId), eq(slackInstallations.teamId, key.teamId)));
  return row;
}

/** The same row, locked until the transaction ends: the one who refreshes its token (tokens.ts). */
export async function lockInstallation(tx: DbOrTx, key: InstallationKey): Promise<InstallationRow | undefined> {
  const [row] = await tx
    .select()
    .from(slackInstallations)
    .where(and(eq(slackInstallations.enterpriseId, key.enterpriseId), eq(slackInstallations.teamId, key.teamId)))
    .for('update');
  return row;
}

/** A rotated token pair, sealed, written to its row (the caller holds the row lock). */
export async function storeRefreshedTokens(
  tx: DbOrTx,
  box: SecretBox,
  key: InstallationKey,
  tokens: { botToken: string; refreshToken: string; expiresAt: Date },
  now: Date,
): Promise<void> {
  await tx
    .update(slackInstallations)
    .set({
      botToken: box.seal(tokens.botToken, tokenContext(key, 'bot_token')),
      botRefreshToken: box.seal(tokens.refreshToken, tokenContext(key, 'bot_refresh_token')),
      botTokenExpiresAt: tokens.expiresAt,
      updatedAt: now,
    })
    .where(and(eq(slackInstallations.enterpriseId, key.enterpriseId), eq(slackInstallations.teamId, key.teamId)));
}

/**
 * Store (or replace) an installation, from Bolt's OAuth callback: tokens sealed; the workspace row recorded with
 * its org and marked installed again (uninstalled_at cleared), so a reinstall within the retention period finds
 * its data as it was; for an org-wide install, every workspace of the org already known. One transaction: the
 * installation is never there without its workspace being marked installed, nor the other way round.
 */
export async function saveInstallation(db: DbOrTx, box: SecretBox, installation: Installation, now: Date): Promise<InstallationKey> {
  const key = keyOfInstallation(installation);
  const bot = installation.bot;
  if (!bot?.token) throw new Error(`the installation for ${describeKey(key)} has no bot token: Sales Pulse needs its bot scopes`);
  const rotating = Boolean(bot.refreshToken && bot.expiresAt);
  const values = {
    isEnterpriseInstall: key.teamId === '',
    teamName: installation.team?.name ?? null,
    enterpriseName: installation.enterprise?.name ?? null,
    appId: installation.appId ?? null,
    botId: bot.id ?? null,
    botUserId: bot.userId ?? null,
    botScopes: bot.scopes?.join(',') ?? null,
    botToken: box.seal(bot.token, tokenContext(key, 'bot_token')),
    botRefreshToken: rotating ? box.seal(bot.refreshToken!, tokenContext(key, 'bot_refresh_token')) : null,
    // Bolt gives seconds since the epoch.
    botTokenExpiresAt: rotating ? new Date(bot.expiresAt! * 1000) : null,
    installerUserId: installation.user?.id ?? null,
    updatedAt: now,
  };
  await db.transaction(async (tx) => {
    await tx
      .insert(slackInstallations)
      .values({ ...key, ...values, installedAt: now })
      .onConflictDoUpdate({ target: [slackInstallations.enterpriseId, slackInstallations.teamId], set: { ...values, installedAt: now } });
    if (key.teamId) {
      await tx
        .insert(workspaces)
        .values({ teamId: key.teamId, name: values.teamName, enterpriseId: key.enterpriseId || null })
        .onConflictDoUpdate({
          target: workspaces.teamId,
          set: { enterpriseId: key.enterpriseId || null, uninstalledAt: null, name: sql`coalesce(${workspaces.name}, excluded.name)`, updatedAt: now },
        });
    } else {
      await tx.update(workspaces).set({ uninstalledAt: null, updatedAt: now }).where(eq(workspaces.enterpriseId, key.enterpriseId));
    }
    if (key.teamId && installation.user?.id) {
      await recordAudit(tx, {
        teamId: key.teamId,
        actorId: installation.user.id,
        action: 'app.install',
        subject: installation.team?.name ?? key.teamId,
        after: { scopes: values.botScopes, tokenRotation: rotating },
        at: now,
      });
    }
  });
  return key;
}

/**
 * Note that workspace `teamId` belongs to org `enterpriseId` (met through the org-wide install), so the scheduler
 * finds the org's token for it. Writes only when the row does not say so already: most calls write nothing.
 */
export async function recordWorkspaceOrg(db: DbOrTx, teamId: string, enterpriseId: string, now: Date): Promise<void> {
  await db
    .insert(workspaces)
    .values({ teamId, enterpriseId })
    .onConflictDoUpdate({
      target: workspaces.teamId,
      set: { enterpriseId, updatedAt: now },
      setWhere: sql`${workspaces.enterpriseId} is distinct from ${enterpriseId}`,
    });
}

/** Remove an installation (uninstalled, tokens revoked): its tokens are gone at once. True when there was one. */
export async function deleteInstallationRow(db: DbOrTx, key: InstallationKey): Promise<boolean> {
  const deleted = await db
    .delete(slackInstallations)
    .where(and(eq(slackInstallations.enterpriseId, key.enterpriseId), eq(slackInstallations.teamId, key.teamId)))
    .returning({ id: slackInstallations.id });
  return deleted.length > 0;
}
