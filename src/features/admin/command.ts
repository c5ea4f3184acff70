import { eq } from 'drizzle-orm';
import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { workspaces } from '../../db/schema/index.js';
import type { Deps } from '../../deps.js';
import { noticeMessage, parseChannelMention } from '../../slack/blocks.js';
import { ADMIN_CHECK_MAX_AGE_MS, getSlackUser, isWorkspaceAdmin } from '../../slack/user-directory.js';
import { ensureWorkspace } from '../../slack/workspace.js';

type CommandArgs = SlackCommandMiddlewareArgs & AllMiddlewareArgs;

export const ADMIN_USAGE = [
  '*Sales Pulse admin* (workspace admins and owners)',
  '• `/sales-admin celebrations #channel`: post a short celebration there for every won deal',
  '• `/sales-admin celebrations off`: stop celebrations',
  '• `/sales-admin help`: this list',
].join('\n');

const NOT_IN_CHANNEL = new Set(['not_in_channel', 'channel_not_found', 'is_archived']);

/** `/sales-admin …`: workspace settings, for workspace admins and owners only. */
export async function handleSalesAdmin(args: CommandArgs, deps: Deps): Promise<void> {
  const { command, ack, respond, client } = args;
  await ack();
  const reply = (mrkdwn: string) => respond({ response_type: 'ephemeral', ...noticeMessage(mrkdwn) });
  const [sub = 'help', ...rest] = (command.text ?? '').trim().split(/\s+/).filter(Boolean);

  const user = await getSlackUser(deps, client, command.team_id, command.user_id, { maxAgeMs: ADMIN_CHECK_MAX_AGE_MS });
  if (!isWorkspaceAdmin(user)) {
    await reply(':lock: Only workspace admins and owners can change Sales Pulse settings. Ask one of them to run this command.');
    return;
  }
  await ensureWorkspace(deps.db, command.team_id, command.team_domain);

  switch (sub.toLowerCase()) {
    case 'help':
      await reply(ADMIN_USAGE);
      return;
    case 'celebrations':
      await setCelebrations(deps, args, rest, reply);
      return;
    default:
      await reply(`:warning: I don't know \`${sub.replace(/`/g, "'")}\`.\n${ADMIN_USAGE}`);
  }
}

async function setCelebrations(deps: Deps, args: CommandArgs, rest: string[], reply: (m: string) => Promise<unknown>): Promise<void> {
  const { command, client } = args;
  const target = rest.join(' ').trim();
  if (target.toLowerCase() === 'off') {
    await deps.db.update(workspaces).set({ celebrationsChannel: null, updatedAt: deps.clock.now() }).where(eq(workspaces.teamId, command.team_id));
    await reply(':white_check_mark: Win celebrations are off.');
    return;
  }
  const channel = parseChannelMention(target);
  if (!channel || rest.length !== 1) {
    await reply(':warning: Name one channel, picked with `#` so Slack links it, or `off`.\nTry: `/sales-admin celebrations #sales-wins`');
    return;
  }
  // Prove the bot can post there before saving, and announce the change in the channel.
  try {
    await client.chat.postMessage({
      channel: channel.id,
      text: `:tada: Won deals will be celebrated in this channel (set by <@${command.user_id}>).`,
    });
  } catch (error) {
    const code = (error as { data?: { error?: string } }).data?.error;
    if (code && NOT_IN_CHANNEL.has(code)) {
      await reply(
        code === 'is_archived'
          ? `:warning: <#${channel.id}> is archived. Pick an active channel.`
          : `:wave: I'm not in <#${channel.id}> yet. Type \`/invite @Sales Pulse\` in that channel, then run this command again.`,
      );
      return;
    }
    throw error;
  }
  await deps.db.update(workspaces).set({ celebrationsChannel: channel.id, updatedAt: deps.clock.now() }).where(eq(workspaces.teamId, command.team_id));
  await reply(`:white_check_mark: Won deals will be celebrated in <#${channel.id}>. Turn it off with \`/sales-admin celebrations off\`.`);
}
