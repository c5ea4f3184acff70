/**
 * The account field of the log-activity and log-deal forms: pick an existing account from the workspace's, suggested
 * as you type (an `external_select`, whose options Slack asks the bot for in a `block_suggestion` request), or type a
 * new one (a plain text input). Slack's external_select cannot take free text, so a new account needs the text
 * input; the submission must use exactly one of the two (both filled is an error under the field, nothing stored).
 *
 * Suggestions are the workspace's distinct accounts from activities and deals, one per account key (the generated
 * `account_key` column: lower case, spaces and punctuation removed, so "ACME Corp." and "acme corp" are one), spelled
 * as most recently used, matching the typed text case- and punctuation-insensitively anywhere in the name (names that
 * start with it first), then most recently used first; at most 100, each at most 75 characters (Slack's limits for
 * an option's text and value; a longer name can still be typed as it is).
 */
import type { AckFn, AllMiddlewareArgs, SlackOptionsMiddlewareArgs, types } from '@slack/bolt';
import { and, desc, eq, isNotNull, isNull, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { beforeDeadline, deadlineIn } from '../db/commit-before.js';
import { accountKeyOf } from '../db/schema/account-key.js';
import { activities, deals } from '../db/schema/index.js';
import type { Deps } from '../deps.js';
import type { ViewStateValues } from '../slack/view-state.js';
import { inputText } from '../slack/view-state.js';
import { teamIdOf } from '../slack/team-id.js';
import { MAX_ACCOUNT_LENGTH } from './limits.js';

/** Slack's limits: at most 100 options, each option's text and value at most 75 characters. */
export const MAX_ACCOUNT_OPTIONS = 100;
export const MAX_OPTION_CHARS = 75;
/** The options request is answered in its ack: the suggestions wait at most this long, then none are offered. */
export const ACCOUNT_OPTIONS_WAIT_MS = 2000;

/** The two inputs of one form's account field. */
export interface AccountFieldIds {
  /** The external_select of existing accounts. */
  pick: { blockId: string; actionId: string };
  /** The plain text input for a new account (or, when editing, the entry's account as it is). */
  typed: { blockId: string; actionId: string };
}

export const BOTH_ACCOUNTS_ERROR = 'Pick an existing account or type a new one, not both. Clear one of the two.';

/**
 * The field's two input blocks, both optional: "Account" (search existing ones) and "…or a new account". An edited
 * entry's account goes in the text input as it is (it may be longer than an option can hold).
 */
export function accountFieldBlocks(ids: AccountFieldIds, opts: { initialTyped?: string | null; placeholder?: string } = {}): types.KnownBlock[] {
  return [
    {
      type: 'input',
      block_id: ids.pick.blockId,
      optional: true,
      label: { type: 'plain_text', text: 'Account' },
      element: {
        type: 'external_select',
        action_id: ids.pick.actionId,
        placeholder: { type: 'plain_text', text: 'Search your accounts' },
        min_query_length: 0,
      },
    },
    {
      type: 'input',
      block_id: ids.typed.blockId,
      optional: true,
      label: { type: 'plain_text', text: '…or a new account' },
      hint: { type: 'plain_text', text: 'Not in the list yet? Type its name here. Use one of the two.' },
      element: {
        type: 'plain_text_input',
        action_id: ids.typed.actionId,
        max_length: MAX_ACCOUNT_LENGTH,
        placeholder: { type: 'plain_text', text: opts.placeholder ?? 'Acme Corp' },
        ...(opts.initialTyped ? { initial_value: opts.initialTyped } : {}),
      },
    },
  ];
}

export type AccountRead = { ok: true; account: string | null } | { ok: false; errors: Record<string, string> };

/**
 * The account a submitted form names: the picked one or the typed one (trimmed), null when neither. Both filled is
 * an error under the text input; so is a typed name past MAX_ACCOUNT_LENGTH.
 */
export function readAccountField(values: ViewStateValues, ids: AccountFieldIds): AccountRead {
  const picked = values[ids.pick.blockId]?.[ids.pick.actionId]?.selected_option?.value?.trim() || null;
  const typed = inputText(values, ids.typed.blockId, ids.typed.actionId);
  if (picked && typed) return { ok: false, errors: { [ids.typed.blockId]: BOTH_ACCOUNTS_ERROR } };
  const account = picked ?? typed;
  if (account && account.length > MAX_ACCOUNT_LENGTH) return { ok: false, errors: { [ids.typed.blockId]: `Keep the account name under ${MAX_ACCOUNT_LENGTH} characters.` } };
  return { ok: true, account };
}

/**
 * The workspace's accounts matching `typed` (see the header), best first. Keys first, from the covering indexes of
 * activities and deals (team_id, account_key[, occurred_at]); then the latest spelling of each of those (at most
 * MAX_ACCOUNT_OPTIONS) by index lookups. Scoped to `teamId` throughout.
 */
export async function accountSuggestions(db: Db, teamId: string, typed: string, limit = MAX_ACCOUNT_OPTIONS): Promise<string[]> {
  // The typed text's own key: '' (everything) when it is empty or only punctuation. It has no % or _ (punctuation).
  const typedKey: SQL = sql`coalesce(${accountKeyOf(sql`${typed.slice(0, MAX_ACCOUNT_LENGTH)}::text`)}, '')`;
  const matching = (column: typeof activities.accountKey | typeof deals.accountKey) => sql`${column} like '%' || ${typedKey} || '%'`;
  const activityKeys = db
    .select({ key: sql<string>`${activities.accountKey}`.as('suggested_key'), at: sql<Date>`max(${activities.occurredAt})`.as('used_at') })
    .from(activities)
    .where(and(eq(activities.teamId, teamId), isNull(activities.deletedAt), isNotNull(activities.accountKey), matching(activities.accountKey)))
    .groupBy(activities.accountKey);
  const dealKeys = db
    .select({ key: sql<string>`${deals.accountKey}`.as('suggested_key'), at: sql<Date>`max(${deals.closedAt})`.as('used_at') })
    .from(deals)
    .where(and(eq(deals.teamId, teamId), isNull(deals.deletedAt), isNotNull(deals.accountKey), matching(deals.accountKey)))
    .groupBy(deals.accountKey);
  const used = activityKeys.unionAll(dealKeys).as('used');
  const keys = db
    .select({
      key: used.key,
      prefix: sql<boolean>`(${used.key} like ${typedKey} || '%')`.as('starts_with'),
      at: sql<Date>`max(${used.at})`.as('last_used'),
    })
    .from(used)
    .groupBy(used.key)
    .orderBy(sql`2 desc`, sql`3 desc`, used.key)
    .limit(limit)
    .as('suggested');
  // The spelling most recently used for the key, from either table.
  const spelling = sql<string>`(select s.account from ((select ${activities.account} as account, ${activities.occurredAt} as at from ${activities} where ${and(
    eq(activities.teamId, teamId),
    sql`${activities.accountKey} = ${keys.key}`,
    isNull(activities.deletedAt),
  )} order by ${activities.occurredAt} desc limit 1) union all (select ${deals.account} as account, ${deals.closedAt} as at from ${deals} where ${and(
    eq(deals.teamId, teamId),
    sql`${deals.accountKey} = ${keys.key}`,
    isNull(deals.deletedAt),
  )} order by ${deals.closedAt} desc limit 1)) s order by s.at desc limit 1)`;
  const rows = await db.select({ account: spelling }).from(keys).orderBy(desc(keys.prefix), desc(keys.at), keys.key);
  return rows.map((r) => r.account?.trim() ?? '').filter((a) => a !== '' && a.length <= MAX_OPTION_CHARS);
}

/** An option for an account: its name as text and value (both within MAX_OPTION_CHARS). */
export function accountOption(account: string): types.PlainTextOption {
  return { text: { type: 'plain_text', text: account }, value: account };
}

export type AccountOptionsArgs = SlackOptionsMiddlewareArgs<'block_suggestion'> & AllMiddlewareArgs;

/**
 * Answer an account field's options request (`app.options(actionId, …)`): the suggestions for what was typed, in
 * the ack, from the requesting workspace only. A slow or failing read answers no options (logged): the person can
 * still type the account.
 */
export async function handleAccountOptions(args: Pick<AccountOptionsArgs, 'ack' | 'body'>, deps: Pick<Deps, 'db' | 'logger'>): Promise<void> {
  const ack = args.ack as AckFn<{ options: types.PlainTextOption[] }>;
  const teamId = teamIdOf(args.body);
  if (!teamId) return void (await ack({ options: [] }));
  let accounts: string[] = [];
  try {
    accounts = await beforeDeadline(deadlineIn(ACCOUNT_OPTIONS_WAIT_MS), accountSuggestions(deps.db, teamId, args.body.value ?? ''));
  } catch (err) {
    deps.logger.warn({ err, teamId }, 'could not suggest accounts; answered with none');
  }
  await ack({ options: accounts.map(accountOption) });
}
