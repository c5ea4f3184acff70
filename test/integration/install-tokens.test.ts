/**
 * The installation store and the token source of OAuth mode (issue 13, "Install and tokens"), against the database
 * alone: tokens sealed at rest, the workspace marked installed again on reinstall, Enterprise Grid org-wide
 * installs serving the org's workspaces, token rotation refreshed once across callers and processes, an uninstall
 * seen promptly, and key rotation of the sealed tokens. The OAuth flow over HTTP is in install-oauth.test.ts.
 */
import type { Installation } from '@slack/bolt';
import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { auditLog, slackInstallations, workspaces } from '../../src/db/schema/index.js';
import { createInstallationStore } from '../../src/features/install/oauth.js';
import { InstallationTokens, resealInstallationTokens, type OpenedInstallation } from '../../src/features/install/index.js';
import type { RefreshToken } from '../../src/features/install/tokens.js';
import { fixedClock } from '../../src/lib/clock.js';
import { createLogger } from '../../src/lib/logger.js';
import { SecretBox } from '../../src/lib/secret-box.js';
import { describeEachDb, openAnotherConnection } from '../helpers/db.js';

const KEY_A = Buffer.alloc(32, 1);
const KEY_B = Buffer.alloc(32, 2);
const NOW = new Date('2026-11-27T15:00:00Z');
const logger = createLogger('silent');

function workspaceInstall(teamId: string, token: string, extra: { enterpriseId?: string; refreshToken?: string; expiresAt?: Date; userId?: string } = {}): Installation {
  return {
    team: { id: teamId, name: `Team ${teamId}` },
    enterprise: extra.enterpriseId ? { id: extra.enterpriseId, name: `Org ${extra.enterpriseId}` } : undefined,
    isEnterpriseInstall: false,
    user: { id: extra.userId ?? 'UINSTALLER', token: undefined, scopes: undefined },
    bot: {
      token,
      scopes: ['chat:write', 'commands'],
      id: `B_${teamId}`,
      userId: `U_BOT_${teamId}`,
      ...(extra.refreshToken ? { refreshToken: extra.refreshToken, expiresAt: Math.floor(extra.expiresAt!.getTime() / 1000) } : {}),
    },
    appId: 'A_SALES_PULSE',
    tokenType: 'bot',
    authVersion: 'v2',
  } as Installation;
}

function orgInstall(enterpriseId: string, token: string): Installation {
  return {
    team: undefined,
    enterprise: { id: enterpriseId, name: `Org ${enterpriseId}` },
    isEnterpriseInstall: true,
    user: { id: 'UORGADMIN', token: undefined, scopes: undefined },
    bot: { token, scopes: ['chat:write'], id: 'B_ORG', userId: 'U_BOT_ORG' },
    appId: 'A_SALES_PULSE',
    tokenType: 'bot',
    authVersion: 'v2',
  } as Installation;
}

/** A refresh that counts its calls, answers after `delayMs` (so callers overlap) with token `xoxe.xoxb-new-<n>`. */
function countingRefresh(delayMs = 50): RefreshToken & { calls: string[] } {
  const calls: string[] = [];
  const refresh = (async (refreshToken: string) => {
    calls.push(refreshToken);
    await new Promise((r) => setTimeout(r, delayMs));
    return { accessToken: `xoxe.xoxb-new-${calls.length}`, refreshToken: `xoxe-1-refresh-new-${calls.length}`, expiresIn: 43_200 };
  }) as RefreshToken & { calls: string[] };
  refresh.calls = calls;
  return refresh;
}

describeEachDb('installation store and tokens', (getDb) => {
  const box = new SecretBox(KEY_A);
  const setup = (opts: { refresh?: RefreshToken; cacheMs?: number; db?: ReturnType<typeof getDb>['database']['db']; clock?: ReturnType<typeof fixedClock> } = {}) => {
    const db = opts.db ?? getDb().database.db;
    const clock = opts.clock ?? fixedClock(NOW);
    const tokens = new InstallationTokens({ db, box, clock, logger, refresh: opts.refresh ?? countingRefresh(), cacheMs: opts.cacheMs });
    const store = createInstallationStore({ db, secretBox: box, clock, logger }, tokens);
    return { db, clock, tokens, store };
  };

  it('stores tokens sealed (no token readable in the database) and serves them to Bolt and to the bot’s clients', async () => {
    const { db, tokens, store } = setup();
    await store.storeInstallation(workspaceInstall('T1', 'xoxb-1111-secret', { refreshToken: 'xoxe-1-refresh-1111', expiresAt: new Date(NOW.getTime() + 12 * 3600_000) }));

    const raw = await getDb().database.rows<Record<string, unknown>>(sql`select * from slack_installations`);
    expect(raw).toHaveLength(1);
    expect(JSON.stringify(raw)).not.toContain('xox');
    expect(String(raw[0]!.bot_token)).toMatch(/^sb1:/);
    expect(String(raw[0]!.bot_refresh_token)).toMatch(/^sb1:/);

    expect(await tokens.botToken('T1')).toBe('xoxb-1111-secret');
    const installation = await store.fetchInstallation({ teamId: 'T1', enterpriseId: undefined, isEnterpriseInstall: false });
    expect(installation.bot).toMatchObject({ token: 'xoxb-1111-secret', id: 'B_T1', userId: 'U_BOT_T1' });
    // Bolt must have nothing to refresh by itself: one refresh path (tokens.ts).
    expect(installation.bot?.refreshToken).toBeUndefined();
    expect(installation.bot?.expiresAt).toBeUndefined();
    expect(await tokens.botToken('T_OTHER')).toBeUndefined();

    const [ws] = await db.select().from(workspaces).where(eq(workspaces.teamId, 'T1'));
    expect(ws).toMatchObject({ name: 'Team T1', uninstalledAt: null, enterpriseId: null });
    const audit = await db.select().from(auditLog).where(eq(auditLog.teamId, 'T1'));
    expect(audit).toMatchObject([{ action: 'app.install', actorId: 'UINSTALLER' }]);
  });

  it('a sealed token copied to another installation does not open there', async () => {
    const { db, tokens, store } = setup();
    await store.storeInstallation(workspaceInstall('T1', 'xoxb-1111'));
    await store.storeInstallation(workspaceInstall('T2', 'xoxb-2222'));
    const [t1] = await db.select().from(slackInstallations).where(eq(slackInstallations.teamId, 'T1'));
    await db.update(slackInstallations).set({ botToken: t1!.botToken }).where(eq(slackInstallations.teamId, 'T2'));
    await expect(tokens.botToken('T2')).rejects.toThrow(/does not open/);
  });

  it('a reinstall replaces the token and marks the workspace installed again, its data kept', async () => {
    const { db, tokens, store } = setup();
    await store.storeInstallation(workspaceInstall('T1', 'xoxb-old'));
    expect(await tokens.botToken('T1')).toBe('xoxb-old');
    await db.update(workspaces).set({ uninstalledAt: NOW, currency: 'EUR' }).where(eq(workspaces.teamId, 'T1'));
    await store.storeInstallation(workspaceInstall('T1', 'xoxb-new'));
    // Served at once by this process: the store drops what it kept.
    expect(await tokens.botToken('T1')).toBe('xoxb-new');
    const [ws] = await db.select().from(workspaces).where(eq(workspaces.teamId, 'T1'));
    expect(ws).toMatchObject({ uninstalledAt: null, currency: 'EUR' });
    expect(await db.select().from(slackInstallations)).toHaveLength(1);
  });

  it('Enterprise Grid: an org-wide install serves every workspace of the org; a workspace’s own install wins', async () => {
    const { db, store } = setup();
    await db.insert(workspaces).values([
      { teamId: 'TW1', enterpriseId: 'E1', uninstalledAt: NOW },
      { teamId: 'TW2', enterpriseId: 'E1', uninstalledAt: NOW },
      { teamId: 'TX', enterpriseId: 'E2', uninstalledAt: NOW },
    ]);
    await store.storeInstallation(orgInstall('E1', 'xoxb-org-e1'));
    const rows = await db.select().from(slackInstallations);
    expect(rows).toMatchObject([{ enterpriseId: 'E1', teamId: '', isEnterpriseInstall: true }]);
    // Every known workspace of the org is installed again; another org's is not.
    const marked = await db.select({ teamId: workspaces.teamId, uninstalledAt: workspaces.uninstalledAt }).from(workspaces).orderBy(workspaces.teamId);
    expect(marked).toEqual([
      { teamId: 'TW1', uninstalledAt: null },
      { teamId: 'TW2', uninstalledAt: null },
      { teamId: 'TX', uninstalledAt: NOW },
    ]);

    // Bolt's query for a request from a workspace of the org.
    const fromOrg = await store.fetchInstallation({ teamId: 'TW1', enterpriseId: 'E1', isEnterpriseInstall: true } as never);
    expect(fromOrg).toMatchObject({ isEnterpriseInstall: true, enterprise: { id: 'E1' }, bot: { token: 'xoxb-org-e1' } });
    expect(fromOrg.team).toBeUndefined();
    // A workspace first met through the org: its org is recorded, so the scheduler finds the token from the team alone.
    await store.fetchInstallation({ teamId: 'TNEW', enterpriseId: 'E1', isEnterpriseInstall: true } as never);
    const [met] = await db.select().from(workspaces).where(eq(workspaces.teamId, 'TNEW'));
    expect(met?.enterpriseId).toBe('E1');
    const other = setup({ db }).tokens;
    expect(await other.botToken('TNEW')).toBe('xoxb-org-e1');
    expect(await other.botToken('TW2')).toBe('xoxb-org-e1');
    expect(await other.botToken('TX')).toBeUndefined();

    // A workspace of the org installed on its own keeps its own token.
    await store.storeInstallation(workspaceInstall('TW2', 'xoxb-own-tw2', { enterpriseId: 'E1' }));
    expect(await setup({ db }).tokens.botToken('TW2')).toBe('xoxb-own-tw2');
  });

  it('token rotation: a token about to expire is refreshed once for concurrent callers, and the new one used after', async () => {
    const refresh = countingRefresh();
    const clock = fixedClock(NOW);
    const { tokens, store } = setup({ refresh, clock });
    await store.storeInstallation(workspaceInstall('T1', 'xoxe.xoxb-first', { refreshToken: 'xoxe-1-refresh-first', expiresAt: new Date(NOW.getTime() + 60 * 60_000) }));
    // An hour left: well outside the margin, no refresh.
    expect(await tokens.botToken('T1')).toBe('xoxe.xoxb-first');
    expect(refresh.calls).toEqual([]);

    clock.advance(50 * 60_000); // 10 minutes left: inside the refresh margin
    tokens.invalidate({ teamId: 'T1' }); // (the cache would let go of it by then too)
    const [a, b, viaBolt] = await Promise.all([
      tokens.botToken('T1'),
      tokens.botToken('T1'),
      store.fetchInstallation({ teamId: 'T1', enterpriseId: undefined, isEnterpriseInstall: false }),
    ]);
    expect(refresh.calls).toEqual(['xoxe-1-refresh-first']);
    expect([a, b, viaBolt.bot?.token]).toEqual(['xoxe.xoxb-new-1', 'xoxe.xoxb-new-1', 'xoxe.xoxb-new-1']);

    // Stored sealed, with its new expiry: another process reads the new token without refreshing again.
    const raw = await getDb().database.rows<Record<string, unknown>>(sql`select * from slack_installations`);
    expect(JSON.stringify(raw)).not.toContain('xox');
    const later = setup({ db: getDb().database.db, refresh, clock });
    expect(await later.tokens.botToken('T1')).toBe('xoxe.xoxb-new-1');
    expect(refresh.calls).toHaveLength(1);
  });

  it('a token that lives less than twice the margin is refreshed half way through its life, not on every call', async () => {
    const refresh = countingRefresh(0);
    const clock = fixedClock(NOW);
    const { tokens, store } = setup({ refresh, clock, cacheMs: 0 });
    await store.storeInstallation(workspaceInstall('T1', 'xoxe.xoxb-first', { refreshToken: 'xoxe-1-r', expiresAt: new Date(NOW.getTime() + 10 * 60_000) }));
    expect(await tokens.botToken('T1')).toBe('xoxe.xoxb-first');
    clock.advance(6 * 60_000);
    expect(await tokens.botToken('T1')).toBe('xoxe.xoxb-new-1');
    // The refreshed token lives 12 hours: used as is from then on.
    expect(await tokens.botToken('T1')).toBe('xoxe.xoxb-new-1');
    expect(refresh.calls).toHaveLength(1);
  });

  it('token rotation across processes: two instances on the same database refresh once (row lock, expiry checked again)', async () => {
    const refresh = countingRefresh(150);
    const clock = fixedClock(NOW);
    const first = setup({ refresh, clock });
    await first.store.storeInstallation(workspaceInstall('T1', 'xoxe.xoxb-first', { refreshToken: 'xoxe-1-refresh-first', expiresAt: new Date(NOW.getTime() + 12 * 3600_000) }));
    clock.advance(12 * 3600_000 - 5 * 60_000); // 5 minutes left
    const other = openAnotherConnection(getDb());
    try {
      const second = setup({ refresh, clock, db: other.db });
      const [a, b] = await Promise.all([first.tokens.botToken('T1'), second.tokens.botToken('T1')]);
      expect(refresh.calls).toEqual(['xoxe-1-refresh-first']);
      expect([a, b]).toEqual(['xoxe.xoxb-new-1', 'xoxe.xoxb-new-1']);
    } finally {
      await other.close();
    }
  });

  it('a refresh that fails leaves a still-valid token in use; an expired one that cannot be refreshed is an error', async () => {
    const clock = fixedClock(NOW);
    let calls = 0;
    const failing: RefreshToken = async () => {
      calls++;
      throw new Error('invalid_refresh_token');
    };
    const { tokens, store } = setup({ refresh: failing, clock });
    await store.storeInstallation(workspaceInstall('T1', 'xoxe.xoxb-first', { refreshToken: 'xoxe-1-r', expiresAt: new Date(NOW.getTime() + 3600_000) }));
    clock.advance(58 * 60_000); // 2 minutes left
    expect(await tokens.botToken('T1')).toBe('xoxe.xoxb-first');
    // Kept until it expires (or the cache period): not a refresh attempt per call.
    expect(await tokens.botToken('T1')).toBe('xoxe.xoxb-first');
    expect(calls).toBe(1);
    clock.advance(3 * 60_000); // expired
    tokens.invalidate({ teamId: 'T1' });
    await expect(tokens.botToken('T1')).rejects.toThrow(/has expired and could not be refreshed/);
  });

  it('an uninstall stops the token at once in this process, and within the cache period in another', async () => {
    const { db, tokens, store } = setup();
    const elsewhere = setup({ cacheMs: 200 }).tokens;
    await store.storeInstallation(workspaceInstall('T1', 'xoxb-1111'));
    expect(await tokens.botToken('T1')).toBe('xoxb-1111');
    expect(await elsewhere.botToken('T1')).toBe('xoxb-1111');
    await store.deleteInstallation!({ teamId: 'T1', enterpriseId: undefined, isEnterpriseInstall: false });
    expect(await db.select().from(slackInstallations)).toHaveLength(0);
    expect(await tokens.botToken('T1')).toBeUndefined();
    await expect(store.fetchInstallation({ teamId: 'T1', enterpriseId: undefined, isEnterpriseInstall: false })).rejects.toThrow(/not installed/);
    await new Promise((r) => setTimeout(r, 250));
    expect(await elsewhere.botToken('T1')).toBeUndefined();
  });

  it('an invalidation during a load does not let the load keep the token it read', async () => {
    const { tokens, store } = setup();
    await store.storeInstallation(workspaceInstall('T1', 'xoxb-1111'));
    const loading = tokens.botToken('T1');
    tokens.invalidate({ teamId: 'T1' });
    await getDb().database.db.delete(slackInstallations);
    await loading; // it may have read the row before the delete: whatever it read is not kept
    expect(await tokens.botToken('T1')).toBeUndefined();
  });

  describe('key rotation', () => {
    it('re-seals every token with the new key, opening the old; counts; a token neither key opens is reported and left', async () => {
      const { db, store } = setup();
      await store.storeInstallation(workspaceInstall('T1', 'xoxb-1111', { refreshToken: 'xoxe-1-r1', expiresAt: new Date(NOW.getTime() + 12 * 3600_000) }));
      await store.storeInstallation(orgInstall('E1', 'xoxb-org'));
      const rotating = new SecretBox(KEY_B, [KEY_A]);
      expect(await resealInstallationTokens(db, rotating)).toEqual({ resealed: 2, current: 0, unreadable: [] });
      expect(await resealInstallationTokens(db, rotating)).toEqual({ resealed: 0, current: 2, unreadable: [] });

      // Only the new key now: everything opens.
      const newOnly = new SecretBox(KEY_B);
      const tokens = new InstallationTokens({ db, box: newOnly, clock: fixedClock(NOW), logger, refresh: countingRefresh() });
      expect(await tokens.botToken('T1')).toBe('xoxb-1111');
      expect(((await tokens.forOrg('E1')) as OpenedInstallation).botToken).toBe('xoxb-org');

      const unrelated = new SecretBox(Buffer.alloc(32, 3));
      expect(await resealInstallationTokens(db, unrelated)).toEqual({
        resealed: 0,
        current: 0,
        unreadable: ['T1 bot_token', 'T1 bot_refresh_token', 'org E1 (org-wide) bot_token'],
      });
    });
  });
});
