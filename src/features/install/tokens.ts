/**
 * Bot tokens of the installations (OAuth mode), for everything that calls Slack: Bolt's authorize (through the
 * installation store, oauth.ts) and the bot's own clients (slack/clients.ts, as its TokenSource). The one place a
 * token is opened, and the one place it is refreshed.
 *
 * Token rotation: a token that expires within REFRESH_MARGIN_MS is refreshed first (oauth.v2.access,
 * grant_type=refresh_token), once across every process: in a transaction the row is locked (SELECT … FOR UPDATE),
 * its expiry checked again (another process may have refreshed it while this one waited for the lock), and only
 * then refreshed and the new pair stored, sealed. Within a process, concurrent callers share one load.
 *
 * Opened tokens are kept in memory, per instance, so a command does not pay a query and a decrypt each time: until
 * CACHE_MS has passed (how long another process's uninstall or refresh may go unseen here), and never past the
 * refresh margin of the token. An uninstall in this process calls invalidate(), which drops them at once.
 */
import { performance } from 'node:perf_hooks';
import type { Db } from '../../db/client.js';
import type { Clock } from '../../lib/clock.js';
import { InFlight } from '../../lib/in-flight.js';
import type { Logger } from '../../lib/logger.js';
import type { SecretBox } from '../../lib/secret-box.js';
import type { TokenSource } from '../../slack/clients.js';
import {
  describeKey,
  findInstallation,
  findInstallationForTeam,
  keyOfRow,
  lockInstallation,
  recordWorkspaceOrg,
  storeRefreshedTokens,
  tokenContext,
  type InstallationKey,
  type InstallationRow,
} from './store.js';

/**
 * Refresh a token this long before it expires (or half way through its life, for a token that lives less than
 * twice this). Longer than anything holds a token it was handed: a client is
 * asked for per call or per scheduled run, and a run (its retries and Retry-After waits included) lasts minutes,
 * so a token handed out just before the margin still outlives the work that uses it. Short beside the 12 hours a
 * rotated Slack token lives, so it costs no extra refreshes. (Bolt's own authorize refreshes within 2 hours; with
 * one refresh path, this is the one.)
 */
export const REFRESH_MARGIN_MS = 15 * 60_000;
/**
 * How long an opened token is served from memory. Bounds how long another process's uninstall goes unseen here
 * (this process's own is seen at once, through invalidate), and costs each busy workspace one indexed query per
 * period per process.
 */
export const CACHE_MS = 30_000;
/** "Not installed" is remembered for less: a workspace just installed through another process starts answering soon. */
export const NOT_INSTALLED_CACHE_MS = 5_000;
/** At most this many lookups are kept (the oldest dropped first). */
export const MAX_CACHED = 10_000;

/** What the bot needs of an installation to act in a workspace: never the refresh token. */
export interface OpenedInstallation {
  key: InstallationKey;
  botToken: string;
  botId: string | null;
  botUserId: string | null;
  appId: string | null;
  teamName: string | null;
  enterpriseName: string | null;
  botScopes: string | null;
  /** null: the token does not expire (token rotation off). */
  expiresAt: Date | null;
  /** When it is to be refreshed (null: never): REFRESH_MARGIN_MS before it expires, or at half its life if shorter. */
  refreshAt: Date | null;
}

/** A new token pair from oauth.v2.access (grant_type=refresh_token). */
export interface RefreshedToken {
  accessToken: string;
  refreshToken: string;
  /** Seconds from now. */
  expiresIn: number;
}

export type RefreshToken = (refreshToken: string) => Promise<RefreshedToken>;

/** A token expired (or about to) that could not be refreshed: the workspace cannot be served until it is. */
export class TokenRefreshError extends Error {
  readonly code = 'token_refresh_failed';
  constructor(
    readonly key: InstallationKey,
    cause: unknown,
  ) {
    super(`the bot token of ${describeKey(key)} has expired and could not be refreshed: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = 'TokenRefreshError';
  }
}

export interface InstallationTokensOptions {
  db: Db;
  box: SecretBox;
  clock: Clock;
  logger: Logger;
  /** oauth.v2.access with grant_type=refresh_token (oauth.ts). */
  refresh: RefreshToken;
  cacheMs?: number;
  refreshMarginMs?: number;
}

/** Which installation a caller asks for: a workspace (its own, else its org's), or an org's org-wide install. */
type Lookup = { kind: 'team'; teamId: string; enterpriseId?: string } | { kind: 'org'; enterpriseId: string; teamId?: string };

interface Cached {
  value: OpenedInstallation | undefined;
  until: number;
  lookup: Lookup;
}

export class InstallationTokens implements TokenSource {
  private readonly cache = new Map<string, Cached>();
  private readonly loads = new InFlight<OpenedInstallation | undefined>();
  private readonly refreshes = new InFlight<OpenedInstallation | undefined>();
  /** Tokens served after a failed refresh: kept until they expire (or CACHE_MS), then the refresh is tried again. */
  private readonly refreshFailed = new WeakSet<OpenedInstallation>();
  /** Bumped by invalidate(): a load that started before it does not cache what it read. */
  private generation = 0;
  private readonly cacheMs: number;
  private readonly marginMs: number;

  constructor(private readonly options: InstallationTokensOptions) {
    this.cacheMs = options.cacheMs ?? CACHE_MS;
    this.marginMs = options.refreshMarginMs ?? REFRESH_MARGIN_MS;
  }

  async botToken(teamId: string): Promise<string | undefined> {
    return (await this.forTeam(teamId))?.botToken;
  }

  /** The installation serving workspace `teamId` (its own, else its org's; `enterpriseId` when the caller knows it). */
  forTeam(teamId: string, enterpriseId?: string): Promise<OpenedInstallation | undefined> {
    return this.get(`t:${teamId}`, { kind: 'team', teamId, enterpriseId });
  }

  /**
   * The org-wide install of `enterpriseId`; `teamId`, when given, is the workspace of the org the request came from
   * (kept per workspace, so each workspace met this way gets its org recorded).
   */
  forOrg(enterpriseId: string, teamId?: string): Promise<OpenedInstallation | undefined> {
    return this.get(`o:${enterpriseId}:${teamId ?? ''}`, { kind: 'org', enterpriseId, teamId });
  }

  /**
   * Forget what is kept for a workspace or an org (after an install, uninstall or revocation in this process): the
   * next call reads the database. An org also drops every workspace served by its org-wide install.
   */
  invalidate(target: { teamId?: string; enterpriseId?: string }): void {
    this.generation++;
    for (const [cacheKey, entry] of this.cache) {
      const { lookup, value } = entry;
      const teams = [lookup.teamId, value?.key.teamId].filter(Boolean);
      const orgs = [lookup.enterpriseId, value?.key.enterpriseId].filter(Boolean);
      if ((target.teamId && teams.includes(target.teamId)) || (target.enterpriseId && orgs.includes(target.enterpriseId))) this.cache.delete(cacheKey);
    }
  }

  private async get(cacheKey: string, lookup: Lookup): Promise<OpenedInstallation | undefined> {
    const cached = this.cache.get(cacheKey);
    if (cached && performance.now() < cached.until) return cached.value;
    if (cached) this.cache.delete(cacheKey);
    const generation = this.generation;
    const value = await this.loads.run(cacheKey, () => this.load(lookup));
    if (generation === this.generation) this.remember(cacheKey, lookup, value);
    return value;
  }

  private remember(cacheKey: string, lookup: Lookup, value: OpenedInstallation | undefined): void {
    let ms = value ? this.cacheMs : Math.min(this.cacheMs, NOT_INSTALLED_CACHE_MS);
    const until = value && (this.refreshFailed.has(value) ? value.expiresAt : value.refreshAt);
    if (until) ms = Math.min(ms, until.getTime() - this.options.clock.now().getTime());
    if (ms <= 0) return;
    this.cache.delete(cacheKey);
    this.cache.set(cacheKey, { value, until: performance.now() + ms, lookup });
    if (this.cache.size > MAX_CACHED) this.cache.delete(this.cache.keys().next().value!);
  }

  private async load(lookup: Lookup): Promise<OpenedInstallation | undefined> {
    const { db, clock } = this.options;
    const row =
      lookup.kind === 'team'
        ? await findInstallationForTeam(db, lookup.teamId, lookup.enterpriseId)
        : await findInstallation(db, { enterpriseId: lookup.enterpriseId, teamId: '' });
    if (!row) return undefined;
    // A workspace met through its org-wide install: note its org, so work that starts from the workspace alone
    // (scheduled posts) finds the org's token.
    if (row.teamId === '' && lookup.teamId && lookup.enterpriseId) await recordWorkspaceOrg(db, lookup.teamId, row.enterpriseId, clock.now());
    if (this.expiresSoon(row)) return this.refreshes.run(`${row.enterpriseId}:${row.teamId}`, () => this.refreshUnderLock(keyOfRow(row)));
    return this.open(row);
  }

  /**
   * When a token issued at `issuedAt` and expiring at `expiresAt` is refreshed: REFRESH_MARGIN_MS before it
   * expires, or half way through its life when it lives less than twice that, so a short-lived token (a test's,
   * or Slack shortening them) is not refreshed again on every call.
   */
  private refreshAt(expiresAt: Date | null, issuedAt: Date): Date | null {
    if (!expiresAt) return null;
    const lifetime = expiresAt.getTime() - issuedAt.getTime();
    return new Date(expiresAt.getTime() - (lifetime > 0 ? Math.min(this.marginMs, lifetime / 2) : this.marginMs));
  }

  private expiresSoon(row: InstallationRow): boolean {
    const refreshAt = row.botRefreshToken ? this.refreshAt(row.botTokenExpiresAt, row.updatedAt) : null;
    return refreshAt !== null && refreshAt.getTime() <= this.options.clock.now().getTime();
  }

  /**
   * Refresh the token of `key` unless another process did while this one waited for the row lock. The Slack call
   * is made under the lock, so no two processes spend the same refresh token; it has a short timeout and no retries
   * beyond one (oauth.ts), so the lock is held for seconds at most.
   */
  private async refreshUnderLock(key: InstallationKey): Promise<OpenedInstallation | undefined> {
    const { db, box, clock, logger, refresh } = this.options;
    return db.transaction(async (tx) => {
      const row = await lockInstallation(tx, key);
      if (!row) return undefined;
      if (!this.expiresSoon(row)) return this.open(row);
      let fresh: RefreshedToken;
      try {
        fresh = await refresh(box.open(row.botRefreshToken!, tokenContext(key, 'bot_refresh_token')));
      } catch (e) {
        // Still valid for a while: serve it, and try again once the cache lets go of it.
        if (row.botTokenExpiresAt!.getTime() > clock.now().getTime()) {
          logger.warn({ err: e, installation: describeKey(key), expiresAt: row.botTokenExpiresAt }, 'could not refresh a bot token about to expire; using it until it does');
          const current = this.open(row);
          this.refreshFailed.add(current);
          return current;
        }
        throw new TokenRefreshError(key, e);
      }
      const now = clock.now();
      const expiresAt = new Date(now.getTime() + fresh.expiresIn * 1000);
      await storeRefreshedTokens(tx, box, key, { botToken: fresh.accessToken, refreshToken: fresh.refreshToken, expiresAt }, now);
      logger.info({ installation: describeKey(key), expiresAt }, 'refreshed a bot token (token rotation)');
      return { ...this.open(row), botToken: fresh.accessToken, expiresAt, refreshAt: this.refreshAt(expiresAt, now) };
    });
  }

  private open(row: InstallationRow): OpenedInstallation {
    const key = keyOfRow(row);
    return {
      key,
      botToken: this.options.box.open(row.botToken, tokenContext(key, 'bot_token')),
      botId: row.botId,
      botUserId: row.botUserId,
      appId: row.appId,
      teamName: row.teamName,
      enterpriseName: row.enterpriseName,
      botScopes: row.botScopes,
      expiresAt: row.botTokenExpiresAt,
      refreshAt: row.botRefreshToken ? this.refreshAt(row.botTokenExpiresAt, row.updatedAt) : null,
    };
  }
}
