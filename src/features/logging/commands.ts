import type { webApi } from '@slack/bolt';
import { localDay } from '../../periods/week.js';
import type { Deps } from '../../deps.js';
import { noticeMessage } from '../../slack/blocks.js';
import type { CommandArgs } from '../../slack/listener-args.js';
import { buildConfirmation, loadLoggingContext } from './context.js';
import { logActivityModal, type ModalMetadata } from './modal.view.js';
import { parseActivityCommand, usageText } from './parse.js';
import { insertActivity } from './queries.js';

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

/** `/log-call …`, `/log-email …`, `/log <type> …`: parse, store, confirm privately. No text: open the modal. */
export async function handleLogCommand(args: CommandArgs, deps: Deps): Promise<void> {
  const { command, ack, respond, client } = args;
  const fixedType = LOG_COMMANDS[command.command];
  const text = command.text ?? '';
  await ack();

  if (text.trim() === '') {
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

  const lc = await loadLoggingContext(deps, client, command.team_id, command.user_id, command.team_domain);
  const result = parseActivityCommand(text, { fixedType, command: command.command }, lc.parse);
  switch (result.kind) {
    case 'help':
      await respond({ response_type: 'ephemeral', ...noticeMessage(usageText(command.command, lc.types, fixedType, lc.workspace.backdateDays)) });
      return;
    case 'empty': // `/log` with only spaces is handled above; a bare type word is an activity
      return;
    case 'error':
      await respond({ response_type: 'ephemeral', ...noticeMessage(result.error.message) });
      return;
    case 'activity': {
      const a = result.value;
      const { activity } = await insertActivity(deps.db, {
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
      deps.afterChange(command.team_id, command.user_id);
      await respond({ response_type: 'ephemeral', ...(await buildConfirmation(deps, lc, activity)) });
    }
  }
}
