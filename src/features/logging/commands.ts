import type { webApi } from '@slack/bolt';
import { localDay } from '../../periods/week.js';
import type { Deps } from '../../deps.js';
import { beforeDeadline, CommitOutcomeUnknown, deadlineIn, remainingMs } from '../../db/commit-before.js';
import { noticeMessage, type Message } from '../../slack/blocks.js';
import { ACK_DEADLINE_MS, ackDeadline, ackWithinLimit, ephemeral, failedCommandReply, notSavedMessage } from '../../slack/command-ack.js';
import { mayLogForOthers, OnBehalfRefused, onBehalfRefusal, PERMISSION_UNAVAILABLE_REFUSAL, repProfileRefusal, splitLeadingMention } from '../../entries/on-behalf.js';
import { GENERIC_ERROR_TEXT } from '../../slack/errors.js';
import type { CommandArgs } from '../../slack/listener-args.js';
import { buildConfirmation, loadLoggingContext, loadSharedLoggingContext, storeActivity, tellRepAboutActivity, type LoggingContext } from './context.js';
import type { InFlight } from '../../lib/in-flight.js';
import { logActivityModal, type ModalMetadata } from './modal.view.js';
import { parseActivityCommand, usageText } from './parse.js';
import { findActivityByKey, type Activity } from './queries.js';

/** The slash commands and the type each one logs (`/log` takes the type as its first word). */
export const LOG_COMMANDS: Record<string, string | undefined> = {
  '/log-call': 'call',
  '/log-email': 'email',
  '/log-meeting': 'meeting',
  '/log-demo': 'demo',
  '/log': undefined,
};

/**
 * Open the log-activity modal. Called right after ack(): trigger_id expires in about 3 seconds. Admins and managers
 * get its "On behalf of" field (preselecting `onBehalfOf`, from `/log-call @ana` alone).
 */
export async function openLogModal(
  deps: Deps,
  client: webApi.WebClient,
  args: { teamId: string; userId: string; triggerId: string; typeKey?: string; metadata: ModalMetadata; teamName?: string; onBehalfOf?: string },
): Promise<void> {
  const lc = await loadLoggingContext(deps, client, args.teamId, args.userId, args.teamName);
  const onBehalf = (await mayLogForOthers(deps.db, args.teamId, lc.user)) ? { onBehalf: { initialUser: args.onBehalfOf } } : {};
  const view = logActivityModal({
    types: lc.types,
    prefill: { typeKey: args.typeKey, date: localDay(deps.clock.now(), lc.user.timeZone) },
    metadata: args.metadata,
    ...onBehalf,
  });
  await client.views.open({ trigger_id: args.triggerId, view });
}

/**
 * `/log-call …`, `/log-email …`, `/log <type> …`: parse, store (committed) and build the confirmation, then answer
 * in the ack itself, all within ACK_DEADLINE_MS; an entry that cannot be committed in time is rolled back and the
 * ack says it was not saved. No text: ack at once and open the modal (its trigger_id expires in about 3 seconds).
 *
 * A leading mention (`/log-call @ana …`) logs on that person's behalf, for admins and their managers only (checked
 * first; nothing is stored otherwise): their entry, in their time zone, remembering who logged it; they are told
 * by DM after the ack. Naming yourself is a normal log. A command without a mention costs nothing more.
 */
export async function handleLogCommand(args: CommandArgs, deps: Deps, contexts: InFlight<LoggingContext>): Promise<void> {
  const { command, ack, client } = args;
  const fixedType = LOG_COMMANDS[command.command];
  const text = command.text ?? '';
  const named = splitLeadingMention(text);
  const repId = named.userId !== undefined && named.userId !== command.user_id ? named.userId : undefined;
  const body = named.rest;

  if (body.trim() === '') {
    const modal = {
      teamId: command.team_id,
      userId: command.user_id,
      triggerId: command.trigger_id,
      typeKey: fixedType,
      metadata: { channelId: command.channel_id },
      teamName: command.team_domain,
      onBehalfOf: repId,
    };
    // `/log-call @ana` alone: their form, once it is clear they may be logged for.
    const check = repId ? beforeDeadline(ackDeadline(args.context), onBehalfRefusal(deps, client, command.team_id, command.user_id, repId)) : undefined;
    const refusal = await check?.catch(() => PERMISSION_UNAVAILABLE_REFUSAL); // answered in time, whatever happens
    if (refusal) return void (await ack(ephemeral(noticeMessage(refusal.mrkdwn))));
    await ack();
    await openLogModal(deps, client, modal);
    return;
  }

  const deadline = ackDeadline(args.context);
  const answerInAck = ackWithinLimit(args, deadline, deps.logger, command.command);
  // trigger_id is unique per invocation: a redelivered request stores nothing new.
  const idempotencyKey = `cmd:${command.trigger_id}`;
  let answer: Message | undefined;
  let stored: Activity | undefined;
  let lc: LoggingContext | undefined;
  let created = false;
  try {
    // On someone's behalf: may they, first; then the entry is read, parsed and stored in the rep's context.
    const refused = repId ? await beforeDeadline(deadline, onBehalfRefusal(deps, client, command.team_id, command.user_id, repId)) : undefined;
    if (refused) throw new OnBehalfRefused(refused);
    lc = await beforeDeadline(deadline, loadSharedLoggingContext(contexts, deps, client, command.team_id, repId ?? command.user_id, command.team_domain));
    const notAPerson = repId ? repProfileRefusal(lc.user) : undefined;
    if (notAPerson) throw new OnBehalfRefused(notAPerson);
    const result = parseActivityCommand(body, { fixedType, command: command.command }, lc.parse);
    switch (result.kind) {
      case 'help':
        answer = noticeMessage(usageText(command.command, lc.types, fixedType, lc.workspace.backdateDays));
        break;
      case 'empty': // `/log` with only spaces is handled above; a bare type word is an activity
        break;
      case 'error':
        answer = noticeMessage(result.error.message);
        break;
      case 'activity': {
        const a = result.value;
        // Stored and counted in one statement, committed before the deadline or not at all.
        ({ activity: stored, created, answer } = await storeActivity(
          deps,
          lc,
          {
            teamId: command.team_id,
            userId: repId ?? command.user_id,
            ...(repId ? { loggedBy: command.user_id } : {}),
            typeKey: a.type,
            quantity: a.count,
            occurredAt: a.occurredAt,
            account: a.account,
            contact: null,
            outcome: a.outcome,
            durationMinutes: a.durationMinutes,
            notes: a.notes,
            source: 'slash_command',
            idempotencyKey,
          },
          deadline,
        ));
      }
    }
  } catch (e) {
    if (e instanceof OnBehalfRefused) answer = noticeMessage(e.refusal.mrkdwn);
    else if (e instanceof CommitOutcomeUnknown && lc) ({ stored, answer } = await outcomeByKey(deps, lc, idempotencyKey, command, text));
    else answer = failedCommandReply(e, command.command, text, deps.logger);
  }
  await answerInAck(answer);
  if (stored) deps.afterChange(command.team_id, stored.userId);
  // Bounded: one DM, after the answer; failures are logged (tellRepAboutActivity never throws).
  if (stored && created && lc) await tellRepAboutActivity(deps, lc, stored);
}

/** How long a command whose entry's outcome was lost (CommitOutcomeUnknown) keeps asking the database for it. */
export const OUTCOME_LOOKUP_MS = 10 * 60_000;
const OUTCOME_RETRY_MS = 500;

/**
 * The answer for an entry whose statement was on its way when the connection was lost: once the database answers
 * again, the entry looked up by its idempotency key decides, its confirmation or "not saved". By then the ack has
 * usually gone ("working on it", see ackWithinLimit) and this answer follows through response_url. A first pause
 * lets a statement the server was still running finish first. After OUTCOME_LOOKUP_MS it gives up: the generic
 * apology, which says it may not have been saved.
 */
async function outcomeByKey(deps: Deps, lc: LoggingContext, key: string, slash: CommandArgs['command'], text: string): Promise<{ stored?: Activity; answer: Message }> {
  const command = slash.command;
  deps.logger.warn({ command }, 'the connection was lost while storing an entry: its outcome is looked up once the database answers');
  const giveUp = deadlineIn(OUTCOME_LOOKUP_MS);
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, OUTCOME_RETRY_MS));
    try {
      const activity = await beforeDeadline(deadlineIn(ACK_DEADLINE_MS), findActivityByKey(deps.db, lc.workspace.teamId, key));
      if (!activity) return { answer: notSavedMessage(command, text) };
      return { stored: activity, answer: await beforeDeadline(deadlineIn(ACK_DEADLINE_MS), buildConfirmation(deps, lc, activity, 'Logged', slash.user_id)) };
    } catch (e) {
      if (remainingMs(giveUp) > 0) continue;
      deps.logger.error({ err: e, command }, 'the outcome of an entry could not be looked up: answered that it may not have been saved');
      return { answer: noticeMessage(GENERIC_ERROR_TEXT) };
    }
  }
}
