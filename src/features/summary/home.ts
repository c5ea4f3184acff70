import { performance } from 'node:perf_hooks';
import type { webApi } from '@slack/bolt';
import { DIGEST_CADENCES, type DigestCadence } from '../../db/schema/index.js';
import type { Deps } from '../../deps.js';
import { formatMoney } from '../../lib/money.js';
import { parsePeriod, type PeriodSettings } from '../../periods/parse-period.js';
import type { ButtonArgs, EventArgs, SelectArgs } from '../../slack/listener-args.js';
import { requireTeamId } from '../../slack/team-id.js';
import { getSlackUser } from '../../slack/user-directory.js';
import { ensureWorkspace } from '../../slack/workspace.js';
import type { ActivityTypeDef } from '../../entries/activity-types.js';
import { effortSentence, findDeal, loadEffortLines, openDealModal, softDeleteDeal } from '../deals/index.js';
import { changeableInSlack, changeItAtSource, sourceWords } from '../../entries/author-actions.js';
import { dayWords, typeNoun } from '../../entries/describe.js';
import { findActivity, loadActivityTypes, openLogModal, softDeleteActivity } from '../logging/index.js';
import { loadTargetProgress } from '../targets/index.js';
import { getDigestChoice, setDigestChoice } from './digest-subscriptions.js';
import { loadRecentEntries, type RecentActivityRow, type RecentDealRow, type RecentRow } from './home-queries.js';
import { DIGEST_LABELS, HOME_UNDO_ACTION_PATTERN, homeView, MAX_RECENT_SHOWN, type RecentEntry } from './home.view.js';
import { loadPersonalStats } from './stats.js';

type ActivityWordsRow = Pick<RecentActivityRow, 'typeKey' | 'quantity' | 'outcome' | 'account'>;
type DealWordsRow = Pick<RecentDealRow, 'status' | 'amountMinor' | 'currency' | 'account'>;

/** "3 calls (connected) with Acme Corp": plain words, no mrkdwn. */
export function activityWords(row: ActivityWordsRow, types: ActivityTypeDef[]): string {
  const type = types.find((t) => t.key === row.typeKey);
  const parts = [`${row.quantity} ${typeNoun(type, row.typeKey, row.quantity)}`];
  if (row.outcome) parts.push(`(${row.outcome})`);
  if (row.account) parts.push(`with ${row.account}`);
  return parts.join(' ');
}

/** "Won deal: Acme Corp, $12,500.00": plain words, no mrkdwn. */
export function dealWords(row: DealWordsRow): string {
  const amount = row.amountMinor !== null && row.currency ? formatMoney({ minor: row.amountMinor, currency: row.currency }) : null;
  const what = [row.account, amount].filter(Boolean).join(', ');
  return `${row.status === 'won' ? 'Won' : 'Lost'} deal${what ? `: ${what}` : ''}`;
}

/**
 * A stored entry as the Home tab lists it; `when` is the day it happened, in the person's time zone. `efforts`: the
 * effort words of won deals by id (deals/index.ts loadEffortLines).
 */
export function recentEntry(row: RecentRow, types: ActivityTypeDef[], now: Date, timeZone: string, efforts: ReadonlyMap<string, string> = new Map()): RecentEntry {
  const from = changeableInSlack(row.source) ? {} : { from: sourceWords(row.source) };
  const extra = { ...from, ...(row.loggedBy ? { loggedBy: row.loggedBy } : {}) };
  if (row.kind === 'activity') {
    return { kind: 'activity', id: row.id, text: activityWords(row, types), when: dayWords(row.occurredAt, now, timeZone), notes: row.notes, ...extra };
  }
  const effort = row.status === 'won' ? efforts.get(row.id) : undefined;
  return { kind: 'deal', id: row.id, text: dealWords(row), when: dayWords(row.closedAt, now, timeZone), notes: row.notes, ...extra, ...(effort ? { effort: effortSentence(effort) } : {}) };
}

/**
 * Build and publish the person's Home tab: this week (in their time zone, the workspace's week start), their
 * targets, their last entries and their digest choice. Errors propagate (callers decide: a handler lets the
 * app-level handler log them, refreshHomeSoon logs and drops them).
 */
export async function publishHome(
  deps: Deps,
  client: webApi.WebClient,
  input: { teamId: string; userId: string; notice?: string },
): Promise<void> {
  const { teamId, userId } = input;
  const now = deps.clock.now();
  const workspace = await ensureWorkspace(deps.db, teamId);
  const user = await getSlackUser(deps, client, teamId, userId);
  const settings: PeriodSettings = {
    timeZone: user.timeZone,
    weekStartsOn: workspace.weekStartsOn as PeriodSettings['weekStartsOn'],
    fiscalYearStartMonth: workspace.fiscalYearStartMonth,
  };
  const parsed = parsePeriod('this week', now, settings);
  if (!parsed.ok) throw new Error(`this week: ${parsed.error}`);
  const period = parsed.period;
  // Sequential on purpose: PGlite has one connection, and a pool of 5 on PostgreSQL gains little here.
  const stats = await loadPersonalStats(deps, client, { teamId, userId, period });
  const types = stats.types;
  const progress = await loadTargetProgress(deps, { teamId, userId, now, timeZone: user.timeZone });
  const rows = await loadRecentEntries(deps.db, teamId, userId, MAX_RECENT_SHOWN);
  // The effort behind each recent win: one query for all of them.
  const efforts = await loadEffortLines(deps, teamId, rows.flatMap((r) => (r.kind === 'deal' && r.status === 'won' && r.account ? [r.id] : [])));
  const digest = await getDigestChoice(deps.db, teamId, userId);
  const view = homeView({
    displayName: user.displayName,
    weekLabel: period.current.label,
    stats: stats.current,
    observations: stats.observations,
    progress,
    recent: rows.map((r) => recentEntry(r, types, now, user.timeZone, efforts)),
    digest: digest.cadence,
    digestIsDefault: digest.isDefault,
    types,
    funnel: stats.funnel,
    notice: input.notice,
  });
  await client.views.publish({ user_id: userId, view });
}

/**
 * Republish the person's Home tab in the background after they changed something (logged, edited, undid).
 * Never throws: a stale Home tab is not worth failing the change for, so failures are only logged.
 * Returns the work, for callers that want to wait for it (shutdown drains them).
 */
export function refreshHomeSoon(deps: Deps, teamId: string, userId: string): Promise<void> {
  return (async () => publishHome(deps, await deps.slack.reading(teamId), { teamId, userId }))().catch((err: unknown) => {
    deps.logger.warn({ err, teamId, userId }, 'could not refresh the Home tab');
  });
}

/**
 * At most this many people wait for a Home refresh. Past it a refresh is dropped, never the change behind it: the
 * data is in the database and the next open of the tab shows it. Bounds the memory and the work a burst leaves behind.
 */
export const HOME_REFRESH_MAX_PENDING = 1_000;
/** Refreshes published at once. Each reads several queries; PGlite has one connection and commands come first. */
export const HOME_REFRESH_CONCURRENCY = 2;
/**
 * A person's Home is published at most once per this interval: a change within it is published when it ends (one
 * trailing publish, whatever the number of changes). A rep logging fast, or a load test, costs one publish per
 * interval, not one per entry; the tab still ends up showing the latest state.
 */
export const HOME_REFRESH_MIN_INTERVAL_MS = 2_000;

export interface HomeRefresher {
  /** Queue a refresh of the person's Home tab. Returns at once; never throws, never waits. */
  refresh(teamId: string, userId: string): void;
  /** Resolves when every queued, delayed and running refresh has finished (shutdown waits for it). */
  drain(): Promise<void>;
}

interface Person {
  teamId: string;
  userId: string;
}

/**
 * Background Home refreshes (what app.ts makes `deps.afterChange`): a bounded queue of people, each at most once,
 * worked through HOME_REFRESH_CONCURRENCY at a time. A change for someone already waiting costs nothing; a change
 * made while their refresh runs, or within HOME_REFRESH_MIN_INTERVAL_MS of their last publish, is published once
 * when that interval ends, so the last publish shows the latest state and a burst of changes for one person costs
 * at most two publishes. When HOME_REFRESH_MAX_PENDING people are waiting, further refreshes are dropped with a
 * debug log. Intervals are measured on the monotonic clock (not the injected one).
 */
export function createHomeRefresher(
  deps: Deps,
  opts: { maxPending?: number; concurrency?: number; minIntervalMs?: number } = {},
): HomeRefresher {
  const maxPending = opts.maxPending ?? HOME_REFRESH_MAX_PENDING;
  const concurrency = opts.concurrency ?? HOME_REFRESH_CONCURRENCY;
  const minIntervalMs = opts.minIntervalMs ?? HOME_REFRESH_MIN_INTERVAL_MS;
  const waiting = new Map<string, Person>();
  const delayed = new Map<string, Person & { timer: NodeJS.Timeout }>();
  const running = new Map<string, { again: boolean }>();
  /** When each person's last publish finished; entries older than the interval are pruned as it grows. */
  const lastDone = new Map<string, number>();
  const workers = new Set<Promise<void>>();

  async function work(): Promise<void> {
    // Takes the next person synchronously (before any await), so a change that follows at once sees them running.
    for (let next = waiting.entries().next(); !next.done; next = waiting.entries().next()) {
      const [key, person] = next.value;
      waiting.delete(key);
      const state = { again: false };
      running.set(key, state);
      try {
        await refreshHomeSoon(deps, person.teamId, person.userId);
      } finally {
        running.delete(key);
        lastDone.set(key, performance.now());
      }
      // Changed while it was being published: once more, after the interval.
      if (state.again) refresh(person.teamId, person.userId);
    }
  }

  function startWorkers(): void {
    while (workers.size < concurrency && waiting.size > 0) {
      const worker: Promise<void> = work().finally(() => {
        workers.delete(worker);
        // A refresh queued while this worker was finishing its last one must not be left without a worker.
        startWorkers();
      });
      workers.add(worker);
    }
  }

  function pruneLastDone(now: number): void {
    if (lastDone.size <= maxPending) return;
    for (const [key, at] of lastDone) if (now - at >= minIntervalMs) lastDone.delete(key);
  }

  function refresh(teamId: string, userId: string): void {
    const key = `${teamId}:${userId}`;
    if (waiting.has(key) || delayed.has(key)) return;
    const current = running.get(key);
    if (current) {
      current.again = true;
      return;
    }
    if (waiting.size + delayed.size >= maxPending) {
      deps.logger.debug({ teamId, userId, pending: waiting.size + delayed.size }, 'Home refresh queue full; refresh dropped (the next open shows the data)');
      return;
    }
    const now = performance.now();
    pruneLastDone(now);
    const wait = (lastDone.get(key) ?? -Infinity) + minIntervalMs - now;
    if (wait > 0) {
      const timer = setTimeout(() => {
        delayed.delete(key);
        waiting.set(key, { teamId, userId });
        startWorkers();
      }, wait);
      timer.unref();
      delayed.set(key, { teamId, userId, timer });
      return;
    }
    waiting.set(key, { teamId, userId });
    startWorkers();
  }

  return {
    refresh,
    async drain() {
      for (;;) {
        // Stopping: what waits for its interval is published now.
        for (const [key, { teamId, userId, timer }] of delayed) {
          clearTimeout(timer);
          delayed.delete(key);
          waiting.set(key, { teamId, userId });
        }
        startWorkers();
        if (workers.size === 0) return;
        await Promise.allSettled([...workers]);
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Handlers (registered in index.ts)
// ---------------------------------------------------------------------------------------------

/** The person opened the Home tab: publish their dashboard. Slack may redeliver the event; publishing again is harmless. */
export async function handleHomeOpened(args: EventArgs<'app_home_opened'>, deps: Deps): Promise<void> {
  const { event, body, client } = args;
  if (event.tab !== 'home') return;
  await publishHome(deps, client, { teamId: body.team_id, userId: event.user });
}

/** Log activity on the Home tab: the log modal, opened first (the trigger expires in about 3 seconds). */
export async function handleHomeLogActivity(args: ButtonArgs, deps: Deps): Promise<void> {
  const { ack, body, client } = args;
  await ack();
  await openLogModal(deps, client, { teamId: requireTeamId(body), userId: body.user.id, triggerId: body.trigger_id, metadata: {} });
}

/** Log deal on the Home tab: the deal modal, opened first (the trigger expires in about 3 seconds). */
export async function handleHomeLogDeal(args: ButtonArgs, deps: Deps): Promise<void> {
  const { ack, body, client } = args;
  await ack();
  await openDealModal(deps, client, { teamId: requireTeamId(body), userId: body.user.id, triggerId: body.trigger_id, metadata: {} });
}

/**
 * Undo on a Home entry: the same rules as the confirmation's Undo (the author only, a soft delete, once),
 * then the tab is republished with the outcome as a notice at the top (Home actions have no response_url).
 */
export async function handleHomeUndo(args: ButtonArgs, deps: Deps): Promise<void> {
  const { ack, body, action, client } = args;
  await ack();
  const teamId = requireTeamId(body);
  const userId = body.user.id;
  const kind = HOME_UNDO_ACTION_PATTERN.exec(action.action_id)?.[1];
  const id = action.value ?? '';
  const now = deps.clock.now();
  let notice: string;
  if (kind === 'deal') {
    const deal = await findDeal(deps.db, teamId, id);
    if (!deal) notice = 'That deal no longer exists.';
    else if (deal.userId !== userId) notice = 'Only the person who logged a deal can undo it.';
    else if (!changeableInSlack(deal.source)) notice = changeItAtSource('That deal', deal.source, 'an undo');
    else if (!(await softDeleteDeal(deps.db, teamId, userId, deal.id, now))) notice = 'That deal was already undone.';
    else notice = `Undone: ${dealWords(deal)}.`;
  } else {
    const activity = await findActivity(deps.db, teamId, id);
    if (!activity) notice = 'That entry no longer exists.';
    else if (activity.userId !== userId) notice = 'Only the person who logged an entry can undo it.';
    else if (!changeableInSlack(activity.source)) notice = changeItAtSource('That entry', activity.source, 'an undo');
    else if (!(await softDeleteActivity(deps.db, teamId, userId, activity.id, now))) notice = 'That entry was already undone.';
    else notice = `Undone: ${activityWords(activity, await loadActivityTypes(deps.db, teamId))}.`;
  }
  await publishHome(deps, client, { teamId, userId, notice });
}

/** The digest select on the Home tab: store the person's choice, then republish. */
export async function handleHomeDigestChoice(args: SelectArgs, deps: Deps): Promise<void> {
  const { ack, body, action, client } = args;
  await ack();
  const teamId = requireTeamId(body);
  const userId = body.user.id;
  const value = action.selected_option?.value;
  if (!DIGEST_CADENCES.includes(value as DigestCadence)) {
    deps.logger.warn({ teamId, userId, value }, 'unknown digest choice from the Home tab');
    return;
  }
  const cadence = value as DigestCadence;
  await setDigestChoice(deps.db, teamId, userId, cadence, deps.clock.now());
  const notice = cadence === 'off' ? 'Digest turned off.' : `Digest: ${DIGEST_LABELS[cadence].toLowerCase()}, by DM.`;
  await publishHome(deps, client, { teamId, userId, notice });
}
