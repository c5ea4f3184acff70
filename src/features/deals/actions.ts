import type { Deps } from '../../deps.js';
import { localDay } from '../../periods/week.js';
import { noticeMessage } from '../../slack/blocks.js';
import type { ButtonArgs } from '../../slack/listener-args.js';
import { requireTeamId } from '../../slack/team-id.js';
import { dealUndoneMessage } from './confirmation.blocks.js';
import { loadDealContext, monthTotals } from './context.js';
import { logDealModal } from './modal.view.js';
import { findDeal, softDeleteDeal } from './queries.js';

const NOT_YOURS = ':no_entry: Only the person who logged a deal can undo or edit it.';

export async function handleDealUndo(args: ButtonArgs, deps: Deps): Promise<void> {
  const { ack, body, action, respond, client } = args;
  await ack();
  const teamId = requireTeamId(body);
  const userId = body.user.id;
  const deal = await findDeal(deps.db, teamId, action.value ?? '');
  const reply = (text: string) => respond({ response_type: 'ephemeral', replace_original: false, ...noticeMessage(text) });
  if (!deal) return void (await reply(':grey_question: That deal no longer exists.'));
  if (deal.userId !== userId) return void (await reply(NOT_YOURS));
  const now = deps.clock.now();
  if (!(await softDeleteDeal(deps.db, teamId, userId, deal.id, now))) return void (await reply(':information_source: That deal was already undone.'));
  deps.afterChange(teamId, userId);
  const dc = await loadDealContext(deps, client, teamId, userId);
  await respond({
    response_type: 'ephemeral',
    replace_original: true,
    ...dealUndoneMessage({ deal, totals: await monthTotals(deps, dc, userId), now, timeZone: dc.user.timeZone }),
  });
}

export async function handleDealEdit(args: ButtonArgs, deps: Deps): Promise<void> {
  const { ack, body, action, respond, client } = args;
  await ack();
  const teamId = requireTeamId(body);
  const userId = body.user.id;
  const deal = await findDeal(deps.db, teamId, action.value ?? '');
  const reply = (text: string) => respond({ response_type: 'ephemeral', replace_original: false, ...noticeMessage(text) });
  if (!deal || deal.deletedAt) return void (await reply(':grey_question: That deal was undone, so there is nothing to edit.'));
  if (deal.userId !== userId) return void (await reply(NOT_YOURS));
  const dc = await loadDealContext(deps, client, teamId, userId);
  const view = logDealModal({
    prefill: {
      status: deal.status,
      amountMinor: deal.amountMinor,
      currency: deal.currency ?? dc.workspace.currency,
      account: deal.account,
      date: localDay(deal.closedAt, dc.user.timeZone),
      notes: deal.notes,
    },
    metadata: { dealId: deal.id, channelId: body.channel?.id },
  });
  await client.views.open({ trigger_id: body.trigger_id, view });
}
