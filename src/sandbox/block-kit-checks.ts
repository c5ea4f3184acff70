/**
 * Block Kit checks: the cheap limits Slack enforces, past which it rejects the whole payload
 * (blocks, views, and message content), answered with Slack's own error codes and messages.
 */
import { invalidArguments, SlackApiError } from './api-error.js';
import { isMissing, isObject, type Json } from './json-args.js';

const OPTION_LIMITS: Record<string, number> = {
  static_select: 100,
  multi_static_select: 100,
  overflow: 5,
  checkboxes: 10,
  radio_buttons: 10,
};

function textOf(value: unknown): string | undefined {
  return isObject(value) && typeof value.text === 'string' ? value.text : undefined;
}

/** Problems in a list of blocks, as Slack's `[ERROR] ... [json-pointer:...]` messages. */
export function blockKitProblems(blocks: unknown, pointer: string, maxBlocks: number): string[] {
  const problems: string[] = [];
  const at = (path: string, message: string) => problems.push(`[ERROR] ${message} [json-pointer:${path}]`);
  if (!Array.isArray(blocks)) {
    at(pointer, 'must be an array');
    return problems;
  }
  if (blocks.length > maxBlocks) at(pointer, `no more than ${maxBlocks} items allowed`);

  const maxLength = (value: unknown, max: number, path: string) => {
    if (typeof value === 'string' && value.length > max) at(path, `must be less than ${max + 1} characters`);
  };

  const walk = (node: unknown, path: string, actionIds: Set<string>) => {
    if (Array.isArray(node)) {
      node.forEach((child, i) => walk(child, `${path}/${i}`, actionIds));
      return;
    }
    if (!isObject(node)) return;
    if ((node.type === 'plain_text' || node.type === 'mrkdwn') && 'text' in node) {
      if (typeof node.text !== 'string') at(`${path}/text`, 'must provide a string');
      else if (node.text.length === 0) at(`${path}/text`, 'must be more than 0 characters');
    }
    if (typeof node.action_id === 'string') {
      maxLength(node.action_id, 255, `${path}/action_id`);
      if (actionIds.has(node.action_id)) at(`${path}/action_id`, `duplicate action_id ${node.action_id}`);
      actionIds.add(node.action_id);
    }
    if (node.type === 'button') {
      maxLength(textOf(node.text), 75, `${path}/text/text`);
      maxLength(node.value, 2000, `${path}/value`);
      maxLength(node.url, 3000, `${path}/url`);
    }
    const optionLimit = typeof node.type === 'string' ? OPTION_LIMITS[node.type] : undefined;
    if (optionLimit !== undefined && Array.isArray(node.options) && node.options.length > optionLimit) {
      at(`${path}/options`, `no more than ${optionLimit} items allowed`);
    }
    if (Array.isArray(node.options)) {
      node.options.forEach((option: unknown, i: number) => {
        if (!isObject(option)) return;
        maxLength(textOf(option.text), 75, `${path}/options/${i}/text/text`);
        maxLength(option.value, 150, `${path}/options/${i}/value`);
      });
    }
    for (const [key, child] of Object.entries(node)) walk(child, `${path}/${key}`, actionIds);
  };

  const blockIds = new Set<string>();
  blocks.forEach((block: unknown, i: number) => {
    const path = `${pointer}/${i}`;
    if (!isObject(block) || typeof block.type !== 'string') {
      at(path, 'missing required field: type');
      return;
    }
    if (typeof block.block_id === 'string') {
      maxLength(block.block_id, 255, `${path}/block_id`);
      if (blockIds.has(block.block_id)) at(`${path}/block_id`, `duplicate block_id ${block.block_id}`);
      blockIds.add(block.block_id);
    }
    switch (block.type) {
      case 'section':
        if (block.text === undefined && block.fields === undefined) at(path, 'must provide text or fields');
        maxLength(textOf(block.text), 3000, `${path}/text/text`);
        if (Array.isArray(block.fields)) {
          if (block.fields.length > 10) at(`${path}/fields`, 'no more than 10 items allowed');
          block.fields.forEach((field: unknown, f: number) => maxLength(textOf(field), 2000, `${path}/fields/${f}/text`));
        }
        break;
      case 'header':
        if (!isObject(block.text) || block.text.type !== 'plain_text') at(`${path}/text`, 'must be a plain_text text object');
        maxLength(textOf(block.text), 150, `${path}/text/text`);
        break;
      case 'context':
        if (Array.isArray(block.elements) && block.elements.length > 10) at(`${path}/elements`, 'no more than 10 items allowed');
        break;
      case 'actions':
        if (Array.isArray(block.elements) && block.elements.length > 25) at(`${path}/elements`, 'no more than 25 items allowed');
        break;
      case 'table':
        if (Array.isArray(block.rows)) {
          if (block.rows.length > 100) at(`${path}/rows`, 'no more than 100 items allowed');
          block.rows.forEach((row: unknown, r: number) => {
            if (Array.isArray(row) && row.length > 20) at(`${path}/rows/${r}`, 'no more than 20 items allowed');
          });
        }
        break;
    }
    // Action ids must be unique within their block.
    walk(block, path, new Set());
  });
  return problems;
}

/** Problems in a view payload (views.open/push/update/publish), as Slack reports them. */
export function viewProblems(view: unknown, expectedTypes: string[]): string[] {
  const problems: string[] = [];
  const at = (path: string, message: string) => problems.push(`[ERROR] ${message} [json-pointer:${path}]`);
  if (!isObject(view)) {
    at('/view', 'must be a JSON object');
    return problems;
  }
  if (!expectedTypes.includes(view.type)) at('/view/type', `must be one of: ${expectedTypes.join(', ')}`);
  if (view.type === 'modal') {
    if (!isObject(view.title)) at('/view', 'missing required field: title');
    for (const key of ['title', 'submit', 'close'] as const) {
      const object = view[key];
      if (object === undefined) continue;
      if (!isObject(object) || object.type !== 'plain_text') at(`/view/${key}`, 'must be a plain_text text object');
      else if (typeof object.text === 'string' && object.text.length > 24) at(`/view/${key}/text`, 'must be less than 25 characters');
    }
    const hasInput = Array.isArray(view.blocks) && view.blocks.some((b: unknown) => isObject(b) && b.type === 'input');
    if (hasInput && view.submit === undefined) at('/view', 'must provide a submit property when using input blocks');
  }
  if (typeof view.private_metadata === 'string' && view.private_metadata.length > 3000) {
    at('/view/private_metadata', 'must be less than 3001 characters');
  }
  if (typeof view.callback_id === 'string' && view.callback_id.length > 255) at('/view/callback_id', 'must be less than 256 characters');
  if (typeof view.external_id === 'string' && view.external_id.length > 255) at('/view/external_id', 'must be less than 256 characters');
  problems.push(...blockKitProblems(view.blocks ?? [], '/view/blocks', 100));
  for (const key of ['title', 'submit', 'close'] as const) {
    if (isObject(view[key]) && view[key].text === '') at(`/view/${key}/text`, 'must be more than 0 characters');
  }
  return problems;
}

/**
 * Message content checks shared by chat.postMessage/postEphemeral/update and response_url:
 * returns the Slack error code and messages, or undefined when the content is acceptable.
 */
export function messageContentError(args: Json): SlackApiError | undefined {
  const { text, blocks, attachments, markdown_text: markdownText } = args;
  if (!isMissing(markdownText) && (!isMissing(text) || !isMissing(blocks))) return new SlackApiError('markdown_text_conflict');
  if (!isMissing(blocks)) {
    if (!Array.isArray(blocks)) return new SlackApiError('invalid_blocks_format');
    const problems = blockKitProblems(blocks, '/blocks', 50);
    if (problems.length) return new SlackApiError('invalid_blocks', { response_metadata: { messages: problems } });
  }
  const hasText = typeof text === 'string' && text.trim() !== '';
  const hasBlocks = Array.isArray(blocks) && blocks.length > 0;
  const hasAttachments = Array.isArray(attachments) && attachments.length > 0;
  if (!hasText && !hasBlocks && !hasAttachments && isMissing(markdownText)) return new SlackApiError('no_text');
  return undefined;
}

/** The view argument of a views.* call, or `invalid_arguments` with every problem in it. */
export function checkView(args: Json, types: string[]): Json {
  if (typeof args.view === 'string') throw invalidArguments(['[ERROR] invalid json [json-pointer:/view]']);
  const problems = viewProblems(args.view, types);
  if (problems.length) throw invalidArguments(problems);
  return args.view as Json;
}
