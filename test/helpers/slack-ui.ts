/**
 * What a user does in Slack's UI, as the end-to-end tests drive it through the harness: send a command and
 * read its reply, click a button on a confirmation, open a modal and submit it.
 */
import { expect } from 'vitest';
import type { RecordedCall } from './fake-slack.js';
import { newResponseUrl, replyTo, viewState, type Harness } from './harness.js';
import { blockAction, DEFAULT_CHANNEL_ID, DEFAULT_USER_ID, globalShortcut, viewSubmission, type SlashCommandInput } from './signed-request.js';

export type Block = Record<string, any>;
/** block_id -> what the user typed or picked (see `viewState`). */
export type Changes = Record<string, string | null>;

/** A modal as the app opened it, and the id/hash the fake Slack gave it. */
export interface OpenModal {
  view: Record<string, any>;
  id: string;
  hash: string;
}

// ---------------------------------------------------------------------------------------------
// views and blocks

export const viewBlock = (view: Record<string, any>, blockId: string): Block => view.blocks.find((b: Block) => b.block_id === blockId);
/** The values of the buttons in the first actions block. */
export const buttonValues = (blocks: Block[]): string[] => blocks.find((b) => b.type === 'actions')!.elements.map((e: Block) => e.value);

/** The one row with this id (asserts there is exactly one). */
export function rowWithId<T extends { id: string }>(rows: T[], id: string): T {
  const matching = rows.filter((r) => r.id === id);
  expect(matching).toHaveLength(1);
  return matching[0]!;
}

// ---------------------------------------------------------------------------------------------
// slash commands

async function sendCommand(h: Harness, input: SlashCommandInput) {
  const res = await h.slack.command(input);
  expect(res.status).toBe(200);
  return res;
}

/**
 * Send a slash command (acked with HTTP 200) and return the reply it got: the ack body when it answered in the
 * ack (the logging commands, /log-deal), otherwise what it sent to its response_url.
 */
export async function commandReply(h: Harness, input: SlashCommandInput): Promise<RecordedCall['args']> {
  const res = await sendCommand(h, input);
  return (await replyTo(h, res)).args;
}

/** Send a command that answers in its ack; the ack body (an ephemeral message), asserted to be one. */
export async function ackReply(h: Harness, input: SlashCommandInput): Promise<RecordedCall['args']> {
  const res = await sendCommand(h, input);
  const body = res.json() as RecordedCall['args'] | null;
  expect(body, 'the command answers in its ack').not.toBeNull();
  expect(body!.response_type).toBe('ephemeral');
  return body!;
}

/**
 * Log through a slash command, answered in its ack; the id the confirmation's buttons carry (asserted to be its Undo and Edit
 * buttons, in that order, with the same value), and the confirmation.
 */
export async function logViaCommand(
  h: Harness,
  command: string,
  text: string,
  actions: { undo: string; edit: string },
): Promise<{ id: string; reply: RecordedCall['args'] }> {
  const reply = await ackReply(h, { command, text });
  const buttons = reply.blocks.find((b: Block) => b.type === 'actions').elements as Block[];
  expect(buttons.map((b) => b.action_id)).toEqual([actions.undo, actions.edit]);
  expect(buttons[0]!.value).toBe(buttons[1]!.value);
  return { id: buttons[0]!.value, reply };
}

/** A confirmation's parts: the first section's text, the context line, and its buttons. */
export const sectionText = (reply: RecordedCall['args']) => reply.blocks[0].text.text as string;
export const contextText = (reply: RecordedCall['args']) => reply.blocks[1].elements[0].text as string;
export const replyButtons = (reply: RecordedCall['args']) =>
  (reply.blocks.find((b: Block) => b.type === 'actions')?.elements ?? []).map((e: Block) => ({ action_id: e.action_id, text: e.text.text, value: e.value }));

// ---------------------------------------------------------------------------------------------
// buttons

/**
 * Click a button on an (ephemeral) confirmation in the default channel; resolves once acked (HTTP 200)
 * with the click's trigger id and a way to get the reply sent to its response_url.
 */
export async function clickButton(h: Harness, input: { actionId: string; value: string; blockId: string; userId?: string }) {
  const url = newResponseUrl(h);
  const payload = blockAction({
    actionId: input.actionId,
    value: input.value,
    userId: input.userId ?? DEFAULT_USER_ID,
    blockId: input.blockId,
    channelId: DEFAULT_CHANNEL_ID,
    responseUrl: url.url,
  });
  const res = await h.slack.interaction(payload);
  expect(res.status).toBe(200);
  return {
    triggerId: payload.trigger_id,
    reply: async () => (await h.fake.waitFor('response_url', (c) => c.responseUrlId === url.id)).args,
  };
}

// ---------------------------------------------------------------------------------------------
// modals

/** The modal a recorded `views.open` call opened. */
export function openedModal(call: RecordedCall): OpenModal {
  const opened = (call.response as { view: { id: string; hash: string } }).view;
  return { view: call.args.view as Record<string, any>, id: opened.id, hash: opened.hash };
}

/** The modal opened with this trigger id. */
export async function modalOpenedBy(h: Harness, triggerId: string): Promise<OpenModal> {
  return openedModal(await h.fake.waitFor('views.open', (c) => c.args.trigger_id === triggerId));
}

/** Send a command (acked with HTTP 200 and an empty body); the modal it opened. */
export async function openModalWithCommand(h: Harness, command: string, text = ''): Promise<OpenModal> {
  const res = await h.slack.command({ command, text });
  expect(res.status).toBe(200);
  expect(res.body).toBe('');
  return modalOpenedBy(h, res.triggerId);
}

/** Use a global shortcut (acked with HTTP 200); the modal it opened. */
export async function openModalWithShortcut(h: Harness, callbackId: string): Promise<OpenModal> {
  const payload = globalShortcut({ callbackId });
  const res = await h.slack.interaction(payload);
  expect(res.status).toBe(200);
  return modalOpenedBy(h, payload.trigger_id);
}

/**
 * The view_submission Slack sends when the user changes `changes` in `modal` and presses Save;
 * `withTitle` sends the view's own title (otherwise the payload's default one).
 */
export function modalSubmission(modal: OpenModal, changes: Changes, opts: { userId?: string; withTitle?: boolean } = {}) {
  return viewSubmission({
    callbackId: modal.view.callback_id,
    values: viewState(modal.view, changes),
    privateMetadata: modal.view.private_metadata,
    viewId: modal.id,
    hash: modal.hash,
    ...(opts.userId !== undefined ? { userId: opts.userId } : {}),
    ...(opts.withTitle ? { title: modal.view.title.text as string } : {}),
  });
}
