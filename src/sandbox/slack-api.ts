/**
 * The sandbox's Slack Web API: a local implementation of the parts of Slack the bot uses. The tests run
 * it headless as their fake Slack; `npm start` without credentials puts the sandbox page in front of it.
 *
 * It answers and refuses the way Slack does, driven by Slack's published method reference in
 * ./slack-methods/<method>.json: unknown methods, bad tokens, missing scopes and missing arguments are
 * refused, and Block Kit payloads are checked against the cheap limits. What the app posts lands in a
 * Workspace (messages, threads, files, Home tabs, modals), and every request can be recorded so a test
 * can assert on what the app sent; failures can be injected.
 *
 * Pass `slack.apiUrl` to Bolt as `clientOptions.slackApiUrl`, and `slack.responseUrl` to the signed
 * request sender so `respond()` lands here too.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { systemClock, type Clock } from '../lib/clock.js';
import { Workspace, type ResponseUrlContext, type StoredFile } from './workspace.js';

// ---------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------

export interface FakeSlackOptions {
  /** Token the fake accepts; anything else is `invalid_auth`. Default 'xoxb-test-token'. */
  botToken?: string;
  /** Bot scopes granted to the token, normally `manifestBotScopes()`. */
  scopes: string[];
  /** Default 'T0001'. */
  teamId?: string;
  /** Default 'Example'. */
  teamName?: string;
  /** The bot's user, bot and app ids; default UBOT, B0001, A123456. */
  bot?: { userId: string; botId: string; appId: string };
  /** Where posted messages, views and files land; default a new in-memory one. */
  workspace?: Workspace;
  /** Message timestamps follow this clock (the sandbox's can be moved); default the system clock. */
  clock?: Clock;
  /** Record every request in `calls` (tests); off for a long-running sandbox. Default true. */
  record?: boolean;
  /** Default 127.0.0.1 with a free port. */
  listen?: { host?: string; port?: number };
  /** Channel names for conversations.info (id -> name); other ids get a name made from the id. */
  channelNames?: Map<string, string>;
  /**
   * Requests outside the Slack endpoints (/api/, /response/, /upload/): the sandbox page. Resolve true
   * when handled; without it (or when it resolves false) they get 404.
   */
  routes?: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;
}

export interface RecordedCall {
  /** Web API method name, or 'response_url' / 'file_upload' for those endpoints. */
  method: string;
  /** Arguments as received; JSON-valued form fields (blocks, view, attachments, ...) are parsed. */
  args: Record<string, any>;
  /** Date.now() when the request arrived. */
  at: number;
  /** True when the fake answered with success (HTTP 200 and, for the Web API, `ok: true`). */
  ok: boolean;
  /** HTTP status the fake answered with. */
  status: number;
  /** Slack error code when refused (e.g. 'missing_scope', 'ratelimited', 'expired_url'). */
  error?: string;
  /** The body the fake answered with (parsed JSON for the Web API, text otherwise). */
  response?: unknown;
  /** For 'response_url' calls: the id the URL was made with. */
  responseUrlId?: string;
}

export interface FakeUserProfile {
  display_name: string;
  real_name: string;
  email?: string;
  [field: string]: unknown;
}

export interface FakeUser {
  id: string;
  team_id: string;
  name: string;
  real_name: string;
  tz: string;
  tz_label: string;
  /** Seconds east of UTC, as Slack reports it (for the current date unless given). */
  tz_offset: number;
  is_admin: boolean;
  is_owner: boolean;
  is_primary_owner: boolean;
  is_restricted: boolean;
  is_ultra_restricted: boolean;
  deleted: boolean;
  is_bot: boolean;
  is_app_user: boolean;
  locale?: string;
  profile: FakeUserProfile;
}

export type FakeUserInput = Partial<Omit<FakeUser, 'profile'>> & { id: string; profile?: Partial<FakeUserProfile> };

export interface FailureSpec {
  /** Slack error code: answered as HTTP 200 `{ok:false, error}` (for response_url/file_upload: HTTP 400 with that text). */
  error?: string;
  /** HTTP status: 429 answers with a Retry-After header; 5xx answers with that status. */
  status?: number;
  /** Seconds for the Retry-After header of a 429. Default 1. */
  retryAfter?: number;
  /** How many consecutive calls fail. Default 1. */
  times?: number;
}

export interface WaitForOptions {
  /** Also match calls the fake refused. By default only successful calls match. */
  includeFailed?: boolean;
}

export interface FakeSlack {
  /** e.g. 'http://127.0.0.1:PORT/api/' (trailing slash: @slack/web-api requests `slackApiUrl + method`). */
  apiUrl: string;
  /** e.g. 'http://127.0.0.1:PORT' */
  baseUrl: string;
  port: number;
  /**
   * A URL on this server acting as Slack's response_url; `id` defaults to a fresh unique one. With `context`,
   * its replies land in that conversation as Slack shows them (ephemeral to the person, or in the channel).
   */
  responseUrl(id?: string, context?: ResponseUrlContext): string;
  /** A trigger id for something `userId` just did: a modal opened with it opens for them, within 3 seconds. */
  issueTrigger(userId: string): string;
  /** The next message timestamp: follows the clock, always increasing (shared by everything that adds a message). */
  nextTs(): string;
  workspace: Workspace;
  calls: RecordedCall[];
  /** Every call to `method`, refused ones included (check `.ok`). */
  callsTo(method: string): RecordedCall[];
  /**
   * Resolves with the first successful call to `method` matching `predicate`, already recorded or still to come.
   * Rejects after `timeoutMs` (default 5000) with the list of calls seen, refusals and their errors included.
   */
  waitFor(
    method: string,
    predicate?: (call: RecordedCall) => boolean,
    timeoutMs?: number,
    options?: WaitForOptions,
  ): Promise<RecordedCall>;
  /** Forget recorded calls and pending failNext failures; users, channelsWithoutBot and issued ids stay. */
  reset(): void;
  users: Map<string, FakeUser>;
  addUser(user: FakeUserInput): FakeUser;
  /** Make the next call(s) to `method` (a Web API method, 'response_url' or 'file_upload') fail. */
  failNext(method: string, response: FailureSpec): void;
  /** Conversations the bot is not a member of: posting there is refused as Slack refuses it. */
  channelsWithoutBot: Set<string>;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Slack's method reference
// ---------------------------------------------------------------------------------------------

interface MethodSpec {
  args: Record<string, { required?: boolean }>;
  errors: Record<string, string>;
  scopes: { bot?: { name: string }[] };
}

const METHODS_DIR = fileURLToPath(new URL('./slack-methods/', import.meta.url));
let methodSpecCache: Map<string, MethodSpec> | undefined;

function methodSpecs(): Map<string, MethodSpec> {
  if (!methodSpecCache) {
    methodSpecCache = new Map();
    for (const file of readdirSync(METHODS_DIR)) {
      if (!file.endsWith('.json')) continue;
      const spec = JSON.parse(readFileSync(METHODS_DIR + file, 'utf8')) as Partial<MethodSpec>;
      methodSpecCache.set(file.slice(0, -'.json'.length), {
        args: spec.args ?? {},
        errors: spec.errors ?? {},
        scopes: spec.scopes ?? {},
      });
    }
  }
  return methodSpecCache;
}

const MANIFEST_PATH = fileURLToPath(new URL('../../manifest.yml', import.meta.url));

/** What the sandbox reads from a Slack app manifest: the bot scopes, slash commands and global shortcuts. */
export interface AppManifest {
  scopes: string[];
  commands: { command: string; description: string; usage_hint?: string; should_escape?: boolean }[];
  shortcuts: { name: string; type: string; callback_id: string; description: string }[];
}

export function readManifest(manifestPath = MANIFEST_PATH): AppManifest {
  const manifest = parseYaml(readFileSync(manifestPath, 'utf8')) as {
    oauth_config?: { scopes?: { bot?: string[] } };
    features?: { slash_commands?: AppManifest['commands']; shortcuts?: AppManifest['shortcuts'] };
  };
  return {
    scopes: manifest.oauth_config?.scopes?.bot ?? [],
    commands: manifest.features?.slash_commands ?? [],
    shortcuts: (manifest.features?.shortcuts ?? []).filter((s) => s.type === 'global'),
  };
}

/** Bot scopes declared in a Slack app manifest (`oauth_config.scopes.bot`). */
export function manifestBotScopes(manifestPath = MANIFEST_PATH): string[] {
  return readManifest(manifestPath).scopes;
}

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

/** Form fields Slack decodes as JSON. */
const JSON_FIELDS = new Set(['blocks', 'attachments', 'view', 'metadata', 'files', 'unfurled_attachments', 'unfurls', 'options', 'option_groups']);

// ---------------------------------------------------------------------------------------------
// Errors and small utilities
// ---------------------------------------------------------------------------------------------

class SlackApiError extends Error {
  constructor(
    readonly code: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(code);
  }
}

function invalidArguments(messages: string[]): SlackApiError {
  return new SlackApiError('invalid_arguments', { response_metadata: { messages } });
}

export class BadRequest extends Error {}

type Json = Record<string, any>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isMissing(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

function randomToken(length: number): string {
  let out = '';
  while (out.length < length) out += Math.random().toString(36).slice(2);
  return out.slice(0, length);
}

function describeCall(call: RecordedCall, index: number): string {
  const outcome = call.ok ? 'ok' : `refused ${call.error ?? `HTTP ${call.status}`}`;
  const extra = !call.ok && isObject(call.response) && call.response.needed ? ` (needed ${call.response.needed})` : '';
  const shown = Object.fromEntries(
    Object.entries(call.args).map(([key, value]) => [key, Buffer.isBuffer(value) ? `<${value.length} bytes>` : value]),
  );
  let args = JSON.stringify(shown);
  if (args.length > 200) args = `${args.slice(0, 200)}…`;
  return `  #${index + 1} ${call.method}: ${outcome}${extra} ${args}`;
}

function tzOffsetSeconds(timeZone: string, at = new Date()): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(at);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const wallClockAsUtc = Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second'));
  return Math.round((wallClockAsUtc - Math.floor(at.getTime() / 1000) * 1000) / 1000);
}

function tzLabel(timeZone: string, at = new Date()): string {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'long' }).formatToParts(at);
  return parts.find((p) => p.type === 'timeZoneName')?.value ?? timeZone;
}

// ---------------------------------------------------------------------------------------------
// Block Kit checks (the cheap ones; Slack rejects the whole payload past them)
// ---------------------------------------------------------------------------------------------

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
function viewProblems(view: unknown, expectedTypes: string[]): string[] {
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
function messageContentError(args: Json): SlackApiError | undefined {
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

// ---------------------------------------------------------------------------------------------
// Request parsing
// ---------------------------------------------------------------------------------------------

const MAX_BODY_BYTES = 50 * 1024 * 1024;

/** A request's body, refused past `maxBytes` (with BadRequest 'request_too_large'). */
export async function readBody(req: IncomingMessage, maxBytes = MAX_BODY_BYTES): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new BadRequest('request_too_large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

interface ParsedRequest {
  args: Json;
  /** True when the body was JSON (Slack ignores a `token` field there; the header must carry it). */
  isJson: boolean;
}

function decodeJsonFields(args: Json): Json {
  for (const [key, value] of Object.entries(args)) {
    if (JSON_FIELDS.has(key) && typeof value === 'string') {
      try {
        args[key] = JSON.parse(value);
      } catch {
        // Left as a string: the method's checks refuse it as Slack would.
      }
    }
  }
  return args;
}

async function parseRequest(req: IncomingMessage, raw: Buffer, url: URL): Promise<ParsedRequest> {
  const args: Json = Object.fromEntries(url.searchParams);
  const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (raw.length === 0) return { args: decodeJsonFields(args), isJson: false };
  if (contentType === 'application/json') {
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new BadRequest('invalid_json');
    }
    if (!isObject(body)) throw new BadRequest('invalid_json');
    return { args: { ...args, ...body }, isJson: true };
  }
  if (contentType === 'multipart/form-data') {
    let form: FormData;
    try {
      form = await new Request('http://fake.local/', {
        method: 'POST',
        headers: { 'content-type': String(req.headers['content-type']) },
        body: new Uint8Array(raw),
      }).formData();
    } catch {
      throw new BadRequest('invalid_form_data');
    }
    for (const [key, value] of form) {
      args[key] = typeof value === 'string' ? value : Buffer.from(await value.arrayBuffer());
    }
    return { args: decodeJsonFields(args), isJson: false };
  }
  // application/x-www-form-urlencoded, and what Slack does with anything else: read it as a form.
  for (const [key, value] of new URLSearchParams(raw.toString('utf8'))) args[key] = value;
  return { args: decodeJsonFields(args), isJson: false };
}

function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header.trim()) : null;
  return match?.[1];
}

// ---------------------------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------------------------

interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

interface PendingFailure extends FailureSpec {
  remaining: number;
}

interface Waiter {
  method: string;
  predicate?: (call: RecordedCall) => boolean;
  includeFailed: boolean;
  resolve: (call: RecordedCall) => void;
}

interface UploadSlot {
  filename: string;
  length: number;
  title?: string;
  data?: Buffer;
}

/** Conversation kinds by ID prefix, as the scope families that cover them. */
const CONVERSATION_SCOPE_FAMILIES: Record<string, string[]> = {
  C: ['channels', 'groups'],
  G: ['groups', 'mpim'],
  D: ['im'],
  mpim: ['mpim'],
};
const SCOPE_FAMILIES = new Set(['channels', 'groups', 'im', 'mpim']);

const RESPONSE_URL_MAX_USES = 5;
/** A response_url works for 30 minutes. */
const RESPONSE_URL_LIFETIME_MS = 30 * 60_000;
/** A trigger id opens a modal within 3 seconds. */
const TRIGGER_LIFETIME_MS = 3_000;

function mimeTypeOf(filename: string): string {
  const extension = filename.toLowerCase().split('.').pop() ?? '';
  const known: Record<string, string> = { png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', svg: 'image/svg+xml', csv: 'text/csv', txt: 'text/plain', pdf: 'application/pdf', json: 'application/json' };
  return known[extension] ?? 'application/octet-stream';
}

export async function startFakeSlack(opts: FakeSlackOptions): Promise<FakeSlack> {
  const botToken = opts.botToken ?? 'xoxb-test-token';
  const teamId = opts.teamId ?? 'T0001';
  const teamName = opts.teamName ?? 'Example';
  const bot = opts.bot ?? { userId: 'UBOT', botId: 'B0001', appId: 'A123456' };
  const workspace = opts.workspace ?? new Workspace();
  const clock = opts.clock ?? systemClock;
  const recording = opts.record ?? true;
  const grantedScopes = [...opts.scopes];
  const specs = methodSpecs();

  const calls: RecordedCall[] = [];
  const waiters = new Set<Waiter>();
  const failures = new Map<string, PendingFailure[]>();
  const users = new Map<string, FakeUser>();
  const channelsWithoutBot = new Set<string>();
  const responseUrlUses = new Map<string, number>();
  const responseUrlMadeAt = new Map<string, number>();
  const usedTriggers = new Set<string>();
  const viewHashes = new Map<string, string>();
  const homeViewIds = new Map<string, string>();
  const uploads = new Map<string, UploadSlot>();
  // Ids keep increasing across restarts of a saved workspace: they start from the time.
  let counter = Date.now();
  const latestTs = workspace.latestTs();
  let lastTsMicros = latestTs ? Math.round(Number(latestTs) * 1e6) : 0;
  let baseUrl = '';

  const nextId = (prefix: string) => `${prefix}${(++counter).toString(36).toUpperCase().padStart(9, '0')}`;
  /** Message timestamps follow the (possibly moved) clock, always increasing. */
  const nextTs = () => {
    lastTsMicros = Math.max(clock.now().getTime() * 1000, lastTsMicros + 100);
    return `${Math.floor(lastTsMicros / 1e6)}.${String(lastTsMicros % 1e6).padStart(6, '0')}`;
  };
  const newHash = () => `${Math.floor(Date.now() / 1000)}.${randomToken(8)}`;

  function record(call: RecordedCall): void {
    if (recording) calls.push(call);
    for (const waiter of [...waiters]) {
      if (matches(waiter, call)) {
        waiters.delete(waiter);
        waiter.resolve(call);
      }
    }
  }

  function matches(waiter: Pick<Waiter, 'method' | 'predicate' | 'includeFailed'>, call: RecordedCall): boolean {
    if (call.method !== waiter.method || (!call.ok && !waiter.includeFailed)) return false;
    try {
      return waiter.predicate ? waiter.predicate(call) : true;
    } catch {
      return false;
    }
  }

  function takeFailure(method: string): PendingFailure | undefined {
    const queue = failures.get(method);
    const failure = queue?.[0];
    if (!failure) return undefined;
    failure.remaining -= 1;
    if (failure.remaining <= 0) queue!.shift();
    return failure;
  }

  /** An injected failure, as Slack's Web API would answer it. */
  function apiFailure(failure: FailureSpec): Answer {
    const status = failure.status ?? 200;
    if (status === 429) {
      return {
        status,
        body: { ok: false, error: failure.error ?? 'ratelimited' },
        headers: { 'retry-after': String(failure.retryAfter ?? 1) },
      };
    }
    return { status, body: { ok: false, error: failure.error ?? (status === 200 ? 'internal_error' : 'fatal_error') } };
  }

  /** An injected failure for the non-API endpoints (plain-text answers). */
  function hookFailure(failure: FailureSpec): Answer {
    const status = failure.status ?? 400;
    const headers: Record<string, string> = status === 429 ? { 'retry-after': String(failure.retryAfter ?? 1) } : {};
    return { status, body: failure.error ?? (status === 429 ? 'rate_limited' : 'error'), headers };
  }

  function send(res: ServerResponse, answer: Answer): void {
    const isText = typeof answer.body === 'string';
    res.writeHead(answer.status, {
      'content-type': isText ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8',
      ...answer.headers,
    });
    res.end(isText ? answer.body : JSON.stringify(answer.body));
  }

  function scopesAccepted(method: string, args: Json, spec: MethodSpec): string[] {
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

  function checkRequired(method: string, args: Json, spec: MethodSpec): void {
    const missing = Object.entries(spec.args)
      .filter(([name, arg]) => arg.required && isMissing(args[name]))
      .map(([name]) => `[ERROR] missing required field: ${name}`);
    for (const group of ONE_OF[method] ?? []) {
      if (group.every((name) => isMissing(args[name]))) missing.push(`[ERROR] must provide one of: ${group.join(', ')}`);
    }
    if (missing.length) throw invalidArguments(missing);
  }

  function checkView(args: Json, types: string[]): Json {
    if (typeof args.view === 'string') throw invalidArguments(['[ERROR] invalid json [json-pointer:/view]']);
    const problems = viewProblems(args.view, types);
    if (problems.length) throw invalidArguments(problems);
    return args.view as Json;
  }

  /** Spend a trigger id; the person it was issued to, when this server issued it. */
  function useTrigger(args: Json): string | undefined {
    const trigger = String(args.trigger_id ?? args.interactivity_pointer);
    if (usedTriggers.has(trigger)) throw new SlackApiError('exchanged_trigger_id');
    usedTriggers.add(trigger);
    const issued = workspace.triggers.get(trigger);
    if (!issued) return undefined;
    workspace.triggers.delete(trigger);
    if (Date.now() > issued.expiresAt) throw new SlackApiError('expired_trigger_id');
    return issued.userId;
  }

  function viewResponse(view: Json, id: string, extra: Json = {}): Json {
    const hash = newHash();
    viewHashes.set(id, hash);
    return {
      view: {
        id,
        team_id: teamId,
        type: view.type,
        blocks: view.blocks ?? [],
        private_metadata: view.private_metadata ?? '',
        callback_id: view.callback_id ?? '',
        state: { values: {} },
        hash,
        title: view.title,
        clear_on_close: view.clear_on_close ?? false,
        notify_on_close: view.notify_on_close ?? false,
        close: view.close ?? null,
        submit: view.submit ?? null,
        previous_view_id: null,
        root_view_id: id,
        app_id: bot.appId,
        external_id: view.external_id ?? '',
        app_installed_team_id: teamId,
        bot_id: bot.botId,
        ...extra,
      },
    };
  }

  function checkHash(viewId: string | undefined, hash: unknown): void {
    if (viewId === undefined || isMissing(hash)) return;
    const current = viewHashes.get(viewId);
    if (current !== undefined && current !== hash) throw new SlackApiError('hash_conflict');
  }

  function botMessage(args: Json, ts: string): Json {
    return {
      type: 'message',
      subtype: 'bot_message',
      text: args.text ?? '',
      user: bot.userId,
      bot_id: bot.botId,
      app_id: bot.appId,
      team: teamId,
      ts,
      ...(args.blocks !== undefined ? { blocks: args.blocks } : {}),
      ...(args.attachments !== undefined ? { attachments: args.attachments } : {}),
      ...(args.thread_ts !== undefined ? { thread_ts: args.thread_ts } : {}),
      ...(args.metadata !== undefined ? { metadata: args.metadata } : {}),
    };
  }

  /** Slack posts to a user ID in that user's DM with the app. */
  const conversationFor = (channel: string) => (/^[UW]/.test(channel) ? `D${channel}` : channel);

  /** Keep what a message call posted, as the workspace shows it. */
  function storeMessage(args: Json, channel: string, ts: string, ephemeralTo?: string): void {
    workspace.addMessage({
      channel,
      ts,
      user: bot.userId,
      text: typeof args.text === 'string' ? args.text : '',
      ...(Array.isArray(args.blocks) ? { blocks: args.blocks } : {}),
      ...(isMissing(args.thread_ts) ? {} : { threadTs: String(args.thread_ts) }),
      ...(ephemeralTo ? { ephemeralTo } : {}),
    });
  }

  /** A view as the workspace keeps it, with the id and hash this server gave it. */
  function storedView(view: Json, answer: Json, userId: string, previous?: { id: string; rootViewId: string }) {
    return {
      id: answer.view.id as string,
      hash: answer.view.hash as string,
      view,
      userId,
      rootViewId: previous?.rootViewId ?? (answer.view.id as string),
      previousViewId: previous?.id ?? null,
    };
  }

  /** A reply sent to a response_url made with a context: shown where Slack would show it. */
  function deliverResponse(context: ResponseUrlContext, body: Json): void {
    const deleting = body.delete_original === true || body.delete_original === 'true';
    const replacing = body.replace_original === true || body.replace_original === 'true';
    if (deleting) {
      if (context.messageTs) workspace.deleteMessage(context.channel, context.messageTs);
      return;
    }
    const content = { text: typeof body.text === 'string' ? body.text : '', blocks: Array.isArray(body.blocks) ? body.blocks : undefined };
    if (replacing && context.messageTs && workspace.updateMessage(context.channel, context.messageTs, content)) return;
    const inChannel = body.response_type === 'in_channel';
    const ts = nextTs();
    storeMessage({ ...content, thread_ts: body.thread_ts }, context.channel, ts, inChannel ? undefined : context.userId);
  }

  const handlers: Record<string, (args: Json) => Json> = {
    'auth.test': () => ({
      url: 'https://example.slack.com/',
      team: teamName,
      user: 'salespulse',
      team_id: teamId,
      user_id: bot.userId,
      bot_id: bot.botId,
      is_enterprise_install: false,
    }),

    'team.info': () => ({
      team: { id: teamId, name: teamName, domain: 'example', email_domain: 'example.com', icon: { image_default: true } },
    }),

    'users.info': (args) => {
      const user = users.get(String(args.user));
      if (!user) throw new SlackApiError('user_not_found');
      return { user: args.include_locale === true || args.include_locale === 'true' ? { locale: 'en-US', ...user } : user };
    },

    'users.lookupByEmail': (args) => {
      const email = String(args.email).toLowerCase();
      const user = [...users.values()].find((u) => typeof u.profile.email === 'string' && u.profile.email.toLowerCase() === email);
      if (!user) throw new SlackApiError('users_not_found');
      return { user };
    },

    'chat.postMessage': (args) => {
      const channel = String(args.channel);
      const problem = messageContentError(args);
      if (problem) throw problem;
      // chat:write.public lets an app post in public channels it has not joined (not private ones, not ephemerally).
      const canPostUninvited = grantedScopes.includes('chat:write.public') && channel.startsWith('C');
      if (channelsWithoutBot.has(channel) && !canPostUninvited) throw new SlackApiError('not_in_channel');
      const ts = nextTs();
      storeMessage(args, conversationFor(channel), ts);
      return { channel: conversationFor(channel), ts, message: botMessage(args, ts) };
    },

    'chat.postEphemeral': (args) => {
      const problem = messageContentError(args);
      if (problem) throw problem;
      // Slack answers channel_not_found for an ephemeral message in a conversation the bot is not in.
      if (channelsWithoutBot.has(String(args.channel))) throw new SlackApiError('channel_not_found');
      const ts = nextTs();
      storeMessage(args, conversationFor(String(args.channel)), ts, String(args.user));
      return { message_ts: ts };
    },

    'chat.update': (args) => {
      const problem = messageContentError(args);
      if (problem) throw problem;
      if (channelsWithoutBot.has(String(args.channel))) throw new SlackApiError('channel_not_found');
      const ts = String(args.ts);
      if (!workspace.updateMessage(conversationFor(String(args.channel)), ts, { text: args.text ?? '', blocks: args.blocks })) {
        throw new SlackApiError('message_not_found');
      }
      return { channel: String(args.channel), ts, text: args.text ?? '', message: botMessage(args, ts) };
    },

    'chat.delete': (args) => {
      if (channelsWithoutBot.has(String(args.channel))) throw new SlackApiError('channel_not_found');
      if (!workspace.deleteMessage(conversationFor(String(args.channel)), String(args.ts))) throw new SlackApiError('message_not_found');
      return { channel: String(args.channel), ts: String(args.ts) };
    },

    'conversations.open': (args) => {
      if (isMissing(args.users) && isMissing(args.channel)) throw new SlackApiError('users_list_not_supplied');
      if (!isMissing(args.channel)) return { channel: { id: String(args.channel) } };
      const ids = String(args.users)
        .split(',')
        .map((id) => id.trim())
        .filter(Boolean);
      if (ids.length > 8) throw new SlackApiError('too_many_users');
      for (const id of ids) {
        if (users.get(id)?.deleted) throw new SlackApiError('user_disabled');
      }
      const id = ids.length === 1 ? `D${ids[0]}` : `G${ids.join('').slice(0, 16)}`;
      const full = args.return_im === true || args.return_im === 'true';
      return {
        channel: full && ids.length === 1 ? { id, is_im: true, user: ids[0], created: Math.floor(Date.now() / 1000), is_user_deleted: false } : { id },
      };
    },

    'conversations.info': (args) => {
      const id = String(args.channel);
      const isIm = id.startsWith('D');
      return {
        channel: {
          id,
          name: isIm ? undefined : (opts.channelNames?.get(id) ?? id.toLowerCase()),
          is_channel: id.startsWith('C'),
          is_group: id.startsWith('G'),
          is_im: isIm,
          is_mpim: false,
          is_private: !id.startsWith('C'),
          is_archived: false,
          is_member: !channelsWithoutBot.has(id),
          ...(isIm && id.length > 1 ? { user: id.slice(1) } : {}),
        },
      };
    },

    'views.open': (args) => {
      const view = checkView(args, ['modal']);
      const userId = useTrigger(args);
      const answer = viewResponse(view, nextId('V'));
      if (userId) workspace.openModal(storedView(view, answer, userId), false);
      return answer;
    },

    'views.push': (args) => {
      const view = checkView(args, ['modal']);
      const userId = useTrigger(args);
      const top = userId ? workspace.topModal(userId) : undefined;
      const answer = viewResponse(view, nextId('V'), top ? { previous_view_id: top.id, root_view_id: top.rootViewId } : {});
      if (userId) workspace.openModal(storedView(view, answer, userId, top), true);
      return answer;
    },

    'views.update': (args) => {
      const view = checkView(args, ['modal', 'home']);
      const stored = isMissing(args.view_id)
        ? [...workspace.modals.values()].flat().find((v) => !isMissing(args.external_id) && v.view.external_id === args.external_id)
        : workspace.findView(String(args.view_id));
      // Slack answers not_found for a view it never opened (this server knows every id it gave out).
      if (!stored && (isMissing(args.view_id) || !viewHashes.has(String(args.view_id)))) throw new SlackApiError('not_found');
      const id = stored?.id ?? String(args.view_id);
      // A stored view's hash is the current one (the page may have replaced the view after a response_action).
      if (stored && !isMissing(args.hash) && stored.hash !== args.hash) throw new SlackApiError('hash_conflict');
      checkHash(id, args.hash);
      const answer = viewResponse(view, id, stored ? { previous_view_id: stored.previousViewId, root_view_id: stored.rootViewId } : {});
      if (stored) {
        stored.view = view;
        stored.hash = answer.view.hash;
        delete stored.errors;
        workspace.changed({ kind: view.type === 'home' ? 'home' : 'modal', userId: stored.userId });
      }
      return answer;
    },

    'views.publish': (args) => {
      const view = checkView(args, ['home']);
      const userId = String(args.user_id);
      const id = homeViewIds.get(userId) ?? workspace.homeViews.get(userId)?.id ?? nextId('V');
      homeViewIds.set(userId, id);
      checkHash(id, args.hash);
      const answer = viewResponse(view, id);
      workspace.setHome(storedView(view, answer, userId));
      return answer;
    },

    'files.getUploadURLExternal': (args) => {
      const length = Number(args.length);
      if (!Number.isInteger(length) || length <= 0) throw invalidArguments(['[ERROR] length must be a positive integer']);
      const fileId = nextId('F');
      uploads.set(fileId, { filename: String(args.filename), length });
      return { upload_url: `${baseUrl}/upload/${fileId}`, file_id: fileId };
    },

    'files.completeUploadExternal': (args) => {
      const files = args.files;
      if (!Array.isArray(files) || files.length === 0 || !files.every((f) => isObject(f) && typeof f.id === 'string')) {
        throw invalidArguments(['[ERROR] files must be a non-empty array of {id, title?} [json-pointer:/files]']);
      }
      const channel = isMissing(args.channel_id) ? undefined : String(args.channel_id);
      if (channel && channelsWithoutBot.has(channel)) throw new SlackApiError('not_in_channel');
      if (args.blocks !== undefined) {
        const problems = blockKitProblems(args.blocks, '/blocks', 50);
        if (problems.length) throw new SlackApiError('invalid_blocks', { response_metadata: { messages: problems } });
      }
      const slots = files.map((f: Json) => {
        const slot = uploads.get(f.id);
        if (!slot?.data) throw new SlackApiError('file_not_found');
        slot.title = typeof f.title === 'string' && f.title !== '' ? f.title : slot.filename;
        return { id: f.id as string, slot: slot as Required<UploadSlot> };
      });
      const stored: StoredFile[] = slots.map(({ id, slot }) => ({ id, name: slot.filename, title: slot.title, mimetype: mimeTypeOf(slot.filename), size: slot.data.length }));
      slots.forEach(({ id, slot }, i) => {
        workspace.saveFile(stored[i]!, slot.data);
        uploads.delete(id);
      });
      if (channel) {
        // Shared into a conversation: Slack shows it as a message from the app (in the thread, with thread_ts).
        workspace.addMessage({
          channel: conversationFor(channel),
          ts: nextTs(),
          user: bot.userId,
          text: typeof args.initial_comment === 'string' ? args.initial_comment : '',
          ...(Array.isArray(args.blocks) ? { blocks: args.blocks } : {}),
          files: stored,
          ...(isMissing(args.thread_ts) ? {} : { threadTs: String(args.thread_ts) }),
        });
      }
      const completed = stored.map((f) => ({ id: f.id, title: f.title, name: f.name, mimetype: f.mimetype, size: f.size, user: bot.userId, channels: channel ? [channel] : [] }));
      return { files: completed };
    },
  };

  async function handleApi(req: IncomingMessage, res: ServerResponse, method: string, url: URL): Promise<void> {
    const raw = await readBody(req);
    let parsed: ParsedRequest;
    try {
      parsed = await parseRequest(req, raw, url);
    } catch (error) {
      const code = error instanceof BadRequest ? error.message : 'invalid_request';
      const answer: Answer = { status: 400, body: { ok: false, error: code } };
      record({ method, args: {}, at: Date.now(), ok: false, status: 400, error: code, response: answer.body });
      return send(res, answer);
    }
    const { args } = parsed;
    const answer = answerApi(req, method, parsed);
    const body = answer.body as Json;
    const ok = answer.status === 200 && body.ok === true;
    record({ method, args, at: Date.now(), ok, status: answer.status, error: ok ? undefined : body.error, response: body });
    send(res, answer);
  }

  function answerApi(req: IncomingMessage, method: string, { args, isJson }: ParsedRequest): Answer {
    const failure = takeFailure(method);
    if (failure) return apiFailure(failure);
    const refuse = (code: string, extra: Json = {}, headers?: Record<string, string>): Answer => ({
      status: 200,
      body: { ok: false, error: code, ...extra },
      headers,
    });

    const spec = specs.get(method);
    if (!spec) return refuse('unknown_method', { req_method: method });

    const token = bearerToken(req) ?? (isJson ? undefined : typeof args.token === 'string' ? args.token : undefined);
    if (!token) return refuse('not_authed');
    if (token !== botToken) return refuse('invalid_auth');
    delete args.token;

    const accepted = scopesAccepted(method, args, spec);
    const scopeHeaders = { 'x-oauth-scopes': grantedScopes.join(','), 'x-accepted-oauth-scopes': accepted.join(',') };
    if (accepted.length > 0 && !accepted.some((scope) => grantedScopes.includes(scope))) {
      return refuse('missing_scope', { needed: accepted[0], provided: grantedScopes.join(',') }, scopeHeaders);
    }

    try {
      checkRequired(method, args, spec);
      const handler = handlers[method];
      const result = handler ? handler(args) : {};
      return { status: 200, body: { ok: true, ...result }, headers: scopeHeaders };
    } catch (error) {
      if (error instanceof SlackApiError) return refuse(error.code, error.extra, scopeHeaders);
      throw error;
    }
  }

  async function handleResponseUrl(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    const raw = await readBody(req);
    const uses = (responseUrlUses.get(id) ?? 0) + 1;
    responseUrlUses.set(id, uses);
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      body = undefined;
    }
    const args: Json = isObject(body) ? body : { raw: raw.toString('utf8') };

    let answer: Answer;
    const failure = takeFailure('response_url');
    if (failure) answer = hookFailure(failure);
    else if (uses > RESPONSE_URL_MAX_USES || Date.now() - (responseUrlMadeAt.get(id) ?? Date.now()) > RESPONSE_URL_LIFETIME_MS) {
      answer = { status: 404, body: 'expired_url' };
    } else if (!isObject(body)) answer = { status: 400, body: 'invalid_payload' };
    else {
      const deleting = body.delete_original === true || body.delete_original === 'true';
      const problem = deleting ? undefined : messageContentError(body);
      answer = problem ? { status: 400, body: problem.code } : { status: 200, body: 'ok' };
      const context = workspace.responseUrls.get(id);
      if (!problem && context) deliverResponse(context, body);
    }
    const ok = answer.status === 200;
    record({
      method: 'response_url',
      args,
      at: Date.now(),
      ok,
      status: answer.status,
      error: ok ? undefined : String(answer.body),
      response: answer.body,
      responseUrlId: id,
    });
    send(res, answer);
  }

  async function handleUpload(req: IncomingMessage, res: ServerResponse, fileId: string): Promise<void> {
    const raw = await readBody(req);
    const slot = uploads.get(fileId);
    let data = raw;
    const contentType = String(req.headers['content-type'] ?? '');
    if (contentType.toLowerCase().startsWith('multipart/form-data')) {
      // @slack/web-api posts the bytes as a multipart form; Slack takes the first file part.
      try {
        const form = await new Request('http://fake.local/', {
          method: 'POST',
          headers: { 'content-type': contentType },
          body: new Uint8Array(raw),
        }).formData();
        const file = [...form.values()].find((value): value is File => typeof value !== 'string');
        if (file) data = Buffer.from(await file.arrayBuffer());
      } catch {
        return send(res, { status: 400, body: 'invalid_form_data' });
      }
    }
    const failure = takeFailure('file_upload');
    let answer: Answer;
    if (failure) answer = hookFailure(failure);
    else if (!slot) answer = { status: 404, body: 'file_not_found' };
    else {
      slot.data = data;
      answer = { status: 200, body: `OK - ${data.length}` };
    }
    const ok = answer.status === 200;
    record({
      method: 'file_upload',
      args: { file_id: fileId, filename: slot?.filename, length: data.length, data },
      at: Date.now(),
      ok,
      status: answer.status,
      error: ok ? undefined : String(answer.body),
      response: answer.body,
    });
    send(res, answer);
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake.local');
    const [, area, name, ...rest] = url.pathname.split('/');
    const slackArea = area === 'api' || area === 'response' || area === 'upload';
    if (!slackArea && opts.routes && (await opts.routes(req, res, url))) return;
    if (req.method !== 'POST' && !(req.method === 'GET' && area === 'api')) {
      return send(res, { status: 405, body: 'method_not_allowed' });
    }
    if (area === 'api' && name && rest.length === 0) return handleApi(req, res, decodeURIComponent(name), url);
    if (area === 'response' && name && rest.length === 0) return handleResponseUrl(req, res, decodeURIComponent(name));
    if (area === 'upload' && name && rest.length === 0) return handleUpload(req, res, decodeURIComponent(name));
    return send(res, { status: 404, body: 'not_found' });
  }

  const server: Server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      if (res.headersSent) return res.destroy();
      const badRequest = error instanceof BadRequest;
      send(res, { status: badRequest ? 400 : 500, body: { ok: false, error: badRequest ? error.message : `fake_slack_error: ${String(error)}` } });
    });
  });
  server.on('clientError', (_error, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.listen?.port ?? 0, opts.listen?.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://${opts.listen?.host ?? '127.0.0.1'}:${port}`;

  let responseUrlCounter = 0;
  /** A long-running sandbox hands out ids for hours: forget the ones that can no longer be used. */
  const forgetExpired = () => {
    const now = Date.now();
    for (const [id, madeAt] of responseUrlMadeAt) {
      if (now - madeAt <= RESPONSE_URL_LIFETIME_MS) continue;
      responseUrlMadeAt.delete(id);
      responseUrlUses.delete(id);
      workspace.responseUrls.delete(id);
    }
    for (const [trigger, issued] of workspace.triggers) if (now > issued.expiresAt) workspace.triggers.delete(trigger);
  };

  const fake: FakeSlack = {
    apiUrl: `${baseUrl}/api/`,
    baseUrl,
    port,
    responseUrl: (id = `r${++responseUrlCounter}-${randomToken(6)}`, context) => {
      if (responseUrlMadeAt.size > 2000) forgetExpired();
      responseUrlMadeAt.set(id, Date.now());
      if (context) workspace.responseUrls.set(id, context);
      return `${baseUrl}/response/${encodeURIComponent(id)}`;
    },
    issueTrigger(userId) {
      const trigger = `${Math.floor(Date.now() / 1000)}.${++responseUrlCounter}.${randomToken(21)}`;
      workspace.triggers.set(trigger, { userId, expiresAt: Date.now() + TRIGGER_LIFETIME_MS });
      return trigger;
    },
    nextTs,
    workspace,
    calls,
    callsTo: (method) => calls.filter((call) => call.method === method),
    waitFor(method, predicate, timeoutMs = 5000, options = {}) {
      const waiter = { method, predicate, includeFailed: options.includeFailed ?? false };
      const already = calls.find((call) => matches(waiter, call));
      if (already) return Promise.resolve(already);
      return new Promise<RecordedCall>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(entry);
          const seen = calls.length ? calls.map(describeCall).join('\n') : '  (none)';
          const what = `${options.includeFailed ? 'a' : 'a successful'} ${method} call${predicate ? ' matching the predicate' : ''}`;
          reject(new Error(`Fake Slack: timed out after ${timeoutMs}ms waiting for ${what}. Calls seen:\n${seen}`));
        }, timeoutMs);
        const entry: Waiter = {
          ...waiter,
          resolve: (call) => {
            clearTimeout(timer);
            resolve(call);
          },
        };
        waiters.add(entry);
      });
    },
    reset() {
      calls.length = 0;
      failures.clear();
    },
    users,
    addUser(input) {
      const name = input.name ?? `user.${input.id.toLowerCase()}`;
      const realName = input.real_name ?? input.profile?.real_name ?? `User ${input.id}`;
      const tz = input.tz ?? 'America/New_York';
      const user: FakeUser = {
        team_id: teamId,
        tz_label: tzLabel(tz),
        tz_offset: tzOffsetSeconds(tz),
        is_admin: false,
        is_owner: false,
        is_primary_owner: false,
        is_restricted: false,
        is_ultra_restricted: false,
        deleted: false,
        is_bot: false,
        is_app_user: false,
        ...input,
        name,
        real_name: realName,
        tz,
        profile: {
          display_name: name,
          display_name_normalized: input.profile?.display_name ?? name,
          real_name: realName,
          real_name_normalized: realName,
          email: `${name}@example.com`,
          ...input.profile,
        },
      };
      users.set(user.id, user);
      return user;
    },
    failNext(method, response) {
      const queue = failures.get(method) ?? [];
      queue.push({ ...response, remaining: response.times ?? 1 });
      failures.set(method, queue);
    },
    channelsWithoutBot,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
  return fake;
}
