import type { Logger } from '../lib/logger.js';
import { DeadlineExceeded } from '../db/commit-before.js';
import { noticeMessage, type Message } from './blocks.js';
import { GENERIC_ERROR_TEXT } from './errors.js';
import { escapeMrkdwn, truncate } from './text.js';

/**
 * How long a command that answers in its ack may take from the moment its handler starts: well inside Slack's
 * 3 seconds, leaving room for the request's way in and the response's way back.
 */
export const ACK_DEADLINE_MS = 2500;

/** An ephemeral reply as an ack body: Slack shows it to the person who ran the command, nobody else. */
export function ephemeral(message: Message): Message & { response_type: 'ephemeral' } {
  return { response_type: 'ephemeral', ...message };
}

/** The answer when the entry could not be committed in time: nothing was stored, and how to retry. */
export function notSavedMessage(command: string, text: string): Message {
  const again = truncate(`${command} ${text.trim()}`, 2500);
  return noticeMessage(
    `:warning: *Not saved.* Sales Pulse is busy right now and could not store that in time, so nothing was stored. Please send the same command again in a moment:\n\`\`\`${escapeMrkdwn(again)}\`\`\``,
    'Not saved: Sales Pulse is busy right now and nothing was stored. Please send the same command again in a moment.',
  );
}

/**
 * The ack body for a failure while answering a command in its ack: "not saved" for a missed deadline, the
 * generic apology (logged in full) for anything else. The app-level handler never sees it, so it is not
 * answered twice.
 */
export function failedCommandReply(e: unknown, command: string, text: string, logger: Logger): Message {
  if (e instanceof DeadlineExceeded) {
    logger.warn({ command }, 'command not saved: the deadline passed before it was committed');
    return notSavedMessage(command, text);
  }
  logger.error({ err: e, command }, 'unhandled error in a slash command');
  return noticeMessage(GENERIC_ERROR_TEXT);
}
