/**
 * The author-only Undo and Edit flow every kind of logged entry shares, with fake Slack arguments: who may act,
 * what the others are told, and the order of the steps.
 */
import { describe, expect, it, vi } from 'vitest';
import type { Db } from '../../src/db/client.js';
import { editOwnEntry, entryNotices, type OwnedEntry, undoOwnEntry } from '../../src/entries/author-actions.js';
import type { ButtonArgs } from '../../src/slack/listener-args.js';

const NOW = new Date('2026-11-25T15:30:00Z');
const ENTRY_ID = '00000000-0000-4000-8000-000000000001';
const NOTICES = entryNotices('a deal', 'That deal');

function fakeArgs(userId = 'U_AUTHOR') {
  const ack = vi.fn(async () => {});
  const respond = vi.fn(async (_message: unknown) => {});
  const viewsOpen = vi.fn(async (_args: unknown) => ({ ok: true }));
  const args = {
    ack,
    respond,
    body: { team: { id: 'T1' }, user: { id: userId }, trigger_id: 'trigger-1', channel: { id: 'C1' } },
    action: { value: ENTRY_ID },
    client: { views: { open: viewsOpen } },
  } as unknown as ButtonArgs;
  return { args, ack, respond, viewsOpen };
}

function fakeDeps() {
  return { db: {} as Db, clock: { now: () => NOW }, afterChange: vi.fn() };
}

const entry = (over: Partial<OwnedEntry> = {}): OwnedEntry => ({ id: ENTRY_ID, userId: 'U_AUTHOR', deletedAt: null, source: 'slash_command', ...over });
const notice = (text: string) => expect.objectContaining({ response_type: 'ephemeral', replace_original: false, text });

describe('entryNotices', () => {
  it('words each answer for the kind', () => {
    const notices = entryNotices('an entry', 'That entry');
    expect(notices.notFromSlack('webhook')).toBe(':information_source: That entry came from your CRM, so change it there: an undo or edit here would be overwritten by its next update.');
    expect(notices.notFromSlack('import')).toContain('came from an import');
    expect({ ...notices, notFromSlack: undefined }).toEqual({
      notFromSlack: undefined,
      notYours: ':no_entry: Only the person who logged an entry can undo or edit it.',
      noLongerExists: ':grey_question: That entry no longer exists.',
      alreadyUndone: ':information_source: That entry was already undone.',
      nothingToEdit: ':grey_question: That entry was undone, so there is nothing to edit.',
    });
  });
});

describe('undoOwnEntry', () => {
  function spec(found: OwnedEntry | undefined, removed = true) {
    return {
      notices: NOTICES,
      find: vi.fn(async () => found),
      softDelete: vi.fn(async () => removed),
      undoneMessage: vi.fn(async () => ({ text: 'undone', blocks: [] })),
    };
  }

  it('undoes the author’s entry, tells views to refresh, and replaces the confirmation', async () => {
    const { args, ack, respond } = fakeArgs();
    const deps = fakeDeps();
    const s = spec(entry());
    await undoOwnEntry(args, deps, s);
    expect(ack).toHaveBeenCalledOnce();
    expect(s.find).toHaveBeenCalledWith(deps.db, 'T1', ENTRY_ID);
    expect(s.softDelete).toHaveBeenCalledWith(deps.db, 'T1', 'U_AUTHOR', ENTRY_ID, NOW);
    expect(deps.afterChange).toHaveBeenCalledWith('T1', 'U_AUTHOR');
    expect(s.undoneMessage).toHaveBeenCalledWith(entry(), { teamId: 'T1', userId: 'U_AUTHOR', now: NOW });
    expect(respond).toHaveBeenCalledWith({ response_type: 'ephemeral', replace_original: true, text: 'undone', blocks: [] });
  });

  it.each([
    ['a missing entry', undefined, 'U_AUTHOR', true, NOTICES.noLongerExists],
    ['someone else', entry(), 'U_OTHER', true, NOTICES.notYours],
    ['an entry already undone', entry(), 'U_AUTHOR', false, NOTICES.alreadyUndone],
    ['an entry from the CRM', entry({ source: 'webhook' }), 'U_AUTHOR', true, NOTICES.notFromSlack('webhook')],
    ['an imported entry', entry({ source: 'import' }), 'U_AUTHOR', true, NOTICES.notFromSlack('import')],
  ])('answers %s privately and changes nothing else', async (_name, found, clicker, removed, text) => {
    const { args, respond } = fakeArgs(clicker);
    const deps = fakeDeps();
    const s = spec(found, removed);
    await undoOwnEntry(args, deps, s);
    expect(respond).toHaveBeenCalledExactlyOnceWith(notice(text));
    expect(deps.afterChange).not.toHaveBeenCalled();
    expect(s.undoneMessage).not.toHaveBeenCalled();
    if (clicker !== 'U_AUTHOR' || found?.source !== 'slash_command') expect(s.softDelete).not.toHaveBeenCalled();
  });
});

describe('editOwnEntry', () => {
  const view = { type: 'modal' as const, title: { type: 'plain_text' as const, text: 'Edit' }, blocks: [] };
  function spec(found: OwnedEntry | undefined) {
    return { notices: NOTICES, find: vi.fn(async () => found), editView: vi.fn(async () => view) };
  }

  it('opens the author’s entry in its form', async () => {
    const { args, respond, viewsOpen } = fakeArgs();
    const s = spec(entry());
    await editOwnEntry(args, fakeDeps(), s);
    expect(s.editView).toHaveBeenCalledWith(entry(), { teamId: 'T1', userId: 'U_AUTHOR', now: NOW });
    expect(viewsOpen).toHaveBeenCalledWith({ trigger_id: 'trigger-1', view });
    expect(respond).not.toHaveBeenCalled();
  });

  it.each([
    ['a missing entry', undefined, 'U_AUTHOR', NOTICES.nothingToEdit],
    ['an undone entry', entry({ deletedAt: NOW }), 'U_AUTHOR', NOTICES.nothingToEdit],
    ['an undone entry of someone else', entry({ deletedAt: NOW }), 'U_OTHER', NOTICES.nothingToEdit],
    ['someone else', entry(), 'U_OTHER', NOTICES.notYours],
    ['an entry from the CRM', entry({ source: 'webhook' }), 'U_AUTHOR', NOTICES.notFromSlack('webhook')],
  ])('answers %s privately and opens nothing', async (_name, found, clicker, text) => {
    const { args, respond, viewsOpen } = fakeArgs(clicker);
    const s = spec(found);
    await editOwnEntry(args, fakeDeps(), s);
    expect(respond).toHaveBeenCalledExactlyOnceWith(notice(text));
    expect(viewsOpen).not.toHaveBeenCalled();
    expect(s.editView).not.toHaveBeenCalled();
  });
});
