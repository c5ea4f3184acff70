import type { webApi } from '@slack/bolt';
import type { Deps } from '../../deps.js';
import { localDay } from '../../periods/week.js';
import { beforeDeadline, commitBefore } from '../../db/commit-before.js';
import { noticeMessage, type Message } from '../../slack/blocks.js';
import { ackDeadline, ephemeral, failedCommandReply } from '../../slack/command-ack.js';
import type { CommandArgs } from '../../slack/listener-args.js';
import type { CelebrationQueue } from './celebrations.js';
import { buildDealConfirmation, loadDealContext } from './context.js';
import { logDealModal, type DealModalMetadata } from './modal.view.js';
import { dealUsageText, parseDealCommand } from './parse.js';
import { insertDeal, type Deal } from './queries.js';

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

/**
 * `/log-deal …`: parse, store (committed) and build the confirmation, then answer in the ack itself within
 * ACK_DEADLINE_MS (a deal that cannot be committed in time is rolled back and the ack says so); celebrate a win
 * after. No text: ack at once and open the modal.
 */
export async function handleLogDealCommand(args: CommandArgs, deps: Deps, celebrations: CelebrationQueue): Promise<void> {
  const { command, ack, client } = args;
  const text = command.text ?? '';
  if (text.trim() === '') {
    await ack();
    await openDealModal(deps, client, {
      teamId: command.team_id,
      userId: command.user_id,
      triggerId: command.trigger_id,
      metadata: { channelId: command.channel_id },
      teamName: command.team_domain,
    });
    return;
  }
  const deadline = ackDeadline(args.context);
  let answer: Message | undefined;
  let stored: { deal: Deal; created: boolean } | undefined;
  try {
    const dc = await beforeDeadline(deadline, loadDealContext(deps, client, command.team_id, command.user_id, command.team_domain));
    const result = parseDealCommand(text, dc.parse, command.command);
    switch (result.kind) {
      case 'help':
        answer = noticeMessage(dealUsageText(command.command, dc.workspace.currency, dc.workspace.backdateDays));
        break;
      case 'empty':
        break;
      case 'error':
        answer = noticeMessage(result.error.message);
        break;
      case 'deal': {
        const d = result.value;
        // The confirmation (with the month's totals, this deal included) is built before the commit: the deal is
        // kept only when its answer is ready too.
        ({ answer, ...stored } = await commitBefore(deps.db, deadline, async (tx) => {
          const { deal, created } = await insertDeal(
            tx,
            command.team_id,
            { userId: command.user_id, status: d.status, amount: d.amount, closedAt: d.closedAt, account: d.account, notes: d.notes },
            `cmd:${command.trigger_id}`,
          );
          return { deal, created, answer: await buildDealConfirmation({ ...deps, db: tx }, dc, deal) };
        }));
      }
    }
  } catch (e) {
    answer = failedCommandReply(e, command.command, text, deps.logger);
  }
  // Queued before answering: a failed ack must not cost a committed deal its celebration.
  if (stored?.created) void celebrations.celebrate(stored.deal);
  await ack(answer ? ephemeral(answer) : undefined);
  if (stored) deps.afterChange(command.team_id, command.user_id);
}
