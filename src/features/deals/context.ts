import type { webApi } from '@slack/bolt';
import type { Deps } from '../../deps.js';
import { monthContaining } from '../../periods/month.js';
import type { Message } from '../../slack/blocks.js';
import { getSlackUser, type SlackUser } from '../../slack/user-directory.js';
import { ensureWorkspace, type WorkspaceSettings } from '../../slack/workspace.js';
import { dealConfirmation, dealLoggedForYouMessage, type MonthTotals } from './confirmation.blocks.js';
import { tellRep } from '../../entries/on-behalf.js';
import { beforeDeadline, deadlineIn } from '../../db/commit-before.js';
import { effortWords } from '../../entries/describe.js';
import { loadDealEfforts } from '../../metrics/index.js';
import { loadActivityTypes } from '../logging/index.js';
import type { DealParseContext } from './parse.js';
import { userRevenue, type Deal } from './queries.js';

export interface DealContext {
  workspace: WorkspaceSettings;
  user: SlackUser;
  parse: DealParseContext;
}

export async function loadDealContext(deps: Deps, client: webApi.WebClient, teamId: string, userId: string, teamName?: string): Promise<DealContext> {
  const workspace = await ensureWorkspace(deps.db, teamId, teamName);
  const user = await getSlackUser(deps, client, teamId, userId);
  return {
    workspace,
    user,
    parse: { now: deps.clock.now(), timeZone: user.timeZone, backdateDays: workspace.backdateDays, defaultCurrency: workspace.currency },
  };
}

/** The user's won revenue (per currency, the workspace's first) and deal counts this month, in their time zone. */
export async function monthTotals(deps: Deps, dc: DealContext, userId: string): Promise<MonthTotals> {
  const range = monthContaining(deps.clock.now(), dc.user.timeZone);
  const r = await userRevenue(deps.db, dc.workspace.teamId, userId, range);
  const home = dc.workspace.currency;
  const revenue = r.byCurrency
    .map((c) => ({ minor: c.minor, currency: c.currency }))
    .sort((a, b) => (a.currency === home ? -1 : b.currency === home ? 1 : a.currency.localeCompare(b.currency)));
  return { revenue, won: r.won, lost: r.lost };
}

/**
 * The confirmation of a stored (or edited) deal with its owner's month (`dc` is the owner's context); `viewerId`:
 * who reads it, when that may be someone who logged it on the owner's behalf.
 */
export async function buildDealConfirmation(
  deps: Deps,
  dc: DealContext,
  deal: Deal,
  verb: 'Logged' | 'Updated' = 'Logged',
  viewerId?: string,
  effort?: string,
): Promise<Message> {
  return dealConfirmation({ deal, totals: await monthTotals(deps, dc, deal.userId), now: deps.clock.now(), timeZone: dc.user.timeZone, verb, viewerId, effort });
}

/**
 * The effort line is a courtesy: a confirmation waits for it at most this long (and never past its own deadline),
 * then goes out without it.
 */
export const EFFORT_WAIT_MS = 1000;

/**
 * The effort words of won deals ("won after 14 activities over 21 days (6 calls, …)") by deal id, read after they
 * are stored (src/metrics/effort.ts; the activity types name the counts). Deals without an effort are absent.
 */
export async function loadEffortLines(deps: Pick<Deps, 'db'>, teamId: string, dealIds: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (dealIds.length === 0) return out;
  const [efforts, types] = await Promise.all([loadDealEfforts(deps.db, teamId, dealIds), loadActivityTypes(deps.db, teamId)]);
  for (const [id, effort] of efforts) out.set(id, effortWords(effort, types));
  return out;
}

/**
 * The effort line of a stored won deal, bounded: undefined when it has none, when it is not ready by `deadline` or
 * EFFORT_WAIT_MS from now (whichever comes first), or when reading it fails (logged). Never throws, so a slow or
 * failing read costs the confirmation its effort line, never the entry ("not saved"): the deal is already committed.
 */
export async function effortLineBefore(deps: Pick<Deps, 'db' | 'logger'>, deal: Deal, deadline = Number.POSITIVE_INFINITY): Promise<string | undefined> {
  if (deal.status !== 'won' || deal.deletedAt || !deal.accountKey) return undefined;
  try {
    const lines = await beforeDeadline(Math.min(deadline, deadlineIn(EFFORT_WAIT_MS)), loadEffortLines(deps, deal.teamId, [deal.id]));
    return lines.get(deal.id);
  } catch (err) {
    deps.logger.warn({ err, dealId: deal.id }, 'the effort behind a won deal was not ready in time; confirmed without it');
    return undefined;
  }
}

/**
 * Tell the owner of a deal someone logged on their behalf (`dc` is the owner's context), by DM through the posting
 * client. Never throws: the deal is stored and confirmed to who logged it; a failure is logged.
 */
export async function tellRepAboutDeal(deps: Deps, dc: DealContext, deal: Deal): Promise<void> {
  if (!deal.loggedBy || deal.loggedBy === deal.userId) return;
  let message: Message;
  try {
    const totals = await monthTotals(deps, dc, deal.userId);
    message = dealLoggedForYouMessage({ deal, totals, now: deps.clock.now(), timeZone: dc.user.timeZone, loggedBy: deal.loggedBy });
  } catch (err) {
    deps.logger.warn({ err, userId: deal.userId }, 'could not build the DM telling a rep about a deal logged for them');
    return;
  }
  await tellRep(deps, deal.teamId, deal.userId, message);
}
