/**
 * Key rotation of the installations' tokens through the operator's command (issue 13): `npm run cli --
 * reencrypt-secrets` re-seals every Slack installation token with ENCRYPTION_KEY, opening those sealed with
 * OLD_ENCRYPTION_KEY, says how many, never prints a token, and exits 1 naming the installations it cannot open.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Installation } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { openPglite } from '../../src/db/client.js';
import { runMigrations } from '../../src/db/migrate.js';
import { slackInstallations } from '../../src/db/schema/index.js';
import { saveInstallation } from '../../src/features/install/store.js';
import { InstallationTokens } from '../../src/features/install/index.js';
import { fixedClock } from '../../src/lib/clock.js';
import { secretBoxFromEnvironment } from '../../src/lib/encryption-key.js';
import { createLogger } from '../../src/lib/logger.js';
import { generateEncryptionKey } from '../../src/lib/secret-box.js';
import { CLI_ARGS, ROOT } from '../helpers/built.js';

function cli(dataDir: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [...CLI_ARGS, ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), DATA_DIR: dataDir, ...env } }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const installation = {
  team: { id: 'T1', name: 'Acme' },
  enterprise: undefined,
  isEnterpriseInstall: false,
  user: { id: 'UADMIN', token: undefined, scopes: undefined },
  bot: { token: 'xoxe.xoxb-1-secret', refreshToken: 'xoxe-1-refresh-secret', expiresAt: Math.floor(Date.now() / 1000) + 43_200, scopes: ['chat:write'], id: 'B1', userId: 'UBOT' },
  authVersion: 'v2',
} as Installation;

describe('reencrypt-secrets and the installation tokens (embedded database)', () => {
  it('re-seals the tokens with the new key, reports counts, and names a token neither key opens', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sp-reencrypt-tokens-'));
    try {
      const oldKey = generateEncryptionKey();
      const newKey = generateEncryptionKey();
      let database = await openPglite(dir);
      await runMigrations(database);
      await saveInstallation(database.db, secretBoxFromEnvironment({ ENCRYPTION_KEY: oldKey })!, installation, new Date());
      await database.close();

      const rotated = await cli(dir, ['reencrypt-secrets'], { ENCRYPTION_KEY: newKey, OLD_ENCRYPTION_KEY: oldKey });
      expect(rotated.code, rotated.stderr).toBe(0);
      const newBox = secretBoxFromEnvironment({ ENCRYPTION_KEY: newKey })!;
      expect(rotated.stdout).toContain(`Slack installation tokens: 1 installation re-encrypted from the previous key, 0 already encrypted with key ${newBox.keyId}.`);
      expect(rotated.stdout + rotated.stderr).not.toContain('xox');

      // The new key alone opens them now.
      database = await openPglite(dir);
      const tokens = new InstallationTokens({ db: database.db, box: newBox, clock: fixedClock(new Date()), logger: createLogger('silent'), refresh: () => Promise.reject(new Error('no refresh')) });
      expect(await tokens.botToken('T1')).toBe('xoxe.xoxb-1-secret');
      const [before] = await database.db.select().from(slackInstallations);
      await database.close();

      const again = await cli(dir, ['reencrypt-secrets'], { ENCRYPTION_KEY: newKey, OLD_ENCRYPTION_KEY: oldKey });
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).toContain('Slack installation tokens: 0 installations re-encrypted from the previous key, 1 already encrypted');

      const wrong = await cli(dir, ['reencrypt-secrets'], { ENCRYPTION_KEY: generateEncryptionKey() });
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toContain('2 installation tokens were encrypted with neither ENCRYPTION_KEY nor OLD_ENCRYPTION_KEY');
      expect(wrong.stderr).toContain('T1 bot_token, T1 bot_refresh_token');
      expect(wrong.stdout + wrong.stderr).not.toContain('xox');
      database = await openPglite(dir);
      expect(await database.db.select().from(slackInstallations)).toEqual([before]);
      await database.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
