import type { webApi } from '@slack/bolt';
import { localDay } from '../../periods/week.js';
import type { Deps } from '../../deps.js';
import { beforeDeadline, commitBefore } from '../../db/commit-before.js';
import { noticeMessage, type Message } from '../../slack/blocks.js';
import { ackDeadline, ephemeral, failedCommandReply } from '../../slack/command-ack.js';
import type { CommandArgs } from '../../slack/listener-args.js';
import { buildConfirmation, loadLoggingContext } from './context.js';
import { logActivityModal, type ModalMetadata } from './modal.view.js';
import { parseActivityCommand, usageText } from './parse.js';
import { insertActivity, type Activity } from './queries.js';

/** The slash commands and the type each one logs (`/log` takes the type as its first word). */
export const LOG_COMMANDS: Record<string, string | undefined> = {
  '/log-call': 'call',
  '/log-email': 'email',
  '/log-meeting': 'meeting',
  '/log-demo': 'demo',
  '/log': undefined,
};

/** Open the log-activity modal. Called right after ack(): trigger_id expires in about 3 seconds. */
export async function openLogModal(
  deps: Deps,
  client: webApi.WebClient,
  args: { teamId: string; userId: string; triggerId: string; typeKey?: string; metadata: ModalMetadata; teamName?: string },
): Promise<void> {
  const lc = await loadLoggingContext(deps, client, args.teamId, args.userId, args.teamName);
  const view = logActivityModal({
    types: lc.types,
    prefill: { typeKey: args.typeKey, date: localDay(deps.clock.now(), lc.user.timeZone) },
    metadata: args.metadata,
  });
  await client.views.open({ trigger_id: args.triggerId, view });
}

/**
 * `/log-call …`, `/log-email …`, `/log <type> …`: parse, store (committed) and build the confirmation, then answer
 * in the ack itself, all within ACK_DEADLINE_MS; an entry that cannot be committed in time is rolled back and the
 * ack says it was not saved. No text: ack at once and open the modal (its trigger_id expires in about 3 seconds).
 */
export async function handleLogCommand(args: CommandArgs, deps: Deps): Promise<void> {
  const { command, ack, client } = args;
  const fixedType = LOG_COMMANDS[command.command];
  const text = command.text ?? '';

  if (text.trim() === '') {
    await ack();
    await openLogModal(deps, client, {
      teamId: command.team_id,
      userId: command.user_id,
      triggerId: command.trigger_id,
      typeKey: fixedType,
      metadata: { channelId: command.channel_id },
      teamName: command.team_domain,
    });
    return;
  }

  const deadline = ackDeadline(args.context);
  let answer: Message | undefined;
  let stored: Activity | undefined;
  try {
    const lc = await beforeDeadline(deadline, loadLoggingContext(deps, client, command.team_id, command.user_id, command.team_domain));
    const result = parseActivityCommand(text, { fixedType, command: command.command }, lc.parse);
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
        // The confirmation is built inside the transaction (its week count includes the new row): the entry is
        // committed only when its answer is ready too.
        ({ activity: stored, answer } = await commitBefore(deps.db, deadline, async (tx) => {
          const { activity } = await insertActivity(tx, {
            teamId: command.team_id,
            userId: command.user_id,
            typeKey: a.type,
            quantity: a.count,
            occurredAt: a.occurredAt,
            account: a.account,
            contact: null,
            outcome: a.outcome,
            durationMinutes: a.durationMinutes,
            notes: a.notes,
            source: 'slash_command',
            // trigger_id is unique per invocation: a redelivered request stores nothing new.
            idempotencyKey: `cmd:${command.trigger_id}`,
          });
          return { activity, answer: await buildConfirmation({ ...deps, db: tx }, lc, activity) };
        }));
      }
    }
  } catch (e) {
    answer = failedCommandReply(e, command.command, text, deps.logger);
  }
  await ack(answer ? ephemeral(answer) : undefined);
  if (stored) deps.afterChange(command.team_id, command.user_id);
}
