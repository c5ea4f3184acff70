import type { webApi } from '@slack/bolt';
import type { Deps } from '../../deps.js';
import { localDay } from '../../periods/week.js';
import { beforeDeadline, commitBefore } from '../../db/commit-before.js';
import { noticeMessage, type Message } from '../../slack/blocks.js';
import { ackDeadline, ephemeral, failedCommandReply } from '../../slack/command-ack.js';
import type { CommandArgs } from '../../slack/listener-args.js';
import type { CelebrationQueue } from './celebrations.js';
import { dealConfirmation } from './confirmation.blocks.js';
import { effortLineBefore, loadDealContext, monthTotals, tellRepAboutDeal, type DealContext } from './context.js';
import { mayLogForOthers, OnBehalfRefused, onBehalfRefusal, PERMISSION_UNAVAILABLE_REFUSAL, repProfileRefusal, splitLeadingMention } from '../../entries/on-behalf.js';
import { logDealModal, type DealModalMetadata } from './modal.view.js';
import { dealUsageText, parseDealCommand } from './parse.js';
import { insertDeal, type Deal } from './queries.js';

/** Open the log-deal modal; admins and managers get its "On behalf of" field (preselecting `onBehalfOf`). */
export async function openDealModal(
  deps: Deps,
  client: webApi.WebClient,
  args: { teamId: string; userId: string; triggerId: string; metadata: DealModalMetadata; teamName?: string; onBehalfOf?: string },
): Promise<void> {
  const dc = await loadDealContext(deps, client, args.teamId, args.userId, args.teamName);
  const onBehalf = (await mayLogForOthers(deps.db, args.teamId, dc.user)) ? { onBehalf: { initialUser: args.onBehalfOf } } : {};
  const view = logDealModal({
    prefill: { currency: dc.workspace.currency, date: localDay(deps.clock.now(), dc.user.timeZone) },
    metadata: args.metadata,
    ...onBehalf,
  });
  await client.views.open({ trigger_id: args.triggerId, view });
}

/**
 * `/log-deal …`: parse, store (committed) and build the confirmation, then answer in the ack itself within
 * ACK_DEADLINE_MS (a deal that cannot be committed in time is rolled back and the ack says so); celebrate a win
 * after. No text: ack at once and open the modal.
 *
 * A leading mention (`/log-deal @ana won $12,500 Globex`) logs on that person's behalf, for admins and their
 * managers only (checked first; nothing is stored otherwise): their deal, in their time zone, remembering who
 * logged it; they are told by DM after the ack. Naming yourself is a normal log.
 */
export async function handleLogDealCommand(args: CommandArgs, deps: Deps, celebrations: CelebrationQueue): Promise<void> {
  const { command, ack, client } = args;
  const text = command.text ?? '';
  const named = splitLeadingMention(text);
  const repId = named.userId !== undefined && named.userId !== command.user_id ? named.userId : undefined;
  const body = named.rest;
  if (body.trim() === '') {
    // `/log-deal @ana` alone: their form, once it is clear they may be logged for.
    const check = repId ? beforeDeadline(ackDeadline(args.context), onBehalfRefusal(deps, client, command.team_id, command.user_id, repId)) : undefined;
    const refusal = await check?.catch(() => PERMISSION_UNAVAILABLE_REFUSAL); // answered in time, whatever happens
    if (refusal) return void (await ack(ephemeral(noticeMessage(refusal.mrkdwn))));
    await ack();
    await openDealModal(deps, client, {
      teamId: command.team_id,
      userId: command.user_id,
      triggerId: command.trigger_id,
      metadata: { channelId: command.channel_id },
      teamName: command.team_domain,
      onBehalfOf: repId,
    });
    return;
  }
  const deadline = ackDeadline(args.context);
  let answer: Message | undefined;
  let stored: { deal: Deal; created: boolean } | undefined;
  let dc: DealContext | undefined;
  try {
    // On someone's behalf: may they, first; then the deal is read, parsed and stored in the rep's context.
    const refusal = repId ? await beforeDeadline(deadline, onBehalfRefusal(deps, client, command.team_id, command.user_id, repId)) : undefined;
    if (refusal) throw new OnBehalfRefused(refusal);
    const context = await beforeDeadline(deadline, loadDealContext(deps, client, command.team_id, repId ?? command.user_id, command.team_domain));
    dc = context;
    const notAPerson = repId ? repProfileRefusal(context.user) : undefined;
    if (notAPerson) throw new OnBehalfRefused(notAPerson);
    const result = parseDealCommand(body, context.parse, command.command);
    switch (result.kind) {
      case 'help':
        answer = noticeMessage(dealUsageText(command.command, context.workspace.currency, context.workspace.backdateDays));
        break;
      case 'empty':
        break;
      case 'error':
        answer = noticeMessage(result.error.message);
        break;
      case 'deal': {
        const d = result.value;
        // The month's totals (this deal included) are read before the commit: the deal is kept only when its answer
        // is ready too.
        const { totals, ...committed } = await commitBefore(deps.db, deadline, async (tx) => {
          const owner = repId ? { userId: repId, loggedBy: command.user_id } : { userId: command.user_id };
          const { deal, created } = await insertDeal(
            tx,
            command.team_id,
            { ...owner, status: d.status, kind: d.kind, amount: d.amount, closedAt: d.closedAt, account: d.account, notes: d.notes },
            `cmd:${command.trigger_id}`,
          );
          return { deal, created, totals: await monthTotals({ ...deps, db: tx }, context, deal.userId) };
        });
        stored = committed;
        // The effort behind a win, read once the deal is committed and bounded by the ack's deadline: not ready in
        // time, the confirmation goes without it (never "not saved" because of it).
        const effort = await effortLineBefore(deps, committed.deal, deadline);
        answer = dealConfirmation({ deal: committed.deal, totals, now: deps.clock.now(), timeZone: context.user.timeZone, verb: 'Logged', viewerId: command.user_id, effort });
      }
    }
  } catch (e) {
    answer = e instanceof OnBehalfRefused ? noticeMessage(e.refusal.mrkdwn) : failedCommandReply(e, command.command, text, deps.logger);
  }
  // Queued before answering: a failed ack must not cost a committed deal its celebration.
  if (stored?.created) void celebrations.celebrate(stored.deal);
  await ack(answer ? ephemeral(answer) : undefined);
  if (stored) deps.afterChange(command.team_id, stored.deal.userId);
  // Bounded: one DM, after the answer; failures are logged (tellRepAboutDeal never throws).
  if (stored?.created && dc) await tellRepAboutDeal(deps, dc, stored.deal);
}
