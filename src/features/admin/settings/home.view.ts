import type { types } from '@slack/bolt';
import { truncate } from '../../../slack/text.js';

type KnownBlock = types.KnownBlock;
type ModalView = types.ModalView;
type PlainTextElement = types.PlainTextElement;

/** The settings home's callback id. */
export const SETTINGS_HOME_CALLBACK = 'settings_home';
/** A section button on the settings home: `settings_open:<section id>`, its value the section id. */
export const SETTINGS_OPEN_PREFIX = 'settings_open:';
export const SETTINGS_OPEN_ACTION = /^settings_open:/;

/** Slack's limits for a modal (see design.md). */
export const MODAL_TITLE_MAX = 24;
export const MODAL_MAX_BLOCKS = 100;
export const PRIVATE_METADATA_MAX = 3000;

export const plain = (text: string, max = 3000): PlainTextElement => ({ type: 'plain_text', text: truncate(text || ' ', max), emoji: true });

export interface HomeItem {
  id: string;
  title: string;
  summary: string;
}

/** One button per section, each with its one-line summary, in the order given. Pure. */
export function settingsHomeView(items: HomeItem[]): ModalView {
  // An intro block, then one block per section: at most MODAL_MAX_BLOCKS.
  const shown = items.slice(0, MODAL_MAX_BLOCKS - 1);
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      block_id: 'settings_intro',
      text: {
        type: 'mrkdwn',
        text: shown.length
          ? 'Pick what to change. Every change is checked, takes effect at once and is recorded in the audit log (`/sales-admin audit`).'
          : 'There is nothing to set here yet.',
      },
    },
    ...shown.map(
      (item): KnownBlock => ({
        type: 'section',
        block_id: `settings_section_${item.id}`.slice(0, 255),
        text: { type: 'mrkdwn', text: truncate(`*${item.title}*\n${item.summary || ' '}`, 3000) },
        accessory: { type: 'button', action_id: `${SETTINGS_OPEN_PREFIX}${item.id}`.slice(0, 255), value: item.id, text: plain('Open', 75) },
      }),
    ),
  ];
  return { type: 'modal', callback_id: SETTINGS_HOME_CALLBACK, title: plain('Sales Pulse settings', MODAL_TITLE_MAX), close: plain('Done', MODAL_TITLE_MAX), blocks };
}

/** A section's modal: title, close and submit within Slack's limits, at most MODAL_MAX_BLOCKS blocks. Pure. */
export function sectionModal(input: { callbackId: string; title: string; blocks: KnownBlock[]; submit?: string; privateMetadata?: string }): ModalView {
  if (input.privateMetadata !== undefined && input.privateMetadata.length > PRIVATE_METADATA_MAX) throw new Error('private_metadata over 3000 characters');
  return {
    type: 'modal',
    callback_id: input.callbackId,
    title: plain(input.title, MODAL_TITLE_MAX),
    close: plain(input.submit ? 'Back' : 'Done', MODAL_TITLE_MAX),
    ...(input.submit ? { submit: plain(input.submit, MODAL_TITLE_MAX) } : {}),
    ...(input.privateMetadata !== undefined ? { private_metadata: input.privateMetadata } : {}),
    blocks: input.blocks.slice(0, MODAL_MAX_BLOCKS),
  };
}

/** A short notice at the top of a section's view ("Saved."), as a context block. */
export function noticeBlock(text: string, blockId = 'settings_notice'): KnownBlock {
  return { type: 'context', block_id: blockId, elements: [{ type: 'mrkdwn', text: truncate(text, 3000) }] };
}
