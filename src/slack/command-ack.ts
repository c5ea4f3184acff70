import type { Logger } from '../lib/logger.js';
import { DeadlineExceeded, deadlineIn, remainingMs } from '../db/commit-before.js';
import { noticeMessage, type Message } from './blocks.js';
import { GENERIC_ERROR_TEXT } from './errors.js';
import { escapeMrkdwn, truncate } from './text.js';

/**
 * How long a command that answers in its ack may take from the moment its handler starts: well inside Slack's
 * 3 seconds, leaving room for the request's way in and the response's way back.
 */
export const ACK_DEADLINE_MS = 2500;

/**
 * The deadline for answering a request in its ack: ACK_DEADLINE_MS from when the request reached the bot (the
 * `receivedAt` app.ts puts in Bolt's context, on the monotonic clock), so time spent queued before the handler ran
 * counts too; from now when it is unknown (Socket Mode).
 */
export function ackDeadline(context: Record<string, unknown>): number {
  return typeof context.receivedAt === 'number' ? context.receivedAt + ACK_DEADLINE_MS : deadlineIn(ACK_DEADLINE_MS);
}

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

/** The ack when a quick answer was not ready in time: the answer follows through response_url. */
export const WORKING_ON_IT_TEXT = ':hourglass_flowing_sand: Working on it: your answer follows here in a moment.';

/** What answerCommand needs from Bolt's command arguments. */
export interface CommandAnswerIo {
  ack(response?: Message & { response_type: 'ephemeral' }): Promise<void>;
  respond(message: Message & { response_type: 'ephemeral' }): Promise<unknown>;
}

/**
 * Answer a command whose answer is usually quick (a board, a summary, a setting) in its ack: `work` builds the
 * ephemeral answer (undefined: nothing to say) and, when it is ready within ACK_DEADLINE_MS, it is the ack's body.
 * When it is not, the ack says so ("working on it", never "saved") and the answer follows through response_url
 * once the work is done; Slack's 3 seconds are never missed either way. A failure is answered plainly (see
 * failedCommandReply), in the ack or after it.
 */
export async function answerCommand(
  io: CommandAnswerIo,
  context: { command: string; text: string; logger: Logger; deadline?: number },
  work: () => Promise<Message | undefined>,
): Promise<void> {
  const settled = work().then(
    (message): Message | undefined => message,
    (e: unknown): Message => failedCommandReply(e, context.command, context.text, context.logger),
  );
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), context.deadline === undefined ? ACK_DEADLINE_MS : remainingMs(context.deadline));
  });
  const first = await Promise.race([settled, late]);
  clearTimeout(timer);
  if (first !== 'late') {
    await io.ack(first ? ephemeral(first) : undefined);
    return;
  }
  context.logger.info({ command: context.command }, 'answer not ready within the ack deadline; it follows through response_url');
  await io.ack(ephemeral(noticeMessage(WORKING_ON_IT_TEXT)));
  const answer = await settled;
  if (answer) await io.respond(ephemeral(answer));
}
