import type { types } from '@slack/bolt';
import { truncate } from './text.js';

export type KnownBlock = types.KnownBlock;

/** A message: blocks, plus the text Slack shows in notifications and to screen readers. */
export interface Message {
  text: string;
  blocks: KnownBlock[];
}

/** A short mrkdwn notice (errors, help, refusals) as a message. */
export function noticeMessage(mrkdwn: string, fallback?: string): Message {
  const text = truncate(mrkdwn, 3000);
  return { text: fallback ?? text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}

/** The parsed `<#C123|name>` Slack sends for a channel when the command has should_escape. */
export function parseChannelMention(token: string): { id: string; name?: string } | undefined {
  const m = /^<#([CG][A-Z0-9]+)(?:\|([^>]*))?>$/.exec(token.trim());
  return m ? { id: m[1]!, name: m[2] || undefined } : undefined;
}

/** The parsed `<@U123|name>` Slack sends for a user mention. */
export function parseUserMention(token: string): { id: string; name?: string } | undefined {
  const m = /^<@([UW][A-Z0-9]+)(?:\|([^>]*))?>$/.exec(token.trim());
  return m ? { id: m[1]!, name: m[2] || undefined } : undefined;
}

/**
 * A titled list (one mrkdwn line per item) with a footer, as a message within Slack's limits: lines are
 * packed into sections of under 3000 characters, at most 50 blocks in all.
 */
export function listMessage(title: string, lines: string[], footer: string): Message {
  const blocks: KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: title } }];
  let chunk = '';
  for (const line of lines) {
    if (chunk && chunk.length + line.length + 1 > 2900) {
      blocks.push({ type: 'section', text: { type: 'mrkdwn', text: chunk } });
      chunk = '';
    }
    chunk = chunk ? `${chunk}\n${line}` : line;
  }
  if (chunk) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(chunk, 3000) } });
  blocks.splice(49);
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: footer }] });
  return { text: truncate([title, ...lines].join('\n'), 3000), blocks };
}
