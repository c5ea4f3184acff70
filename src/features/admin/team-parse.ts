/**
 * `/sales-admin team …` and `/sales-admin admin …` as typed (pure). Team names in quotes, straight or curly (Slack
 * clients send curly ones), or a single word unquoted; people as Slack's escaped `<@U123|name>`, channels as
 * `<#C123|name>`. Every malformed command gets a message that says what was wrong and shows the right form.
 */
import { parseChannelMention, parseUserMention } from '../../slack/blocks.js';
import { codeSafe, decodeEntities, tokenize, tryMessage } from '../../slack/command-text.js';

export type TeamCommand =
  | { kind: 'create'; name: string; channelId: string | null }
  | { kind: 'add' | 'remove' | 'manager-add' | 'manager-remove'; team: string; userIds: string[] }
  | { kind: 'channel'; team: string; channelId: string }
  | { kind: 'rename'; team: string; name: string }
  | { kind: 'delete'; team: string }
  | { kind: 'error'; message: string };

export type AdminRoleCommand = { kind: 'grant' | 'revoke'; userIds: string[] } | { kind: 'error'; message: string };

export const TEAM_EXAMPLES = {
  create: '/sales-admin team create "East AEs" #sales-east',
  add: '/sales-admin team "East AEs" add @ana @ben',
  remove: '/sales-admin team "East AEs" remove @ben',
  manager: '/sales-admin team "East AEs" manager @mia',
  managerRemove: '/sales-admin team "East AEs" manager remove @mia',
  channel: '/sales-admin team "East AEs" channel #sales-east',
  rename: '/sales-admin team "East AEs" rename "East Enterprise"',
  delete: '/sales-admin team "East AEs" delete',
  grant: '/sales-admin admin @mia',
  revoke: '/sales-admin admin remove @mia',
} as const;

const OPEN_QUOTES = '"“”„«';
const CLOSE_QUOTES = '"“”»';
const TEAM_VERBS = '`add`, `remove`, `manager`, `manager remove`, `channel`, `rename` or `delete`';

const error = (problem: string, example: string): Failed => ({ kind: 'error', message: tryMessage(problem, example) });

type Failed = { kind: 'error'; message: string };
type Taken = { name: string; rest: string };

/** A team name at the start of `text`: quoted, or one word. */
function takeName(text: string, example: string): Taken | Failed {
  const t = text.trimStart();
  if (t === '') return error('Name the team.', example);
  if (OPEN_QUOTES.includes(t[0]!)) {
    let end = -1;
    for (let i = 1; i < t.length; i++) {
      if (CLOSE_QUOTES.includes(t[i]!)) {
        end = i;
        break;
      }
    }
    if (end < 0) return error('The team name has no closing quote.', example);
    const after = t.slice(end + 1);
    if (after !== '' && !/^\s/.test(after)) return error('Put a space after the team name’s closing quote.', example);
    const name = decodeEntities(t.slice(1, end)).trim();
    if (name === '') return error('The team name between the quotes is empty.', example);
    return { name, rest: after };
  }
  const [word = ''] = tokenize(t);
  if (word.startsWith('<')) return error('Name the team first, before any person or channel.', example);
  return { name: decodeEntities(word), rest: t.slice(word.length) };
}

const startsQuoted = (text: string): boolean => OPEN_QUOTES.includes(text.trimStart()[0] ?? '');

/** People named with @ (Slack's escaped mentions), or why not. */
function people(words: string[], example: string): { userIds: string[] } | Failed {
  if (words.length === 0) return error('Name at least one person with @.', example);
  const userIds: string[] = [];
  for (const word of words) {
    const mention = parseUserMention(word);
    if (!mention) {
      const shown = codeSafe(decodeEntities(word.replace(/^<[@#!]?([^|>]*)(?:\|([^>]*))?>$/, (_, id: string, name?: string) => name ?? id)));
      return error(
        word.startsWith('<') || word.startsWith('#')
          ? `\`${shown}\` is not a person. Name people with @.`
          : `\`${shown}\` is not a linked person. Pick each person from Slack’s list as you type @, so Slack links them.`,
        example,
      );
    }
    if (!userIds.includes(mention.id)) userIds.push(mention.id);
  }
  return { userIds };
}

/** One channel picked with # (Slack's escaped `<#C123|name>`), or why not. */
function channel(words: string[], example: string): { channelId: string } | Failed {
  if (words.length === 0) return error('Name the home channel with #.', example);
  if (words.length > 1) return error('Name one channel only.', example);
  const parsed = parseChannelMention(words[0]!);
  if (!parsed) return error(`\`${codeSafe(decodeEntities(words[0]!))}\` is not a linked channel. Pick the channel from Slack’s list as you type #, so Slack links it.`, example);
  return { channelId: parsed.id };
}

/** `/sales-admin team <text>`. */
export function parseTeamCommand(text: string): TeamCommand {
  const trimmed = text.trim();
  if (trimmed === '') return error('Say what to do with which team.', TEAM_EXAMPLES.create);
  const [first = ''] = tokenize(trimmed);
  if (first.toLowerCase() === 'create') {
    const afterCreate = trimmed.slice(first.length);
    const taken = takeName(afterCreate, TEAM_EXAMPLES.create);
    if ('kind' in taken) return taken;
    const words = tokenize(taken.rest);
    if (words.length === 0) return { kind: 'create', name: taken.name, channelId: null };
    if (!startsQuoted(afterCreate) && !words[0]!.startsWith('<#') && !words[0]!.startsWith('#')) {
      return error('Put a team name with spaces in quotes.', TEAM_EXAMPLES.create);
    }
    const ch = channel(words, TEAM_EXAMPLES.create);
    if ('kind' in ch) return ch;
    return { kind: 'create', name: taken.name, channelId: ch.channelId };
  }

  const taken = takeName(trimmed, TEAM_EXAMPLES.add);
  if ('kind' in taken) return taken;
  const team = taken.name;
  const quoted = startsQuoted(trimmed);
  const [verb = '', ...words] = tokenize(taken.rest);
  switch (verb.toLowerCase()) {
    case '':
      return error(`Say what to do with the team: ${TEAM_VERBS}.`, TEAM_EXAMPLES.add);
    case 'add':
    case 'remove': {
      const example = verb.toLowerCase() === 'add' ? TEAM_EXAMPLES.add : TEAM_EXAMPLES.remove;
      const p = people(words, example);
      return 'kind' in p ? p : { kind: verb.toLowerCase() as 'add' | 'remove', team, userIds: p.userIds };
    }
    case 'manager':
    case 'managers': {
      const sub = (words[0] ?? '').toLowerCase();
      const removing = sub === 'remove';
      const rest = sub === 'remove' || sub === 'add' ? words.slice(1) : words;
      const p = people(rest, removing ? TEAM_EXAMPLES.managerRemove : TEAM_EXAMPLES.manager);
      return 'kind' in p ? p : { kind: removing ? 'manager-remove' : 'manager-add', team, userIds: p.userIds };
    }
    case 'channel': {
      const ch = channel(words, TEAM_EXAMPLES.channel);
      return 'kind' in ch ? ch : { kind: 'channel', team, channelId: ch.channelId };
    }
    case 'rename': {
      const next = takeName(taken.rest.trimStart().slice(verb.length), TEAM_EXAMPLES.rename);
      if ('kind' in next) return next;
      if (next.rest.trim() !== '') return error('Put a new name with spaces in quotes.', TEAM_EXAMPLES.rename);
      return { kind: 'rename', team, name: next.name };
    }
    case 'delete':
      if (words.length) return error('`delete` takes nothing after it.', TEAM_EXAMPLES.delete);
      return { kind: 'delete', team };
    default:
      return quoted
        ? error(`I don't know \`${codeSafe(decodeEntities(verb))}\` for a team. Use ${TEAM_VERBS}.`, TEAM_EXAMPLES.add)
        : error(`I don't know \`${codeSafe(decodeEntities(verb))}\` for a team. Use ${TEAM_VERBS}; put a team name with spaces in quotes.`, TEAM_EXAMPLES.add);
  }
}

/** `/sales-admin admin <text>`: `@a @b` grants, `remove @a` revokes. */
export function parseAdminRoleCommand(text: string): AdminRoleCommand {
  const words = tokenize(text.trim());
  if (words.length === 0) return error('Name the people to make admins with @.', TEAM_EXAMPLES.grant);
  const removing = words[0]!.toLowerCase() === 'remove';
  const adding = words[0]!.toLowerCase() === 'add';
  const example = removing ? TEAM_EXAMPLES.revoke : TEAM_EXAMPLES.grant;
  const p = people(removing || adding ? words.slice(1) : words, example);
  return 'kind' in p ? p : { kind: removing ? 'revoke' : 'grant', userIds: p.userIds };
}
