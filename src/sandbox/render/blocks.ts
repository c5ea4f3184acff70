/**
 * Block Kit as HTML for the sandbox page: a message's blocks and files, and a modal or Home tab view. Pure.
 *
 * Interactivity contract with the page's script: every control carries `data-interactive` ("action" in
 * actions blocks and section accessories, "input" in input blocks), `data-block-id`, `data-action-id` and
 * `data-type` (the Block Kit element type); input controls dispatching actions also `data-dispatch="true"`.
 * Controls are named `<block_id>/<action_id>`. Block wrappers carry `data-block` (not `data-block-id`).
 */
import { attrs, escapeHtml, safeHref, safeSrc } from './escape.js';
import {
  broadcastMentionHtml,
  channelMentionHtml,
  dateHtml,
  emojiFor,
  emojiFromCodePoints,
  emojiHtml,
  linkHtml,
  renderMrkdwn,
  renderPlainText,
  replaceEmoji,
  userMentionHtml,
  type RenderContext,
} from './mrkdwn.js';
import { actionIdOf, applyViewState, asArray, asString, blockIdOf, isObj, optionsOf, type ViewStateValues } from './view-state.js';

type Obj = Record<string, unknown>;

export interface RenderOptions {
  /** Prefix of the element ids (label `for`) so several rendered messages can share a page. Default "bk". */
  idPrefix?: string;
}

export interface ViewRenderOptions extends RenderOptions {
  /** block_id -> error message, as a view_submission's `response_action: "errors"` gives them. */
  errors?: Record<string, string>;
  /** Current state (Slack's view.state.values): shown instead of the initial values, as Slack keeps input across views.update. */
  state?: ViewStateValues;
}

/** A file attached to a message. */
export interface MessageFile {
  id: string;
  name?: string;
  title?: string;
  mimetype?: string;
}

export interface MessageBody {
  text?: string;
  blocks?: unknown[];
  files?: MessageFile[];
}

/** A view as HTML: title, submit and close button texts (modals only) and the body. */
export interface RenderedView {
  title?: string;
  submit?: string;
  close?: string;
  body: string;
}

interface BlockOptions {
  idPrefix: string;
  errors: Record<string, string>;
}

/** Where an element sits: its ids, whether it dispatches actions or is an input, and its accessible name. */
interface Place {
  blockId: string;
  actionId: string;
  interactive: 'action' | 'input';
  dispatch: boolean;
  /**
   * In input blocks, the control's id for `<label for>` (and the prefix of its choices' ids). Controls in
   * messages have none: two messages may hold the same block and action ids, and a wrapping label suffices.
   */
  id?: string;
  /** Plain text naming the control: aria-label in actions blocks, legend text for choices. */
  label: string;
  /** In input blocks: required, and ids of hint/error paragraphs. */
  required?: boolean;
  describedBy?: string;
  invalid?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Text objects
// ---------------------------------------------------------------------------------------------

const textOf = (t: unknown): string => (isObj(t) && typeof t.text === 'string' ? t.text : typeof t === 'string' ? t : '');

/** A text object (mrkdwn or plain_text) as HTML. */
function renderText(t: unknown, ctx: RenderContext): string {
  if (!isObj(t)) return '';
  if (t.type === 'mrkdwn') return renderMrkdwn(textOf(t), ctx);
  return renderPlainText(textOf(t), ctx, { emoji: t.emoji !== false });
}

/** A text object as plain text (for attributes and <option>). */
function plainOf(t: unknown): string {
  const text = textOf(t);
  return isObj(t) && t.emoji === false ? text : replaceEmoji(text);
}

const idSafe = (s: string): string => s.replace(/[^A-Za-z0-9_-]/g, '_');

// ---------------------------------------------------------------------------------------------
// Elements
// ---------------------------------------------------------------------------------------------

/** The attributes every control carries (see the contract at the top). */
function dataAttrs(place: Place, type: string): Record<string, string | undefined> {
  return {
    'data-interactive': place.interactive,
    'data-block-id': place.blockId,
    'data-action-id': place.actionId,
    'data-type': type,
    'data-dispatch': place.dispatch ? 'true' : undefined,
  };
}

/** A confirm object as the JSON of plain strings the page's dialog shows. */
function confirmJson(confirm: unknown): string | undefined {
  if (!isObj(confirm)) return undefined;
  return JSON.stringify({
    title: textOf(confirm.title) || 'Are you sure?',
    text: textOf(confirm.text),
    confirm: textOf(confirm.confirm) || 'Yes',
    deny: textOf(confirm.deny) || 'Cancel',
    ...(typeof confirm.style === 'string' ? { style: confirm.style } : {}),
  });
}

/** Attributes of a form control: id/name, its accessible name or description, and the data contract. */
function controlAttrs(place: Place, element: Obj): Record<string, string | boolean | undefined> {
  const inInput = place.interactive === 'input';
  return {
    id: place.id,
    name: `${place.blockId}/${place.actionId}`,
    'aria-label': inInput ? undefined : place.label,
    'aria-describedby': place.describedBy,
    'aria-invalid': place.invalid ? 'true' : undefined,
    required: place.required,
    autofocus: element.focus_on_load === true,
    'data-confirm': confirmJson(element.confirm),
    ...dataAttrs(place, String(element.type)),
  };
}

function renderButton(el: Obj, place: Place, ctx: RenderContext): string {
  const style = el.style === 'primary' ? ' bk-primary' : el.style === 'danger' ? ' bk-danger' : '';
  const common = {
    class: `bk-button${style}`,
    'aria-label': asString(el.accessibility_label),
    'data-value': asString(el.value),
    'data-confirm': confirmJson(el.confirm),
    ...dataAttrs(place, 'button'),
  };
  const label = renderPlainText(textOf(el.text), ctx, { emoji: !isObj(el.text) || el.text.emoji !== false });
  const href = typeof el.url === 'string' ? safeHref(el.url) : undefined;
  if (href) return `<a${attrs({ ...common, href, target: '_blank', rel: 'noopener noreferrer' })}>${label}</a>`;
  return `<button${attrs({ type: 'button', ...common })}>${label}</button>`;
}

interface Choice {
  value: string;
  label: string;
  selected: boolean;
}

const optionTag = (c: Choice): string => `<option${attrs({ value: c.value, selected: c.selected })}>${escapeHtml(c.label)}</option>`;

/** A <select>: an empty first option when nothing is selected (single selects), then the choices or groups. */
function renderSelect(el: Obj, place: Place, body: { choices?: Choice[]; groups?: { label: string; choices: Choice[] }[] }, multiple: boolean): string {
  const all = [...(body.choices ?? []), ...(body.groups ?? []).flatMap((g) => g.choices)];
  const placeholder = plainOf(el.placeholder) || (multiple ? '' : 'Select an item');
  const empty = !multiple && !all.some((c) => c.selected) ? `<option value="">${escapeHtml(placeholder)}</option>` : '';
  const groups = (body.groups ?? []).map((g) => `<optgroup${attrs({ label: g.label })}>${g.choices.map(optionTag).join('')}</optgroup>`);
  const cls = multiple ? 'bk-select bk-multi-select' : 'bk-select';
  return `<select${attrs({ class: cls, multiple, ...controlAttrs(place, el) })}>${empty}${(body.choices ?? []).map(optionTag).join('')}${groups.join('')}</select>`;
}

function staticChoices(options: unknown[], selected: Set<string>): Choice[] {
  return options.filter(isObj).map((o) => ({ value: String(o.value ?? ''), label: plainOf(o.text), selected: selected.has(String(o.value)) }));
}

const valuesOf = (options: unknown): Set<string> => new Set(asArray(options).filter(isObj).map((o) => String(o.value)));

function renderStaticSelect(el: Obj, place: Place, multiple: boolean): string {
  const selected = multiple ? valuesOf(el.initial_options) : valuesOf(isObj(el.initial_option) ? [el.initial_option] : []);
  const groups = asArray(el.option_groups)
    .filter(isObj)
    .map((g) => ({ label: plainOf(g.label), choices: staticChoices(asArray(g.options), selected) }));
  return renderSelect(el, place, { choices: staticChoices(asArray(el.options), selected), groups }, multiple);
}

/**
 * external_select: its options come from the app as the person types. A search box (not a form value itself: no
 * data-interactive) above a <select> holding the initial option and whatever the app suggested last; the page asks
 * the sandbox for suggestions (/sandbox/api/suggest, a block_suggestion to the app) and fills the select.
 */
function renderExternalSelect(el: Obj, place: Place): string {
  const initial = isObj(el.initial_option) ? [{ value: String(el.initial_option.value ?? ''), label: plainOf(el.initial_option.text), selected: true }] : [];
  const search = `<input${attrs({
    type: 'search',
    class: 'bk-text-input bk-external-search',
    placeholder: plainOf(el.placeholder) || 'Type to search',
    'aria-label': `Search: ${place.label || 'options'}`,
    autocomplete: 'off',
    'data-suggest-block-id': place.blockId,
    'data-suggest-action-id': place.actionId,
    'data-min-query-length': typeof el.min_query_length === 'number' ? String(el.min_query_length) : '3',
  })}>`;
  return `<div class="bk-external">${search}${renderSelect({ ...el, placeholder: { type: 'plain_text', text: 'Pick one (type above to search)' } }, place, { choices: initial }, false)}</div>`;
}

/** users_select / channels_select and friends: choices from the workspace, plus any initial id it does not list. */
function renderDirectorySelect(el: Obj, place: Place, ctx: RenderContext, kind: 'user' | 'channel', multiple: boolean, initial: unknown): string {
  const picked = new Set((Array.isArray(initial) ? initial : [initial]).filter((v): v is string => typeof v === 'string'));
  const known = kind === 'user' ? ctx.users.map((u) => ({ id: u.id, name: u.name })) : ctx.channels.map((c) => ({ id: c.id, name: `#${c.name}` }));
  for (const id of picked) {
    if (known.some((k) => k.id === id)) continue;
    const name = kind === 'user' ? ctx.userName(id) ?? id : `#${ctx.channelName(id) ?? id}`;
    known.push({ id, name });
  }
  const choices = known.map((k) => ({ value: k.id, label: k.name, selected: picked.has(k.id) }));
  return renderSelect(el, place, { choices }, multiple);
}

function renderOverflow(el: Obj, place: Place): string {
  const choices = staticChoices(asArray(el.options), new Set());
  const a = { class: 'bk-select bk-overflow', ...controlAttrs(place, el), 'aria-label': place.interactive === 'input' ? undefined : 'More actions' };
  return `<select${attrs(a)}><option value="" selected>⋯</option>${choices.map(optionTag).join('')}</select>`;
}

function renderChoices(el: Obj, place: Place, ctx: RenderContext, kind: 'radio' | 'checkbox'): string {
  const selected = kind === 'radio' ? valuesOf(isObj(el.initial_option) ? [el.initial_option] : []) : valuesOf(el.initial_options);
  const base = controlAttrs(place, el);
  const items = optionsOf(el).map((o, i) => {
    const id = place.id ? `${place.id}-${i}` : undefined;
    const value = String(o.value ?? '');
    const input = `<input${attrs({ ...base, id, 'aria-label': undefined, 'aria-describedby': undefined, autofocus: base.autofocus && i === 0, required: kind === 'radio' && base.required, type: kind, value, checked: selected.has(value) })}>`;
    const description = isObj(o.description) ? `<span class="bk-choice-description">${renderText(o.description, ctx)}</span>` : '';
    return `<label${attrs({ class: 'bk-choice', for: id })}>${input}<span class="bk-choice-text">${renderText(o.text, ctx)}</span>${description}</label>`;
  });
  return items.join('');
}

/** A fieldset of radios or checkboxes; in an input block the legend is the block's label. */
function renderChoiceGroup(el: Obj, place: Place, ctx: RenderContext, legendHtml: string): string {
  const kind = el.type === 'radio_buttons' ? 'radio' : 'checkbox';
  const legendClass = place.interactive === 'input' ? 'bk-label' : 'bk-visually-hidden';
  // The group names its element too (without data-interactive), so a script can read all its checked values.
  const groupAttrs = {
    class: `bk-choices ${kind === 'radio' ? 'bk-radios' : 'bk-checkboxes'}`,
    'data-block-id': place.blockId,
    'data-action-id': place.actionId,
    'data-type': String(el.type),
  };
  return (
    `<fieldset${attrs({ ...groupAttrs, 'aria-describedby': place.describedBy, 'aria-invalid': place.invalid ? 'true' : undefined })}>` +
    `<legend class="${legendClass}">${legendHtml}</legend>${renderChoices(el, place, ctx, kind)}</fieldset>`
  );
}

function renderTextInput(el: Obj, place: Place): string {
  const placeholder = plainOf(el.placeholder) || undefined;
  const value = asString(el.initial_value);
  const common = {
    class: 'bk-text-input',
    placeholder,
    minlength: typeof el.min_length === 'number' ? el.min_length : undefined,
    maxlength: typeof el.max_length === 'number' ? el.max_length : undefined,
    ...controlAttrs(place, el),
  };
  if (el.type === 'plain_text_input' && el.multiline === true) {
    return `<textarea${attrs({ ...common, class: 'bk-text-input bk-textarea', rows: 4 })}>${escapeHtml(value ?? '')}</textarea>`;
  }
  const type = el.type === 'email_text_input' ? 'email' : el.type === 'url_text_input' ? 'url' : 'text';
  return `<input${attrs({ type, ...common, value })}>`;
}

function renderNumberInput(el: Obj, place: Place): string {
  const decimal = el.is_decimal_allowed === true;
  const a = {
    type: 'number',
    class: 'bk-text-input bk-number',
    step: decimal ? 'any' : '1',
    inputmode: decimal ? 'decimal' : 'numeric',
    min: asString(el.min_value) ?? (typeof el.min_value === 'number' ? el.min_value : undefined),
    max: asString(el.max_value) ?? (typeof el.max_value === 'number' ? el.max_value : undefined),
    placeholder: plainOf(el.placeholder) || undefined,
    value: asString(el.initial_value),
    ...controlAttrs(place, el),
  };
  return `<input${attrs(a)}>`;
}

/** Unix seconds as the value of an <input type=datetime-local>, in UTC (the sandbox knows no user zone here). */
function dateTimeLocal(seconds: unknown): string | undefined {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds)) return undefined;
  return new Date(seconds * 1000).toISOString().slice(0, 16);
}

function renderPicker(el: Obj, place: Place): string {
  const [type, value] =
    el.type === 'datepicker'
      ? ['date', asString(el.initial_date)]
      : el.type === 'timepicker'
        ? ['time', asString(el.initial_time)]
        : ['datetime-local', dateTimeLocal(el.initial_date_time)];
  const a = { type, class: `bk-picker bk-${el.type}`, value, placeholder: plainOf(el.placeholder) || undefined, ...controlAttrs(place, el) };
  return `<input${attrs(a)}>`;
}

function unsupported(what: string, type: unknown): string {
  return `<div class="bk-unsupported">Unsupported ${what}: ${escapeHtml(String(type ?? 'unknown'))}</div>`;
}

/** Any interactive element. `legendHtml` names radio/checkbox groups (the input block's label). */
function renderElement(el: unknown, place: Place, ctx: RenderContext, legendHtml = escapeHtml(place.label)): string {
  if (!isObj(el)) return unsupported('element', undefined);
  switch (el.type) {
    case 'button':
      return renderButton(el, place, ctx);
    case 'static_select':
      return renderStaticSelect(el, place, false);
    case 'multi_static_select':
      return renderStaticSelect(el, place, true);
    case 'external_select':
      return renderExternalSelect(el, place);
    case 'users_select':
      return renderDirectorySelect(el, place, ctx, 'user', false, el.initial_user);
    case 'multi_users_select':
      return renderDirectorySelect(el, place, ctx, 'user', true, el.initial_users);
    case 'channels_select':
      return renderDirectorySelect(el, place, ctx, 'channel', false, el.initial_channel);
    case 'multi_channels_select':
      return renderDirectorySelect(el, place, ctx, 'channel', true, el.initial_channels);
    case 'conversations_select':
      return renderDirectorySelect(el, place, ctx, 'channel', false, el.initial_conversation);
    case 'multi_conversations_select':
      return renderDirectorySelect(el, place, ctx, 'channel', true, el.initial_conversations);
    case 'overflow':
      return renderOverflow(el, place);
    case 'radio_buttons':
    case 'checkboxes':
      return renderChoiceGroup(el, place, ctx, legendHtml);
    case 'datepicker':
    case 'timepicker':
    case 'datetimepicker':
      return renderPicker(el, place);
    case 'plain_text_input':
    case 'email_text_input':
    case 'url_text_input':
      return renderTextInput(el, place);
    case 'number_input':
      return renderNumberInput(el, place);
    case 'image':
      return renderImageTag(el, ctx, 'bk-accessory-image');
    default:
      return unsupported('element', el.type);
  }
}

/** The accessible name of a control in an actions block or accessory: its placeholder, else what it is. */
function actionLabel(el: Obj): string {
  const fallback: Record<string, string> = {
    datepicker: 'Pick a date',
    timepicker: 'Pick a time',
    datetimepicker: 'Pick a date and time',
    overflow: 'More actions',
    radio_buttons: 'Choose one',
    checkboxes: 'Choose',
    users_select: 'Select a person',
    multi_users_select: 'Select people',
  };
  return plainOf(el.placeholder) || plainOf(el.text) || fallback[String(el.type)] || 'Select an option';
}

function actionPlace(blockId: string, el: unknown, index: number): Place {
  const actionId = actionIdOf(el, index);
  return {
    blockId,
    actionId,
    interactive: 'action',
    dispatch: false,
    label: isObj(el) ? actionLabel(el) : '',
  };
}

// ---------------------------------------------------------------------------------------------
// Blocks
// ---------------------------------------------------------------------------------------------

function wrap(tag: string, cls: string, blockId: string, inner: string, extra: Record<string, string | undefined> = {}): string {
  return `<${tag}${attrs({ class: `bk-block ${cls}`, 'data-block': blockId, ...extra })}>${inner}</${tag}>`;
}

function renderImageTag(el: Obj, ctx: RenderContext, cls: string): string {
  const file = isObj(el.slack_file) ? el.slack_file : undefined;
  const raw = asString(el.image_url) ?? asString(file?.url) ?? (typeof file?.id === 'string' ? ctx.fileUrl(file.id) : undefined);
  const src = raw ? safeSrc(raw) : undefined;
  const alt = asString(el.alt_text) ?? '';
  if (!src) return `<span${attrs({ class: `${cls} bk-image-missing`, role: 'img', 'aria-label': alt })}>${escapeHtml(alt || 'image')}</span>`;
  return `<img${attrs({ class: cls, src, alt, loading: 'lazy' })}>`;
}

function renderSection(block: Obj, blockId: string, ctx: RenderContext): string {
  const text = block.text ? `<div class="bk-section-text">${renderText(block.text, ctx)}</div>` : '';
  const fields = asArray(block.fields);
  const fieldsHtml = fields.length ? `<div class="bk-fields">${fields.map((f) => `<div class="bk-field">${renderText(f, ctx)}</div>`).join('')}</div>` : '';
  const accessory = isObj(block.accessory)
    ? `<div class="bk-accessory">${renderElement(block.accessory, actionPlace(blockId, block.accessory, 0), ctx)}</div>`
    : '';
  return wrap('div', 'bk-section', blockId, `<div class="bk-section-main">${text}${fieldsHtml}</div>${accessory}`);
}

function renderContext(block: Obj, blockId: string, ctx: RenderContext): string {
  const items = asArray(block.elements).map((e) => {
    if (isObj(e) && e.type === 'image') return renderImageTag(e, ctx, 'bk-context-image');
    return `<div class="bk-context-item">${renderText(e, ctx)}</div>`;
  });
  return wrap('div', 'bk-context', blockId, items.join(''));
}

function renderImageBlock(block: Obj, blockId: string, ctx: RenderContext): string {
  const title = block.title ? `<figcaption class="bk-image-title">${renderText(block.title, ctx)}</figcaption>` : '';
  return wrap('figure', 'bk-image', blockId, `${title}${renderImageTag(block, ctx, 'bk-image-img')}`);
}

function renderActions(block: Obj, blockId: string, ctx: RenderContext): string {
  const elements = asArray(block.elements).map((el, i) => renderElement(el, actionPlace(blockId, el, i), ctx));
  return wrap('div', 'bk-actions', blockId, elements.join(''));
}

/** The elements an input block can hold that the sandbox renders. */
const INPUT_ELEMENTS: ReadonlySet<string> = new Set([
  'plain_text_input',
  'number_input',
  'email_text_input',
  'url_text_input',
  'static_select',
  'multi_static_select',
  'external_select',
  'datepicker',
  'timepicker',
  'datetimepicker',
  'users_select',
  'multi_users_select',
  'channels_select',
  'multi_channels_select',
  'conversations_select',
  'multi_conversations_select',
  'radio_buttons',
  'checkboxes',
]);

function renderInput(block: Obj, blockId: string, ctx: RenderContext, opts: BlockOptions): string {
  const el = isObj(block.element) ? block.element : {};
  const actionId = actionIdOf(el, 0);
  const id = `${opts.idPrefix}-${idSafe(blockId)}-${idSafe(actionId)}`;
  const error = opts.errors[blockId];
  const hint = block.hint ? `<p${attrs({ class: 'bk-hint', id: `${id}-hint` })}>${renderText(block.hint, ctx)}</p>` : '';
  const errorHtml = error ? `<p${attrs({ class: 'bk-error', role: 'alert', id: `${id}-error` })}>${escapeHtml(error)}</p>` : '';
  const describedBy = [error ? `${id}-error` : '', hint ? `${id}-hint` : ''].filter(Boolean).join(' ') || undefined;
  const optional = block.optional === true ? ' <span class="bk-optional">(optional)</span>' : '';
  const labelHtml = `${renderText(block.label, ctx)}${optional}`;
  const place: Place = {
    blockId,
    actionId,
    interactive: 'input',
    dispatch: block.dispatch_action === true || el.dispatch_action === true,
    id,
    label: plainOf(block.label),
    required: block.optional !== true && el.type !== 'checkboxes',
    describedBy,
    invalid: Boolean(error),
  };
  const choices = el.type === 'radio_buttons' || el.type === 'checkboxes';
  const known = INPUT_ELEMENTS.has(String(el.type));
  const label = choices || !known ? '' : `<label${attrs({ class: 'bk-label', for: id })}>${labelHtml}</label>`;
  const control = known ? renderElement(el, place, ctx, labelHtml) : `<div class="bk-label">${labelHtml}</div>${unsupported('element', el.type)}`;
  const cls = `bk-input${error ? ' bk-has-error' : ''}`;
  return wrap('div', cls, blockId, `${label}${control}${errorHtml}${hint}`);
}

// Tables ---------------------------------------------------------------------------------------

function renderCell(cell: unknown, ctx: RenderContext): string {
  if (!isObj(cell)) return '';
  if (cell.type === 'raw_text') return escapeHtml(textOf(cell)).replace(/\n/g, '<br>');
  if (cell.type === 'raw_number') return escapeHtml(asString(cell.text) ?? String(cell.value ?? ''));
  if (cell.type === 'rich_text') return renderRichTextElements(asArray(cell.elements), ctx);
  return unsupported('cell', cell.type);
}

function columnClass(setting: unknown): string | undefined {
  if (!isObj(setting)) return undefined;
  const classes = [
    setting.align === 'right' || setting.align === 'center' ? `bk-align-${setting.align}` : '',
    setting.is_wrapped === true ? 'bk-wrap' : '',
  ].filter(Boolean);
  return classes.length ? classes.join(' ') : undefined;
}

function renderTable(block: Obj, blockId: string, ctx: RenderContext): string {
  const settings = asArray(block.column_settings);
  const rows = asArray(block.rows).map(asArray);
  const row = (cells: unknown[], tag: 'th' | 'td') =>
    `<tr>${cells.map((c, i) => `<${tag}${attrs({ class: columnClass(settings[i]), scope: tag === 'th' ? 'col' : undefined })}>${renderCell(c, ctx)}</${tag}>`).join('')}</tr>`;
  const [head, ...body] = rows;
  const thead = head ? `<thead>${row(head, 'th')}</thead>` : '';
  const tbody = body.length ? `<tbody>${body.map((r) => row(r, 'td')).join('')}</tbody>` : '';
  return wrap('div', 'bk-table-wrap', blockId, `<table class="bk-table">${thead}${tbody}</table>`);
}

// Rich text ------------------------------------------------------------------------------------

function styled(html: string, style: unknown): string {
  if (!isObj(style)) return html;
  let out = html;
  if (style.code === true) out = `<code class="bk-code">${out}</code>`;
  if (style.strike === true) out = `<s>${out}</s>`;
  if (style.italic === true) out = `<em>${out}</em>`;
  if (style.bold === true) out = `<strong>${out}</strong>`;
  return out;
}

function renderRichInline(el: unknown, ctx: RenderContext, pre: boolean): string {
  if (!isObj(el)) return '';
  const text = (s: string) => (pre ? escapeHtml(s) : escapeHtml(s).replace(/\n/g, '<br>'));
  switch (el.type) {
    case 'text':
      return styled(text(textOf(el)), el.style);
    case 'link': {
      const url = asString(el.url) ?? '';
      return styled(linkHtml(url, text(asString(el.text) || url)), el.style);
    }
    case 'user':
      return styled(userMentionHtml(asString(el.user_id) ?? '', undefined, ctx), el.style);
    case 'usergroup':
      return styled(broadcastMentionHtml(`@${asString(el.usergroup_id) ?? 'team'}`), el.style);
    case 'channel':
      return styled(channelMentionHtml(asString(el.channel_id) ?? '', undefined, ctx), el.style);
    case 'broadcast':
      return styled(broadcastMentionHtml(`@${asString(el.range) ?? 'here'}`), el.style);
    case 'emoji': {
      const name = asString(el.name) ?? '';
      const emoji = (typeof el.unicode === 'string' ? emojiFromCodePoints(el.unicode) : undefined) ?? emojiFor(name);
      return emoji ? emojiHtml(emoji, name) : escapeHtml(`:${name}:`);
    }
    case 'date':
      return dateHtml(Number(el.timestamp), asString(el.fallback));
    case 'color':
      return `<span class="bk-color">${escapeHtml(asString(el.value) ?? '')}</span>`;
    default:
      return unsupported('rich text element', el.type);
  }
}

const inlines = (el: Obj, ctx: RenderContext, pre = false): string => asArray(el.elements).map((e) => renderRichInline(e, ctx, pre)).join('');

function renderRichTextElements(elements: unknown[], ctx: RenderContext): string {
  return elements
    .map((el) => {
      if (!isObj(el)) return '';
      switch (el.type) {
        case 'rich_text_section':
          return `<div class="bk-rt-section">${inlines(el, ctx)}</div>`;
        case 'rich_text_preformatted':
          return `<pre class="bk-pre">${inlines(el, ctx, true)}</pre>`;
        case 'rich_text_quote':
          return `<blockquote class="bk-quote">${inlines(el, ctx)}</blockquote>`;
        case 'rich_text_list': {
          const tag = el.style === 'ordered' ? 'ol' : 'ul';
          const indent = typeof el.indent === 'number' ? Math.min(Math.max(Math.floor(el.indent), 0), 6) : 0;
          const start = tag === 'ol' && typeof el.offset === 'number' && el.offset > 0 ? el.offset + 1 : undefined;
          const items = asArray(el.elements).map((item) => `<li>${isObj(item) ? inlines(item, ctx) : ''}</li>`);
          return `<${tag}${attrs({ class: `bk-list bk-rt-list bk-indent-${indent}`, start })}>${items.join('')}</${tag}>`;
        }
        default:
          return unsupported('rich text element', el.type);
      }
    })
    .join('');
}

// Files and video ------------------------------------------------------------------------------

function renderFileBlock(block: Obj, blockId: string, ctx: RenderContext): string {
  const id = asString(block.external_id) ?? asString(block.file_id) ?? '';
  const href = safeSrc(ctx.fileUrl(id));
  const label = `<span class="bk-file-icon" aria-hidden="true">📄</span><span class="bk-file-name">${escapeHtml(id || 'file')}</span>`;
  const link = href ? `<a${attrs({ class: 'bk-file-link', href, target: '_blank', rel: 'noopener noreferrer' })}>${label}</a>` : label;
  return wrap('div', 'bk-file', blockId, link);
}

function renderVideo(block: Obj, blockId: string, ctx: RenderContext): string {
  const url = asString(block.title_url) ?? asString(block.video_url) ?? '';
  const title = plainOf(block.title) || url || 'Video';
  const thumb = asString(block.thumbnail_url) ? renderImageTag({ image_url: block.thumbnail_url, alt_text: block.alt_text }, ctx, 'bk-video-thumbnail') : '';
  const description = block.description ? `<div class="bk-video-description">${renderText(block.description, ctx)}</div>` : '';
  const link = linkHtml(url, `<span aria-hidden="true">▶</span> ${escapeHtml(title)}`);
  return wrap('div', 'bk-video', blockId, `<div class="bk-video-title">${link}</div>${thumb}${description}`);
}

// Dispatch -------------------------------------------------------------------------------------

function renderBlock(block: unknown, index: number, ctx: RenderContext, opts: BlockOptions): string {
  if (!isObj(block)) return unsupported('block', typeof block);
  const blockId = blockIdOf(block, index);
  switch (block.type) {
    case 'header':
      return wrap('h2', 'bk-header', blockId, renderText(block.text, ctx));
    case 'section':
      return renderSection(block, blockId, ctx);
    case 'context':
      return renderContext(block, blockId, ctx);
    case 'divider':
      return `<hr${attrs({ class: 'bk-block bk-divider', 'data-block': blockId })}>`;
    case 'image':
      return renderImageBlock(block, blockId, ctx);
    case 'actions':
      return renderActions(block, blockId, ctx);
    case 'input':
      return renderInput(block, blockId, ctx, opts);
    case 'table':
      return renderTable(block, blockId, ctx);
    case 'rich_text':
      return wrap('div', 'bk-rich-text', blockId, renderRichTextElements(asArray(block.elements), ctx));
    case 'file':
      return renderFileBlock(block, blockId, ctx);
    case 'video':
      return renderVideo(block, blockId, ctx);
    default:
      return unsupported('block', block.type);
  }
}

function renderBlockList(blocks: unknown[], ctx: RenderContext, opts: BlockOptions): string {
  const html = asArray(blocks).map((block, index) => {
    try {
      return renderBlock(block, index, ctx, opts);
    } catch {
      // A malformed block the bot should never send: show it rather than lose the whole message.
      return unsupported('block', isObj(block) ? `${String(block.type)} (malformed)` : 'malformed');
    }
  });
  return `<div class="bk-blocks">${html.join('')}</div>`;
}

const blockOptions = (opts: { idPrefix?: string; errors?: Record<string, string> }): BlockOptions => ({
  idPrefix: opts.idPrefix || 'bk',
  errors: opts.errors ?? {},
});

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

/** A message's blocks as HTML. Unknown block types show as a small "Unsupported block" box; nothing throws. */
export function renderBlocks(blocks: unknown[], ctx: RenderContext, opts: RenderOptions = {}): string {
  return renderBlockList(blocks, ctx, blockOptions(opts));
}

function renderFile(file: MessageFile, ctx: RenderContext): string {
  const name = file.name || file.title || file.id;
  const href = safeSrc(ctx.fileUrl(file.id));
  if (href && typeof file.mimetype === 'string' && file.mimetype.startsWith('image/')) {
    const title = file.title || file.name || '';
    const caption = title ? `<figcaption class="bk-file-title">${escapeHtml(title)}</figcaption>` : '';
    // A click opens the full-size image, as Slack's viewer does.
    const image = `<img${attrs({ src: href, alt: title || name, loading: 'lazy' })}>`;
    return `<figure class="bk-file bk-file-image"><a${attrs({ href, target: '_blank', rel: 'noopener noreferrer', title: 'Open the full-size image' })}>${image}</a>${caption}</figure>`;
  }
  const title = file.title && file.title !== name ? `<span class="bk-file-title">${escapeHtml(file.title)}</span>` : '';
  const inner = `<span class="bk-file-icon" aria-hidden="true">📄</span><span class="bk-file-name">${escapeHtml(name)}</span>${title}`;
  if (!href) return `<div class="bk-file bk-file-download">${inner}</div>`;
  return `<a${attrs({ class: 'bk-file bk-file-download', href, download: name })}>${inner}</a>`;
}

/** A message: its blocks when it has any, else its mrkdwn `text`; then its files. */
export function renderMessageBody(message: MessageBody, ctx: RenderContext, opts: RenderOptions = {}): string {
  const blocks = asArray(message.blocks);
  const body = blocks.length ? renderBlocks(blocks, ctx, opts) : `<div class="bk-message-text">${renderMrkdwn(message.text ?? '', ctx)}</div>`;
  const files = (message.files ?? []).filter((f) => f && typeof f.id === 'string');
  return files.length ? `${body}<div class="bk-files">${files.map((f) => renderFile(f, ctx)).join('')}</div>` : body;
}

/**
 * A modal (title, submit, close and body) or a Home tab (body only). `errors` shows a message under each
 * named input block; `state` shows current values in place of the initial ones.
 */
export function renderView(view: unknown, ctx: RenderContext, opts: ViewRenderOptions = {}): RenderedView {
  const v = isObj(view) ? view : {};
  const blocks = opts.state ? applyViewState(asArray(v.blocks), opts.state) : asArray(v.blocks);
  const body = renderBlockList(blocks, ctx, blockOptions(opts));
  const kind = v.type === 'home' ? 'home' : 'modal';
  const wrapped = `<div class="bk-view bk-${kind}">${body}</div>`;
  if (kind === 'home') return { body: wrapped };
  return {
    title: renderText(v.title, ctx),
    submit: v.submit ? renderText(v.submit, ctx) : undefined,
    close: v.close ? renderText(v.close, ctx) : renderPlainText('Cancel', ctx),
    body: wrapped,
  };
}
