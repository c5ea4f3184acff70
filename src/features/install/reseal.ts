/**
 * Key rotation for the installations' tokens (`npm run cli -- reencrypt-secrets`): every token sealed with a key
 * other than the current ENCRYPTION_KEY, and openable with a key the box has (OLD_ENCRYPTION_KEY), is sealed again
 * with the current one. Tokens were never stored in plaintext, so there is nothing to seal for the first time.
 */
import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { slackInstallations } from '../../db/schema/index.js';
import { SecretBox } from '../../lib/secret-box.js';
import { describeKey, keyOfRow, tokenContext, type InstallationKey, type TokenKind } from './store.js';

export interface TokenResealReport {
  /** Installations whose tokens are now sealed with the current key (some were sealed with the previous one). */
  resealed: number;
  /** Installations already all sealed with the current key. */
  current: number;
  /** Tokens sealed with a key this box does not have (or altered): left as they are. Named, never shown. */
  unreadable: string[];
}

/**
 * Re-seal every installation's tokens with the box's current key. Each row is compared and set, so a token
 * refreshed meanwhile (token rotation) is left as the refresh wrote it, sealed with the current key already.
 * Running it again changes nothing.
 */
export async function resealInstallationTokens(db: Db, box: SecretBox): Promise<TokenResealReport> {
  const report: TokenResealReport = { resealed: 0, current: 0, unreadable: [] };
  const rows = await db
    .select({ enterpriseId: slackInstallations.enterpriseId, teamId: slackInstallations.teamId, botToken: slackInstallations.botToken, botRefreshToken: slackInstallations.botRefreshToken })
    .from(slackInstallations)
    .orderBy(slackInstallations.enterpriseId, slackInstallations.teamId);
  for (const row of rows) {
    const key = keyOfRow(row);
    const bot = reseal(box, row.botToken, key, 'bot_token', report);
    const refresh = row.botRefreshToken === null ? null : reseal(box, row.botRefreshToken, key, 'bot_refresh_token', report);
    if (bot === undefined || refresh === undefined) continue;
    if (bot === row.botToken && refresh === row.botRefreshToken) {
      report.current++;
      continue;
    }
    const updated = await db
      .update(slackInstallations)
      .set({ botToken: bot, botRefreshToken: refresh })
      .where(
        and(
          eq(slackInstallations.enterpriseId, key.enterpriseId),
          eq(slackInstallations.teamId, key.teamId),
          eq(slackInstallations.botToken, row.botToken),
          row.botRefreshToken === null ? isNull(slackInstallations.botRefreshToken) : eq(slackInstallations.botRefreshToken, row.botRefreshToken),
        ),
      )
      .returning({ id: slackInstallations.id });
    if (updated.length > 0) report.resealed++;
  }
  return report;
}

/** The value sealed with the current key (itself when it is already), or undefined when it cannot be opened. */
function reseal(box: SecretBox, sealed: string, key: InstallationKey, kind: TokenKind, report: TokenResealReport): string | undefined {
  if (box.isCurrent(sealed)) return sealed;
  if (!SecretBox.isSealed(sealed) || !box.canOpen(sealed)) {
    report.unreadable.push(`${describeKey(key)} ${kind}`);
    return undefined;
  }
  try {
    return box.seal(box.open(sealed, tokenContext(key, kind)), tokenContext(key, kind));
  } catch {
    report.unreadable.push(`${describeKey(key)} ${kind}`);
    return undefined;
  }
}
