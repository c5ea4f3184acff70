import type { webApi } from '@slack/bolt';
import type { Deps } from '../../deps.js';
import { monthContaining } from '../../periods/month.js';
import type { Message } from '../../slack/blocks.js';
import { getSlackUser, type SlackUser } from '../../slack/user-directory.js';
import { ensureWorkspace, type WorkspaceSettings } from '../../slack/workspace.js';
import { dealConfirmation, dealLoggedForYouMessage, type MonthTotals } from './confirmation.blocks.js';
import { tellRep } from '../../entries/on-behalf.js';
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
export async function buildDealConfirmation(deps: Deps, dc: DealContext, deal: Deal, verb: 'Logged' | 'Updated' = 'Logged', viewerId?: string): Promise<Message> {
  return dealConfirmation({ deal, totals: await monthTotals(deps, dc, deal.userId), now: deps.clock.now(), timeZone: dc.user.timeZone, verb, viewerId });
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
