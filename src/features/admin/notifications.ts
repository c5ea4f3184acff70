import { and, eq, ne } from 'drizzle-orm';
import { workspaces } from '../../db/schema/index.js';
import { noticeMessage, parseChannelMention, type Message } from '../../slack/blocks.js';
import { cannotPostCode } from '../../slack/web-api-errors.js';
import { cannotPostThere, type AdminContext } from './context.js';

export async function setCelebrations({ deps, args, rest }: AdminContext): Promise<Message> {
  const { command, client } = args;
  const target = rest.join(' ').trim();
  if (target.toLowerCase() === 'off') {
    await deps.db.update(workspaces).set({ celebrationsChannel: null, updatedAt: deps.clock.now() }).where(eq(workspaces.teamId, command.team_id));
    return noticeMessage(':white_check_mark: Win celebrations are off.');
  }
  const channel = parseChannelMention(target);
  if (!channel || rest.length !== 1) {
    return noticeMessage(':warning: Name one channel, picked with `#` so Slack links it, or `off`.\nTry: `/sales-admin celebrations #sales-wins`');
  }
  // Prove the bot can post there before saving, and announce the change in the channel.
  try {
    await client.chat.postMessage({
      channel: channel.id,
      text: `:tada: Won deals will be celebrated in this channel (set by <@${command.user_id}>).`,
    });
  } catch (error) {
    const code = cannotPostCode(error);
    if (code) {
      return noticeMessage(cannotPostThere(code, channel.id));
    }
    throw error;
  }
  await deps.db.update(workspaces).set({ celebrationsChannel: channel.id, updatedAt: deps.clock.now() }).where(eq(workspaces.teamId, command.team_id));
  return noticeMessage(`:white_check_mark: Won deals will be celebrated in <#${channel.id}>. Turn it off with \`/sales-admin celebrations off\`.`);
}

/**
 * `/sales-admin digests weekly|off`: the digest for people who never chose one. weekly = everyone Sales Pulse
 * knows (people who used it or were looked up) gets the weekly digest unless they opted out; off = opt-in.
 */
export async function setDigestDefault({ deps, args, rest }: AdminContext): Promise<Message> {
  const { command } = args;
  const [workspace] = await deps.db.select({ digestDefault: workspaces.digestDefault }).from(workspaces).where(eq(workspaces.teamId, command.team_id));
  const current = workspace?.digestDefault ?? 'off';
  const word = rest.join(' ').trim().toLowerCase();
  if (word !== 'weekly' && word !== 'off') {
    const now = current === 'weekly' ? 'everyone gets the weekly digest unless they opted out' : 'digests are opt-in (`/my-stats subscribe`)';
    return noticeMessage(`:information_source: Now: ${now}.
Change it with \`/sales-admin digests weekly\` (everyone, opt-out) or \`/sales-admin digests off\` (opt-in).`);
  }
  // Only a real change moves digest_default_since, when the default started (no default digest for a slot at or
  // before it): choosing the same again leaves waiting digests alone. The condition makes it one atomic change.
  if (word !== current) {
    const now = deps.clock.now();
    await deps.db
      .update(workspaces)
      .set({ digestDefault: word, digestDefaultSince: now, updatedAt: now })
      .where(and(eq(workspaces.teamId, command.team_id), ne(workspaces.digestDefault, word)));
  }
  return noticeMessage(
    word === 'weekly'
      ? ':white_check_mark: Everyone Sales Pulse knows now gets the weekly digest by DM, Fridays at 16:00 in their own time zone: their own numbers for the week so far. ' +
          'Anyone can stop it with `/my-stats unsubscribe`; people who chose daily or unsubscribed keep their choice.'
      : ':white_check_mark: Digests are opt-in again: only people who subscribed with `/my-stats subscribe` get one.',
  );
}
