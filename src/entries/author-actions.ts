/**
 * The Undo and Edit buttons on a logged entry's confirmation (an activity, a deal): only the person who logged
 * the entry may use them: its owner, and, for an entry logged on the owner's behalf, the person who logged it
 * (`logged_by`), as the stored row says, never the payload. One flow for every kind: load the entry, answer "no longer exists", "not yours" or
 * "already undone" privately, else undo it (and refresh views of it) or open its form. Each kind brings its own
 * queries, wording, undone message and form.
 */
import type { types } from '@slack/bolt';
import type { Db } from '../db/client.js';
import type { Deps } from '../deps.js';
import { type Message, noticeMessage } from '../slack/blocks.js';
import type { ButtonArgs } from '../slack/listener-args.js';
import { requireTeamId } from '../slack/team-id.js';

/** What the author-only checks answer, in the kind's own words. */
export interface EntryNotices {
  /** Someone else pressed the button. */
  notYours: string;
  /** Undo on an entry that is gone. */
  noLongerExists: string;
  /** Undo on an entry already undone (also when a second click races the first). */
  alreadyUndone: string;
  /** Edit on an entry that is gone or undone. */
  nothingToEdit: string;
  /** Undo or Edit on an entry that came from a CRM or an import (see changeableInSlack). */
  notFromSlack: (source: string) => string;
}

/**
 * Entries logged in Slack (a command, a form) can be undone and edited in Slack. Those that came from the CRM
 * webhook or an import are changed at their source: the next sync would bring an undone one back.
 */
export function changeableInSlack(source: string): boolean {
  return source === 'slack' || source === 'slash_command' || source === 'modal';
}

/** "That deal came from your CRM, so change it there: an undo here would be overwritten by its next update." */
export function changeItAtSource(thatNoun: string, source: string, change: string): string {
  return `${thatNoun} came from ${sourceWords(source)}, so change it there: ${change} here would be overwritten by its next update.`;
}

/** "your CRM" / "an import": where an entry not logged in Slack came from. */
export function sourceWords(source: string): string {
  return source === 'webhook' ? 'your CRM' : 'an import';
}

/** The notices for a kind of entry: `entryNotices('a deal', 'That deal')`. */
export function entryNotices(aNoun: string, thatNoun: string): EntryNotices {
  return {
    notYours: `:no_entry: Only the person who logged ${aNoun} can undo or edit it.`,
    noLongerExists: `:grey_question: ${thatNoun} no longer exists.`,
    alreadyUndone: `:information_source: ${thatNoun} was already undone.`,
    nothingToEdit: `:grey_question: ${thatNoun} was undone, so there is nothing to edit.`,
    notFromSlack: (source) => `:information_source: ${changeItAtSource(thatNoun, source, 'an undo or edit')}`,
  };
}

/** What an entry must carry for the checks. */
export interface OwnedEntry {
  id: string;
  userId: string;
  /** Who logged it on the owner's behalf, if someone did: they may undo and edit it too. */
  loggedBy?: string | null;
  deletedAt: Date | null;
  /** Where it was logged: only entries logged in Slack can be undone or edited there. */
  source: string;
}

/** The entry's owner, or the person who logged it on the owner's behalf. */
export function mayChangeEntry(entry: Pick<OwnedEntry, 'userId' | 'loggedBy'>, userId: string): boolean {
  return entry.userId === userId || (entry.loggedBy != null && entry.loggedBy === userId);
}

/** Who pressed the button (not necessarily the entry's owner: see mayChangeEntry), and when. */
export interface EntryActor {
  teamId: string;
  userId: string;
  now: Date;
}

export interface UndoEntrySpec<E extends OwnedEntry> {
  notices: EntryNotices;
  find: (db: Db, teamId: string, id: string) => Promise<E | undefined>;
  /** Marks the entry of `userId` (its owner) deleted at `at`; false when it already was (or is gone). */
  softDelete: (db: Db, teamId: string, userId: string, id: string, at: Date) => Promise<boolean>;
  /** The message that replaces the confirmation once the entry is undone. */
  undoneMessage: (entry: E, actor: EntryActor) => Promise<Message>;
}

export interface EditEntrySpec<E extends OwnedEntry> {
  notices: EntryNotices;
  find: (db: Db, teamId: string, id: string) => Promise<E | undefined>;
  /** The entry's form, prefilled. */
  editView: (entry: E, actor: EntryActor) => Promise<types.ModalView>;
}

type EntryDeps = Pick<Deps, 'db' | 'clock' | 'afterChange'>;

/** Undo: mark the entry deleted (kept, never counted) and replace the confirmation. Author only. */
export async function undoOwnEntry<E extends OwnedEntry>(args: ButtonArgs, deps: EntryDeps, spec: UndoEntrySpec<E>): Promise<void> {
  const { ack, body, action, respond } = args;
  await ack();
  const teamId = requireTeamId(body);
  const userId = body.user.id;
  const reply = (text: string) => respond({ response_type: 'ephemeral', replace_original: false, ...noticeMessage(text) });
  const entry = await spec.find(deps.db, teamId, action.value ?? '');
  if (!entry) return void (await reply(spec.notices.noLongerExists));
  if (!mayChangeEntry(entry, userId)) return void (await reply(spec.notices.notYours));
  if (!changeableInSlack(entry.source)) return void (await reply(spec.notices.notFromSlack(entry.source)));
  const now = deps.clock.now();
  if (!(await spec.softDelete(deps.db, teamId, entry.userId, entry.id, now))) return void (await reply(spec.notices.alreadyUndone));
  deps.afterChange(teamId, entry.userId);
  const message = await spec.undoneMessage(entry, { teamId, userId, now });
  await respond({ response_type: 'ephemeral', replace_original: true, ...message });
}

/** Edit: open the entry's form prefilled. Author only; an undone entry cannot be edited. */
export async function editOwnEntry<E extends OwnedEntry>(args: ButtonArgs, deps: EntryDeps, spec: EditEntrySpec<E>): Promise<void> {
  const { ack, body, action, respond, client } = args;
  await ack();
  const teamId = requireTeamId(body);
  const userId = body.user.id;
  const reply = (text: string) => respond({ response_type: 'ephemeral', replace_original: false, ...noticeMessage(text) });
  const entry = await spec.find(deps.db, teamId, action.value ?? '');
  if (!entry || entry.deletedAt) return void (await reply(spec.notices.nothingToEdit));
  if (!mayChangeEntry(entry, userId)) return void (await reply(spec.notices.notYours));
  if (!changeableInSlack(entry.source)) return void (await reply(spec.notices.notFromSlack(entry.source)));
  const view = await spec.editView(entry, { teamId, userId, now: deps.clock.now() });
  await client.views.open({ trigger_id: body.trigger_id, view });
}
