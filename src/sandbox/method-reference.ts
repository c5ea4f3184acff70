/**
 * Slack's published method reference (./slack-methods/<method>.json: arguments, errors, bot scopes) and the
 * app manifest: what the sandbox's Web API accepts, refuses, and which scopes each call needs.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { packagePath } from '../lib/package-root.js';
import { invalidArguments } from './api-error.js';
import { isMissing, type Json } from './json-args.js';

export interface MethodSpec {
  args: Record<string, { required?: boolean }>;
  errors: Record<string, string>;
  scopes: { bot?: { name: string }[] };
  /** Slack's rate limit label, e.g. 'Tier 3: 50+ per minute' or 'Special rate limits apply.' */
  rateLimit?: string;
}

const METHODS_DIR = packagePath('src/sandbox/slack-methods');
let methodSpecCache: Map<string, MethodSpec> | undefined;

/** Every method in ./slack-methods/, read once. */
export function methodSpecs(): Map<string, MethodSpec> {
  if (!methodSpecCache) {
    methodSpecCache = new Map();
    for (const file of readdirSync(METHODS_DIR)) {
      if (!file.endsWith('.json')) continue;
      const spec = JSON.parse(readFileSync(path.join(METHODS_DIR, file), 'utf8')) as Partial<MethodSpec> & { rate_limit?: { label?: string } };
      methodSpecCache.set(file.slice(0, -'.json'.length), {
        args: spec.args ?? {},
        errors: spec.errors ?? {},
        scopes: spec.scopes ?? {},
        rateLimit: spec.rate_limit?.label,
      });
    }
  }
  return methodSpecCache;
}

export { manifestBotScopes, readManifest, type AppManifest } from '../lib/manifest.js';

/**
 * Arguments the reference marks optional but where one of a group is needed, and vice versa.
 * (conversations.open's "users or channel" is checked by its handler, which answers
 * users_list_not_supplied as Slack does.)
 */
const ONE_OF: Record<string, string[][]> = {
  'views.open': [['trigger_id', 'interactivity_pointer']],
  'views.push': [['trigger_id', 'interactivity_pointer']],
  'views.update': [['view_id', 'external_id']],
};

/** Conversation kinds by ID prefix, as the scope families that cover them. */
const CONVERSATION_SCOPE_FAMILIES: Record<string, string[]> = {
  C: ['channels', 'groups'],
  G: ['groups', 'mpim'],
  D: ['im'],
  mpim: ['mpim'],
};
const SCOPE_FAMILIES = new Set(['channels', 'groups', 'im', 'mpim']);

/**
 * The bot scopes that allow this call. A conversation method listing several conversation scopes needs the one
 * for the kind of conversation it touches.
 */
export function scopesAccepted(method: string, args: Json, spec: MethodSpec): string[] {
  const listed = (spec.scopes.bot ?? []).map((s) => s.name);
  const families = listed.map((name) => name.split(':')[0]!);
  if (listed.length < 2 || !families.every((family) => SCOPE_FAMILIES.has(family))) return listed;
  // A conversation method needs the scope for the kind of conversation it touches.
  let kind: string | undefined;
  if (method === 'conversations.open' && typeof args.users === 'string' && args.users !== '') {
    kind = args.users.split(',').length > 1 ? 'mpim' : 'D';
  } else if (typeof args.channel === 'string') {
    kind = method === 'conversations.open' && args.channel.startsWith('G') ? 'mpim' : args.channel[0];
  }
  const accepted = kind ? CONVERSATION_SCOPE_FAMILIES[kind] : undefined;
  const narrowed = accepted ? listed.filter((name) => accepted.includes(name.split(':')[0]!)) : [];
  return narrowed.length ? narrowed : listed;
}

/** Refuses a call missing an argument the reference requires (or one of a group), as `invalid_arguments`. */
export function checkRequired(method: string, args: Json, spec: MethodSpec): void {
  const missing = Object.entries(spec.args)
    .filter(([name, arg]) => arg.required && isMissing(args[name]))
    .map(([name]) => `[ERROR] missing required field: ${name}`);
  for (const group of ONE_OF[method] ?? []) {
    if (group.every((name) => isMissing(args[name]))) missing.push(`[ERROR] must provide one of: ${group.join(', ')}`);
  }
  if (missing.length) throw invalidArguments(missing);
}
