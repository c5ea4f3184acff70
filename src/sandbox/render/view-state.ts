/**
 * Between the form the sandbox page posts and the payloads Slack sends: `view.state.values` for a
 * view_submission (and for block_actions inside a view), and the `actions[0]` of a block_actions. Pure.
 *
 * Blocks and elements without ids get the deterministic ones the renderer gives them (`b<index>`,
 * `a<index>`), standing in for the ids Slack would generate.
 */

type Obj = Record<string, unknown>;

/** What the page posts for one control: its raw values (one for most, several for multi selects and checkboxes). */
export interface FormInput {
  blockId: string;
  actionId: string;
  values: string[];
}

/** Slack's `view.state.values`: block_id -> action_id -> the element's state. */
export type ViewStateValues = Record<string, Record<string, Record<string, unknown>>>;

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
export const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const asString = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The block's id, or the one generated for a block without (its index in the list: `b3`). */
export function blockIdOf(block: unknown, index: number): string {
  const id = isObj(block) ? asString(block.block_id) : undefined;
  return id || `b${index}`;
}

/** The element's action id, or the one generated for an element without (its index in the block: `a0`). */
export function actionIdOf(element: unknown, index: number): string {
  const id = isObj(element) ? asString(element.action_id) : undefined;
  return id || `a${index}`;
}

/** Every option of a select, radio group, checkbox group or overflow, option_groups flattened. */
export function optionsOf(element: Obj): Obj[] {
  const direct = asArray(element.options);
  const grouped = asArray(element.option_groups).flatMap((g) => (isObj(g) ? asArray(g.options) : []));
  return [...direct, ...grouped].filter(isObj);
}

/** An option as Slack echoes it in state and actions: its text object (as defined) and value. */
function optionState(option: Obj): Obj {
  return { text: option.text, value: option.value, ...(option.description !== undefined ? { description: option.description } : {}) };
}

function findOption(element: Obj, value: unknown): Obj | null {
  if (typeof value !== 'string') return null;
  const found = optionsOf(element).find((o) => o.value === value);
  return found ? optionState(found) : null;
}

function findOptions(element: Obj, values: unknown[]): Obj[] {
  const unique = [...new Set(values.filter((v): v is string => typeof v === 'string'))];
  return unique.map((v) => findOption(element, v)).filter((o): o is Obj => o !== null);
}

/** An external_select's initial option when `value` is its value (it is not among the suggested options). */
function initialOption(element: Obj, value: string | undefined): Obj | null {
  return value !== undefined && isObj(element.initial_option) && element.initial_option.value === value ? optionState(element.initial_option) : null;
}

/**
 * The view with each external_select listing, as its `options`, the options the app suggested for it so far
 * (`suggested`: "block_id/action_id" -> options), so a pick among them reads back as Slack reports it.
 */
export function withSuggestedOptions(view: { blocks?: unknown[] }, suggested: Readonly<Record<string, Obj[]>> | undefined): { blocks?: unknown[] } {
  if (!suggested || Object.keys(suggested).length === 0) return view;
  const blocks = asArray(view.blocks).map((block, index) => {
    if (!isObj(block) || block.type !== 'input' || !isObj(block.element) || block.element.type !== 'external_select') return block;
    const options = suggested[`${blockIdOf(block, index)}/${actionIdOf(block.element, 0)}`];
    return options ? { ...block, element: { ...block.element, options } } : block;
  });
  return { ...view, blocks };
}

const initialValues = (options: unknown): unknown[] => asArray(options).map((o) => (isObj(o) ? o.value : undefined));

const USER_ID = /^[UW][A-Z0-9]+$/;
const CONVERSATION_ID = /^[CGD][A-Z0-9]+$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIME = /^([01]\d|2[0-3]):[0-5]\d/;

const first = (values: string[]): string | undefined => values.find((v) => v !== '');
const oneId = (values: string[], pattern: RegExp): string | null => {
  const v = first(values);
  return v && pattern.test(v) ? v : null;
};
const manyIds = (values: string[], pattern: RegExp): string[] => [...new Set(values.filter((v) => pattern.test(v)))];

/** "2026-11-27T09:30" (no zone: read as UTC, the sandbox knows no browser zone) -> Unix seconds. */
function dateTimeSeconds(value: string | undefined): number | null {
  if (!value || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) return null;
  const ms = Date.parse(`${value.slice(0, 16)}:00Z`);
  return Number.isFinite(ms) ? ms / 1000 : null;
}

/** The element's state fields (without `type`) from what the user entered or picked. */
function stateFields(element: Obj, values: string[]): Obj | undefined {
  switch (element.type) {
    case 'plain_text_input':
    case 'email_text_input':
    case 'url_text_input':
    case 'number_input':
      return { value: first(values) ?? null };
    case 'static_select':
    case 'radio_buttons':
    case 'overflow':
      return { selected_option: findOption(element, first(values)) };
    case 'external_select':
      // Its options came from the app (block_suggestion): the caller lists those suggested so far as `options`.
      return { selected_option: findOption(element, first(values)) ?? initialOption(element, first(values)) };
    case 'multi_static_select':
    case 'checkboxes':
      return { selected_options: findOptions(element, values) };
    case 'datepicker': {
      const v = first(values);
      return { selected_date: v && DATE.test(v) ? v : null };
    }
    case 'timepicker': {
      const v = first(values);
      return { selected_time: v && TIME.test(v) ? v.slice(0, 5) : null, ...timezone(element) };
    }
    case 'datetimepicker':
      return { selected_date_time: dateTimeSeconds(first(values)) };
    case 'users_select':
      return { selected_user: oneId(values, USER_ID) };
    case 'multi_users_select':
      return { selected_users: manyIds(values, USER_ID) };
    case 'channels_select':
      return { selected_channel: oneId(values, CONVERSATION_ID) };
    case 'multi_channels_select':
      return { selected_channels: manyIds(values, CONVERSATION_ID) };
    case 'conversations_select':
      return { selected_conversation: oneId(values, CONVERSATION_ID) };
    case 'multi_conversations_select':
      return { selected_conversations: manyIds(values, CONVERSATION_ID) };
    default:
      return undefined;
  }
}

const timezone = (element: Obj): Obj => (typeof element.timezone === 'string' ? { timezone: element.timezone } : {});
const orNull = (v: unknown) => (v === undefined ? null : v);

/** The element's state fields as the view defines them, before the user changed anything. */
function initialFields(element: Obj): Obj | undefined {
  switch (element.type) {
    case 'plain_text_input':
    case 'email_text_input':
    case 'url_text_input':
    case 'number_input':
      return { value: typeof element.initial_value === 'string' && element.initial_value !== '' ? element.initial_value : null };
    case 'static_select':
    case 'radio_buttons':
      return { selected_option: isObj(element.initial_option) ? findOption(element, element.initial_option.value) : null };
    case 'external_select':
      return { selected_option: isObj(element.initial_option) ? optionState(element.initial_option) : null };
    case 'multi_static_select':
    case 'checkboxes':
      return { selected_options: findOptions(element, initialValues(element.initial_options)) };
    case 'datepicker':
      return { selected_date: orNull(element.initial_date) };
    case 'timepicker':
      return { selected_time: orNull(element.initial_time), ...timezone(element) };
    case 'datetimepicker':
      return { selected_date_time: orNull(element.initial_date_time) };
    case 'users_select':
      return { selected_user: orNull(element.initial_user) };
    case 'multi_users_select':
      return { selected_users: asArray(element.initial_users) };
    case 'channels_select':
      return { selected_channel: orNull(element.initial_channel) };
    case 'multi_channels_select':
      return { selected_channels: asArray(element.initial_channels) };
    case 'conversations_select':
      return { selected_conversation: orNull(element.initial_conversation) };
    case 'multi_conversations_select':
      return { selected_conversations: asArray(element.initial_conversations) };
    default:
      return undefined;
  }
}

/** Each element of the block that can hold state (input element, actions elements, section accessory), with its action id. */
function statefulElements(block: Obj): { element: Obj; actionId: string }[] {
  const candidates: { element: unknown; index: number }[] =
    block.type === 'input'
      ? [{ element: block.element, index: 0 }]
      : block.type === 'actions'
        ? asArray(block.elements).map((element, index) => ({ element, index }))
        : block.type === 'section'
          ? [{ element: block.accessory, index: 0 }]
          : [];
  return candidates
    .filter((c): c is { element: Obj; index: number } => isObj(c.element) && c.element.type !== 'overflow' && initialFields(c.element) !== undefined)
    .map((c) => ({ element: c.element, actionId: actionIdOf(c.element, c.index) }));
}

/**
 * Slack's `view.state.values` for the view with what the page posted: every input block (and every stateful
 * element of actions blocks and section accessories, as Slack reports them too) gets an entry, with the
 * element's initial value when the form did not send it. Values that are not among an element's options,
 * or are not a date, time, user or conversation id, are ignored (null).
 */
export function viewStateValues(view: { blocks?: unknown[] }, inputs: FormInput[]): ViewStateValues {
  const values: ViewStateValues = {};
  asArray(view.blocks).forEach((block, index) => {
    if (!isObj(block)) return;
    const blockId = blockIdOf(block, index);
    for (const { element, actionId } of statefulElements(block)) {
      const posted = [...inputs].reverse().find((i) => i.blockId === blockId && i.actionId === actionId);
      const fields = posted ? stateFields(element, posted.values) : initialFields(element);
      (values[blockId] ??= {})[actionId] = { type: element.type, ...fields };
    }
  });
  return values;
}

/** The element with this block id and action id in `blocks` (generated ids accepted), if there is one. */
export function findElement(blocks: unknown[], blockId: string, actionId: string): Obj | undefined {
  const index = blocks.findIndex((b, i) => blockIdOf(b, i) === blockId);
  const block = blocks[index];
  if (!isObj(block)) return undefined;
  const elements =
    block.type === 'actions' ? asArray(block.elements) : block.type === 'input' ? [block.element] : block.type === 'section' ? [block.accessory] : [];
  const found = elements.find((e, i) => isObj(e) && actionIdOf(e, i) === actionId);
  return isObj(found) ? found : undefined;
}

/**
 * The `actions[0]` object of a block_actions payload for the element the user used, with what they picked:
 * a button's text, value and style; a select's selected_option(s); a picker's selected date, time, user or
 * conversation; a dispatching text input's value. Undefined when there is no such element.
 */
export function actionPayload(blocks: unknown[], blockId: string, actionId: string, values: string[], actionTs: string): Record<string, unknown> | undefined {
  const element = findElement(blocks, blockId, actionId);
  if (!element || typeof element.type !== 'string') return undefined;
  const head = { type: element.type, action_id: actionId, block_id: blockId };
  if (element.type === 'button') {
    return {
      ...head,
      text: element.text,
      ...(element.value !== undefined ? { value: element.value } : {}),
      ...(element.style !== undefined ? { style: element.style } : {}),
      ...(element.url !== undefined ? { url: element.url } : {}),
      action_ts: actionTs,
    };
  }
  const fields = stateFields(element, values);
  return fields ? { ...head, ...fields, action_ts: actionTs } : { ...head, action_ts: actionTs };
}

/** How each state field is written back as the element's initial value. */
const STATE_TO_INITIAL: Readonly<Record<string, string>> = {
  value: 'initial_value',
  selected_option: 'initial_option',
  selected_options: 'initial_options',
  selected_date: 'initial_date',
  selected_time: 'initial_time',
  selected_date_time: 'initial_date_time',
  selected_user: 'initial_user',
  selected_users: 'initial_users',
  selected_channel: 'initial_channel',
  selected_channels: 'initial_channels',
  selected_conversation: 'initial_conversation',
  selected_conversations: 'initial_conversations',
};

function elementWithState(element: unknown, state: Record<string, unknown> | undefined): unknown {
  if (!isObj(element) || !state) return element;
  const next: Obj = { ...element };
  for (const [field, initial] of Object.entries(STATE_TO_INITIAL)) {
    if (!(field in state)) continue;
    const v = state[field];
    if (v === null || v === undefined) delete next[initial];
    else next[initial] = v;
  }
  return next;
}

/**
 * The blocks with current state shown as initial values: what Slack does when a view is updated, keeping
 * what the user entered in every block whose block_id (and action_id) stayed the same.
 */
export function applyViewState(blocks: unknown[], values: ViewStateValues): unknown[] {
  return blocks.map((block, index) => {
    if (!isObj(block)) return block;
    const byAction = values[blockIdOf(block, index)];
    if (!byAction) return block;
    if (block.type === 'input') return { ...block, element: elementWithState(block.element, byAction[actionIdOf(block.element, 0)]) };
    if (block.type === 'section' && block.accessory) return { ...block, accessory: elementWithState(block.accessory, byAction[actionIdOf(block.accessory, 0)]) };
    if (block.type === 'actions') {
      return { ...block, elements: asArray(block.elements).map((e, i) => elementWithState(e, byAction[actionIdOf(e, i)])) };
    }
    return block;
  });
}
