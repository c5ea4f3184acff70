import type { types, webApi } from '@slack/bolt';
import type { Logger } from '../lib/logger.js';
import { CANNOT_POST_CODES, platformCode } from './web-api-errors.js';

type KnownBlock = types.KnownBlock;

export interface PrivateMessage {
  text: string;
  blocks?: KnownBlock[];
}

/**
 * Errors that mean "the bot cannot post an ephemeral in that channel", so a DM is the right fallback: it cannot
 * post there at all, the person is not in it, or posting there is restricted.
 */
const CHANNEL_UNAVAILABLE: ReadonlySet<string> = new Set([...CANNOT_POST_CODES, 'user_not_in_channel', 'restricted_action']);

/** Send a DM from the bot to a user. Returns the DM channel and message ts. */
export async function sendDirectMessage(client: webApi.WebClient, userId: string, message: PrivateMessage): Promise<{ channel: string; ts?: string }> {
  const opened = await client.conversations.open({ users: userId });
  const channel = opened.channel?.id;
  if (!channel) throw new Error('conversations.open returned no channel');
  const posted = await client.chat.postMessage({ channel, text: message.text, blocks: message.blocks });
  return { channel, ts: posted.ts };
}

/**
 * Show a message only to `userId`: as an ephemeral in `channelId` when there is one and the bot may post there,
 * otherwise (no channel, bot not in the channel, archived) as a DM.
 */
export async function sendPrivately(
  client: webApi.WebClient,
  logger: Logger,
  target: { userId: string; channelId?: string | null },
  message: PrivateMessage,
): Promise<'ephemeral' | 'dm'> {
  if (target.channelId) {
    try {
      await client.chat.postEphemeral({ channel: target.channelId, user: target.userId, text: message.text, blocks: message.blocks });
      return 'ephemeral';
    } catch (error) {
      const code = platformCode(error);
      if (!code || !CHANNEL_UNAVAILABLE.has(code)) throw error;
      logger.info({ channel: target.channelId, code }, 'cannot post ephemeral there; sending a DM instead');
    }
  }
  await sendDirectMessage(client, target.userId, message);
  return 'dm';
}
