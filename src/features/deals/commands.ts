import type { webApi } from '@slack/bolt';
import type { Deps } from '../../deps.js';
import { localDay } from '../../periods/week.js';
import { noticeMessage } from '../../slack/blocks.js';
import type { CommandArgs } from '../../slack/listener-args.js';
import type { CelebrationQueue } from './celebrations.js';
import { buildDealConfirmation, loadDealContext } from './context.js';
import { logDealModal, type DealModalMetadata } from './modal.view.js';
import { dealUsageText, parseDealCommand } from './parse.js';
import { insertDeal } from './queries.js';

export async function openDealModal(
  deps: Deps,
  client: webApi.WebClient,
  args: { teamId: string; userId: string; triggerId: string; metadata: DealModalMetadata; teamName?: string },
): Promise<void> {
  const dc = await loadDealContext(deps, client, args.teamId, args.userId, args.teamName);
  const view = logDealModal({
    prefill: { currency: dc.workspace.currency, date: localDay(deps.clock.now(), dc.user.timeZone) },
    metadata: args.metadata,
  });
  await client.views.open({ trigger_id: args.triggerId, view });
}

/** `/log-deal …`: parse, store, confirm privately, celebrate a win. No text: the modal. */
export async function handleLogDealCommand(args: CommandArgs, deps: Deps, celebrations: CelebrationQueue): Promise<void> {
  const { command, ack, respond, client } = args;
  await ack();
  const text = command.text ?? '';
  if (text.trim() === '') {
    await openDealModal(deps, client, {
      teamId: command.team_id,
      userId: command.user_id,
      triggerId: command.trigger_id,
      metadata: { channelId: command.channel_id },
      teamName: command.team_domain,
    });
    return;
  }
  const dc = await loadDealContext(deps, client, command.team_id, command.user_id, command.team_domain);
  const result = parseDealCommand(text, dc.parse, command.command);
  switch (result.kind) {
    case 'help':
      await respond({ response_type: 'ephemeral', ...noticeMessage(dealUsageText(command.command, dc.workspace.currency, dc.workspace.backdateDays)) });
      return;
    case 'empty':
      return;
    case 'error':
      await respond({ response_type: 'ephemeral', ...noticeMessage(result.error.message) });
      return;
    case 'deal': {
      const d = result.value;
      const { deal, created } = await insertDeal(
        deps.db,
        command.team_id,
        { userId: command.user_id, status: d.status, amount: d.amount, closedAt: d.closedAt, account: d.account, notes: d.notes },
        `cmd:${command.trigger_id}`,
      );
      // Queued before confirming: a failed reply must not cost the deal its celebration.
      if (created) void celebrations.celebrate(deal);
      deps.afterChange(command.team_id, command.user_id);
      await respond({ response_type: 'ephemeral', ...(await buildDealConfirmation(deps, dc, deal)) });
    }
  }
}
