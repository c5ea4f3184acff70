/**
 * Uninstall and token revocation: Slack's `app_uninstalled` and `tokens_revoked` events.
 *
 * Either one means the bot can no longer act in the workspace: its installation rows (the sealed tokens) are
 * deleted at once, so no token outlives the workspace's consent, and the workspace is marked uninstalled
 * (`workspaces.uninstalled_at`), which every scheduled job reads: no leaderboard, digest or celebration is sent
 * there from the next tick on. Its data is kept: a reinstall within RETENTION_DAYS finds everything as it was
 * (the installation store clears the mark: store.ts saveInstallation), and after that the retention purge (purge.ts) deletes it.
 *
 * Slack sends these events when the token may already be invalid, so Bolt skips authorize for them (its
 * helpers.ts, eventTypesToSkipAuthorize) and these handlers make no Web API call. The two events may come in
 * either order, more than once (retries), and for a workspace already uninstalled: every step is idempotent, and
 * the first mark wins (`coalesce`), so a late duplicate never moves the retention deadline.
 *
 * Works in both modes: in single-workspace mode there are no installation rows, but the mark still stops the
 * schedules (the one SLACK_BOT_TOKEN is revoked too when the app is removed). In OAuth mode a reinstall goes
 * through the installation store, which clears the mark; in single-workspace mode there is no install callback,
 * so the first request Slack sends from the workspace afterwards (a command, a button, the Home tab) clears it:
 * Slack sends none to a workspace the app is not installed in (markInstalledOnContact).
 */
import { and, eq, isNull, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { App } from '@slack/bolt';
import type { Deps } from '../../deps.js';
import { resultRows } from '../../db/client.js';
import { slackInstallations, workspaces } from '../../db/schema/index.js';
import { recordAudit } from '../../org/index.js';
import type { EventArgs } from '../../slack/listener-args.js';

/** Who Slack says the event is about: one workspace, or (org-wide install) a whole Enterprise Grid org. */
export interface UninstallScope {
  enterpriseId: string | null;
  /** The workspace; null for an org-wide install. */
  teamId: string | null;
  isEnterpriseInstall: boolean;
}

export type UninstallCause = 'app_uninstalled' | 'tokens_revoked';

export interface UninstallResult {
  /** The workspaces marked uninstalled by this call (empty when they already were). */
  teamIds: string[];
  /** Installation rows deleted. */
  installationsRemoved: number;
  /** What it turned out to be about: an event naming a workspace served by its org's install is the org's. */
  scope: UninstallScope;
}

export interface LifecycleOptions {
  /**
   * Single-workspace mode (SLACK_BOT_TOKEN): a request from a workspace marked uninstalled means the app was added
   * again, so the mark is cleared. Not in OAuth mode, where only the installation store does that.
   */
  singleWorkspace?: boolean;
  /**
   * Called after an uninstall is committed, so a process-local token cache (the installation store's) drops what it
   * holds for the scope. Other processes' caches must not outlive a deleted row either (see the store).
   */
  forgetTokens?: (scope: UninstallScope) => void;
}

/** The audit actor for what Slack did, not a person: shown as `@Slackbot` in the audit log. */
export const SLACK_ACTOR = 'USLACKBOT';

type LifecycleDeps = Pick<Deps, 'db' | 'clock' | 'logger'>;

// ---------------------------------------------------------------------------------------------
// The envelope: only what tells whose installation it was. Loose: Slack adds fields.

const authorization = z.looseObject({
  enterprise_id: z.string().nullish(),
  team_id: z.string().nullish(),
  is_enterprise_install: z.boolean().nullish(),
});

const envelope = z.looseObject({
  team_id: z.string().nullish(),
  enterprise_id: z.string().nullish(),
  is_enterprise_install: z.boolean().nullish(),
  authorizations: z.array(authorization).nullish(),
});

const tokensRevoked = z.looseObject({
  tokens: z.looseObject({ oauth: z.array(z.string()).nullish(), bot: z.array(z.string()).nullish() }).nullish(),
});

/**
 * The installation an event envelope is about: the first authorization (the installation that received the event),
 * else the envelope's own team and enterprise. Undefined when it names neither.
 */
export function scopeOfEnvelope(body: unknown): UninstallScope | undefined {
  const parsed = envelope.safeParse(body);
  if (!parsed.success) return undefined;
  const auth = parsed.data.authorizations?.[0];
  const enterpriseId = auth?.enterprise_id || parsed.data.enterprise_id || null;
  const isEnterpriseInstall = Boolean(auth?.is_enterprise_install ?? parsed.data.is_enterprise_install) && enterpriseId !== null;
  const teamId = isEnterpriseInstall ? null : auth?.team_id || parsed.data.team_id || null;
  if (!teamId && !isEnterpriseInstall) return undefined;
  return { enterpriseId, teamId, isEnterpriseInstall };
}

/** True when a tokens_revoked event revoked the bot's token (the bot cannot act any more), not only user tokens. */
export function botTokenRevoked(event: unknown): boolean {
  const parsed = tokensRevoked.safeParse(event);
  return parsed.success && (parsed.data.tokens?.bot?.length ?? 0) > 0;
}

/**
 * Delete the scope's installations and mark its workspaces uninstalled, in one transaction, with an audit entry
 * per workspace newly marked. Org-wide (Enterprise Grid): the org's installation, and every workspace of the org
 * that has no installation of its own left. Idempotent; makes no Slack call.
 */
export async function markUninstalled(deps: LifecycleDeps, scope: UninstallScope, cause: UninstallCause): Promise<UninstallResult> {
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const enterpriseId = (await servedOrgWide(tx, scope)) ? scope.enterpriseId : null;
    let removed: { id: string }[];
    let marked: { teamId: string }[];
    if (enterpriseId) {
      removed = await tx
        .delete(slackInstallations)
        .where(and(eq(slackInstallations.enterpriseId, enterpriseId), eq(slackInstallations.isEnterpriseInstall, true)))
        .returning({ id: slackInstallations.id });
      const ofTheOrg = scope.teamId ? or(eq(workspaces.enterpriseId, enterpriseId), eq(workspaces.teamId, scope.teamId)) : eq(workspaces.enterpriseId, enterpriseId);
      marked = await tx
        .update(workspaces)
        .set({ uninstalledAt: now, updatedAt: now })
        .where(
          and(
            ofTheOrg,
            isNull(workspaces.uninstalledAt),
            // Spelled out: inside UPDATE, drizzle may render a column unqualified, which here would mean the subquery's own.
            sql`not exists (select 1 from slack_installations si where si.team_id = "workspaces"."team_id")`,
          ),
        )
        .returning({ teamId: workspaces.teamId });
    } else {
      const teamId = scope.teamId!;
      // Team ids are unique across Slack: the workspace's own install, whatever enterprise it was stored under.
      removed = await tx
        .delete(slackInstallations)
        .where(and(eq(slackInstallations.teamId, teamId), eq(slackInstallations.isEnterpriseInstall, false)))
        .returning({ id: slackInstallations.id });
      marked = await tx
        .update(workspaces)
        .set({ uninstalledAt: now, updatedAt: now })
        .where(and(eq(workspaces.teamId, teamId), isNull(workspaces.uninstalledAt)))
        .returning({ teamId: workspaces.teamId });
    }
    for (const { teamId } of marked) {
      await recordAudit(tx, {
        teamId,
        actorId: SLACK_ACTOR,
        action: cause === 'app_uninstalled' ? 'app.uninstall' : 'app.tokens_revoked',
        subject: 'Sales Pulse',
        before: null,
        after: { uninstalledAt: now.toISOString(), installationsRemoved: removed.length },
        at: now,
      });
    }
    const resolved: UninstallScope = enterpriseId ? { enterpriseId, teamId: null, isEnterpriseInstall: true } : scope;
    return { teamIds: marked.map((m) => m.teamId).sort(), installationsRemoved: removed.length, scope: resolved };
  });
}

/**
 * Whether the event is about an org-wide installation. Slack sends these two events without `authorizations` (the
 * installation they would name is gone), so the envelope rarely says so: an event naming the org as its team, or a
 * workspace of an org that has no installation of its own while the org has one (it was served by the org's, and
 * app_uninstalled means the app was removed entirely; a revoked bot token is the org's), is the org's.
 */
async function servedOrgWide(tx: Parameters<Parameters<Deps['db']['transaction']>[0]>[0], scope: UninstallScope): Promise<boolean> {
  if (!scope.enterpriseId) return false;
  if (scope.isEnterpriseInstall || !scope.teamId || scope.teamId === scope.enterpriseId) return true;
  const [own] = await tx
    .select({ id: slackInstallations.id })
    .from(slackInstallations)
    .where(and(eq(slackInstallations.teamId, scope.teamId), eq(slackInstallations.isEnterpriseInstall, false)))
    .limit(1);
  if (own) return false;
  const [org] = await tx
    .select({ id: slackInstallations.id })
    .from(slackInstallations)
    .where(and(eq(slackInstallations.enterpriseId, scope.enterpriseId), eq(slackInstallations.isEnterpriseInstall, true)))
    .limit(1);
  return org !== undefined;
}

// ---------------------------------------------------------------------------------------------
// Handlers (registered by registerLifecycle)

async function uninstall(deps: LifecycleDeps, body: unknown, cause: UninstallCause, options: LifecycleOptions): Promise<void> {
  const log = deps.logger.child({ component: 'install', event: cause });
  const scope = scopeOfEnvelope(body);
  if (!scope) {
    log.warn('uninstall event without a team or enterprise; ignored');
    return;
  }
  const result = await markUninstalled(deps, scope, cause);
  options.forgetTokens?.(result.scope);
  log.info({ ...result.scope, marked: result.teamIds, installationsRemoved: result.installationsRemoved }, result.teamIds.length > 0 ? 'app removed: tokens deleted, schedules stopped, data kept for the retention period' : 'app removal seen again (already uninstalled)');
}

/** `app_uninstalled`: the app was removed from the workspace (or the org). */
export async function handleAppUninstalled(args: EventArgs<'app_uninstalled'>, deps: LifecycleDeps, options: LifecycleOptions = {}): Promise<void> {
  await uninstall(deps, args.body, 'app_uninstalled', options);
}

/** `tokens_revoked`: the bot's token revoked means the bot cannot act: as an uninstall. User tokens alone: nothing (none is kept). */
export async function handleTokensRevoked(args: EventArgs<'tokens_revoked'>, deps: LifecycleDeps, options: LifecycleOptions = {}): Promise<void> {
  if (!botTokenRevoked(args.event)) {
    deps.logger.debug({ component: 'install' }, 'only user tokens revoked; Sales Pulse keeps none');
    return;
  }
  await uninstall(deps, args.body, 'tokens_revoked', options);
}

/**
 * Single-workspace mode: `teamId` sent a request, so the app is installed there; clear an uninstall mark, with its
 * audit entry, in one statement (a primary-key UPDATE that matches no row in the usual case). Never throws: a
 * failure is logged and answered undefined (not checked), true when the mark was cleared, false when there was none.
 */
export async function markInstalledOnContact(deps: LifecycleDeps, teamId: string): Promise<boolean | undefined> {
  try {
    const now = deps.clock.now().toISOString();
    const back = resultRows(
      await deps.db.execute(sql`
        with back as (
          update workspaces set uninstalled_at = null, updated_at = ${now}
          where team_id = ${teamId} and uninstalled_at is not null
          returning team_id
        )
        insert into audit_log (team_id, actor_id, action, subject, created_at)
        select team_id, ${SLACK_ACTOR}, 'app.reinstall', 'Sales Pulse', ${now} from back
        returning team_id`),
    );
    if (back.length === 0) return false;
    deps.logger.info({ component: 'install', teamId }, 'a request from an uninstalled workspace: the app was added again; schedules resume');
    return true;
  } catch (error) {
    deps.logger.warn({ err: error, teamId }, 'could not check whether the workspace was uninstalled');
    return undefined;
  }
}

const UNINSTALL_EVENTS = new Set(['app_uninstalled', 'tokens_revoked']);

/** Both events, in either mode; in single-workspace mode, the mark cleared by the workspace's next request. */
export function registerLifecycle(app: App, deps: LifecycleDeps, options: LifecycleOptions = {}): void {
  // Workspaces this process has seen a request from since it started or since their last uninstall event: checked
  // once each, in the background, so no request waits on the database for it (a command's answer has a deadline)
  // and a busy workspace does not pay a write per request. Another process's uninstall is cleared by the first
  // request a process sees after its own start; in single-workspace mode that is the norm (one token, restarted
  // with the new one after a reinstall).
  const checked = new Set<string>();
  if (options.singleWorkspace) {
    app.use(async ({ body, context, next }) => {
      const eventType = (body as { event?: { type?: unknown } }).event?.type;
      const teamId = context.teamId;
      if (teamId && !checked.has(teamId) && !(typeof eventType === 'string' && UNINSTALL_EVENTS.has(eventType))) {
        checked.add(teamId);
        void markInstalledOnContact(deps, teamId).then((result) => {
          if (result === undefined) checked.delete(teamId);
        });
      }
      await next();
    });
  }
  app.event('app_uninstalled', async (args) => {
    await handleAppUninstalled(args, deps, options);
    checked.clear();
  });
  app.event('tokens_revoked', async (args) => {
    await handleTokensRevoked(args, deps, options);
    checked.clear();
  });
}
