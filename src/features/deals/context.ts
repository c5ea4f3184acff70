import type { webApi } from '@slack/bolt';
import type { Deps } from '../../deps.js';
import { monthContaining } from '../../periods/month.js';
import type { Message } from '../../slack/blocks.js';
import { getSlackUser, type SlackUser } from '../../slack/user-directory.js';
import { ensureWorkspace, type WorkspaceSettings } from '../../slack/workspace.js';
import { dealConfirmation, type MonthTotals } from './confirmation.blocks.js';
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

export async function buildDealConfirmation(deps: Deps, dc: DealContext, deal: Deal, verb: 'Logged' | 'Updated' = 'Logged'): Promise<Message> {
  return dealConfirmation({ deal, totals: await monthTotals(deps, dc, deal.userId), now: deps.clock.now(), timeZone: dc.user.timeZone, verb });
}
