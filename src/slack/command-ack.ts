import type { Logger } from '../lib/logger.js';
import { CommitOutcomeUnknown, DeadlineExceeded, deadlineIn, remainingMs } from '../db/commit-before.js';
import { isDatabaseUnavailable, isQueryCancelled } from '../db/errors.js';
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
    `:warning: *Not saved.* Sales Pulse could not store that just now (its database was too slow to answer, or out of reach), so nothing was stored. Please send the same command again in a moment:\n\`\`\`${escapeMrkdwn(again)}\`\`\``,
    'Not saved: Sales Pulse could not store that just now, so nothing was stored. Please send the same command again in a moment.',
  );
}

/**
 * The ack body for a failure while answering a command in its ack: "not saved" for a missed deadline, a database
 * that could not be reached before anything was sent to be committed, or a cancelled read, the generic apology (logged in full) for
 * anything else, a commit whose outcome is unknown included (CommitOutcomeUnknown: it may be stored). The app-level
 * handler never sees it, so it is not answered twice.
 */
export function failedCommandReply(e: unknown, command: string, text: string, logger: Logger): Message {
  if (e instanceof DeadlineExceeded) {
    logger.warn({ command }, 'command not saved: the deadline passed before it was committed');
    return notSavedMessage(command, text);
  }
  if (isDatabaseUnavailable(e) && !(e instanceof CommitOutcomeUnknown)) {
    logger.warn({ err: e, command }, 'command not saved: the database is unavailable');
    return notSavedMessage(command, text);
  }
  // A read cancelled by a cancel request meant for the statement before it on its connection (see statementBefore):
  // the store paths turn their own cancellations into DeadlineExceeded, so this was a read, and nothing was stored.
  if (isQueryCancelled(e) && !(e instanceof CommitOutcomeUnknown)) {
    logger.warn({ err: e, command }, 'command not saved: a statement was cancelled');
    return notSavedMessage(command, text);
  }
  logger.error({ err: e, command }, 'unhandled error in a slash command');
  return noticeMessage(GENERIC_ERROR_TEXT);
}

/** Under a form's first field when its entry could not be stored in time: the form stays open, nothing was saved. */
export const NOT_SAVED_FIELD_TEXT = 'Not saved: Sales Pulse could not store this just now, so nothing was saved. Please press Save again in a moment.';
/**
 * Under a form's first field when the connection was lost while its entry was being committed (CommitOutcomeUnknown):
 * it may be stored. Saving the same form again stores it at most once (its key is the view id), so that is the way on.
 */
export const MAYBE_SAVED_FIELD_TEXT =
  'Sales Pulse lost its connection to the database while saving this, so it may or may not be saved. Please press Save again in a moment: it is stored once either way.';

/** A view_submission ack that keeps the modal open with errors under fields (block id -> text). */
export interface FieldErrorsAck {
  response_action: 'errors';
  errors: Record<string, string>;
}

/**
 * The ack for a form submission whose entry could not be stored and committed before the ack deadline (the
 * database slow, locked or down), or failed otherwise: the modal stays open with NOT_SAVED_FIELD_TEXT under
 * `blockId`, so the person sees nothing was saved and can press Save again, instead of Slack's generic error
 * after 3 seconds; when the outcome is unknown (the connection lost during the commit), MAYBE_SAVED_FIELD_TEXT. Logged.
 */
export function notSavedSubmission(e: unknown, blockId: string, form: string, logger: Logger): FieldErrorsAck {
  if (e instanceof CommitOutcomeUnknown) {
    logger.warn({ err: e.connectionError, form }, 'form outcome unknown: the connection was lost while it was committed');
    return { response_action: 'errors', errors: { [blockId]: MAYBE_SAVED_FIELD_TEXT } };
  }
  if (e instanceof DeadlineExceeded) logger.warn({ form }, 'form not saved: the deadline passed before it was committed');
  else logger.error({ err: e, form }, 'form not saved: storing it failed');
  return { response_action: 'errors', errors: { [blockId]: NOT_SAVED_FIELD_TEXT } };
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
 * ephemeral answer (undefined: nothing to say), answered through ackWithinLimit, so Slack's 3 seconds are never
 * missed: in the ack when ready in time, else "working on it" (never "saved") and the answer through response_url. A
 * failure is answered plainly (see failedCommandReply).
 */
export async function answerCommand(
  io: CommandAnswerIo,
  context: { command: string; text: string; logger: Logger; deadline?: number },
  work: () => Promise<Message | undefined>,
): Promise<void> {
  const reply = ackWithinLimit(io, context.deadline ?? deadlineIn(ACK_DEADLINE_MS), context.logger, context.command);
  const answer = await work().then(
    (message): Message | undefined => message,
    (e: unknown): Message => failedCommandReply(e, context.command, context.text, context.logger),
  );
  await reply(answer);
}

/**
 * How long after a request reached the bot its ack may wait at most: past ACK_DEADLINE_MS only for an answer not
 * ready by then (an entry whose outcome the database has yet to tell, a slow users.info), and still inside Slack's
 * 3 seconds (Bolt's HTTP receiver gives up on an unacked request at 3001 ms).
 */
export const ACK_LIMIT_MS = 2800;

/**
 * The ack of a command that answers in it, never later than ACK_LIMIT_MS after the request arrived (`deadline` is
 * its ackDeadline): when the answer is not ready by then, the ack says WORKING_ON_IT_TEXT (neither "logged" nor
 * "not saved"), and the answer, once ready, goes through response_url instead. Call the function it returns
 * exactly once, with the answer (undefined: nothing to say).
 */
export function ackWithinLimit(io: CommandAnswerIo, deadline: number, logger: Logger, command: string): (message?: Message) => Promise<void> {
  const limit = deadline + (ACK_LIMIT_MS - ACK_DEADLINE_MS);
  let placeholder: Promise<void> | undefined;
  const timer = setTimeout(() => {
    logger.info({ command }, 'the answer was not ready by the ack limit: acked as working on it, it follows through response_url');
    placeholder = io.ack(ephemeral(noticeMessage(WORKING_ON_IT_TEXT)));
    placeholder.catch(() => {}); // awaited, and its failure reported, when the answer comes
  }, remainingMs(limit));
  return async (message) => {
    clearTimeout(timer);
    if (!placeholder) return io.ack(message ? ephemeral(message) : undefined);
    await placeholder;
    if (message) await io.respond(ephemeral(message));
  };
}
