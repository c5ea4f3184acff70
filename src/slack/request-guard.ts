/**
 * What a request to POST /slack/events passes before Bolt sees it (HTTP mode; app.ts wraps the receiver's listener):
 *
 * - a body of at most MAX_SLACK_BODY_BYTES (413 past it; Bolt's own limit is 4 MB);
 * - Slack's signature over the raw bytes, with a timestamp within five minutes either way (401);
 * - not a replay: the same signed request again is refused with 401 (replay-guard.ts, per process), except an
 *   Events API retry (JSON with X-Slack-Retry-Num), which Slack may send with the same signature;
 * - UTF-8 (400), and a body Bolt can route with the fields every handler relies on (400): an object, a slash command
 *   with its command, user_id and team_id, an interaction with its type, user and team, its actions or view, an
 *   event with its team and type. Without this, a signed `null` body crashed Bolt's receiver (an unhandled rejection
 *   and a request never answered), and a payload without a user answered 500 or "something went wrong".
 *
 * Bolt then parses and verifies the request again, as it always does; its checks stay on. `ssl_check=1` requests,
 * which Slack does not sign, go to Bolt untouched (it answers them without running any listener).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { parse as parseForm } from 'node:querystring';
import { z } from 'zod';
import type { Logger } from '../lib/logger.js';
import { ReplayGuard, SIGNATURE_WINDOW_SECONDS } from './replay-guard.js';

export const SLACK_EVENTS_PATH = '/slack/events';
/** Slack's largest payloads (a modal of 100 blocks with its state) are a few hundred KB. */
export const MAX_SLACK_BODY_BYTES = 1024 * 1024;

/** Bolt compares the content type exactly: anything else is read as JSON. */
const FORM = 'application/x-www-form-urlencoded';

export interface SlackRequestGuardOptions {
  signingSecret: string;
  logger: Logger;
  replays?: ReplayGuard;
  maxBodyBytes?: number;
  /** Milliseconds since the epoch; Bolt checks the timestamp against the system clock too. */
  now?: () => number;
}

// ---------------------------------------------------------------------------------------------
// The envelope: what Bolt routes on and every handler reads. Loose objects: Slack adds fields.

const id = z.string().min(1).max(255);

const slashCommand = z.looseObject({
  command: z.string().startsWith('/'),
  team_id: id,
  user_id: id,
  text: z.string().optional(),
  channel_id: z.string().optional(),
  trigger_id: z.string().optional(),
  response_url: z.string().optional(),
});

const interaction = z
  .looseObject({
    type: z.string(),
    user: z.looseObject({ id, team_id: z.string().optional() }),
    // Null for an app installed org-wide on Enterprise Grid: the user's team_id names the workspace then.
    team: z.looseObject({ id }).nullable().optional(),
  })
  .refine((p) => Boolean(p.team?.id ?? p.user.team_id), { message: 'no team id', path: ['team'] });

const INTERACTIONS: Record<string, z.ZodType> = {
  block_actions: z.looseObject({ actions: z.array(z.looseObject({ action_id: z.string(), value: z.string().optional() })).min(1) }),
  view_submission: z.looseObject({
    view: z.looseObject({
      id: z.string(),
      callback_id: z.string(),
      private_metadata: z.string().optional(),
      state: z.looseObject({ values: z.record(z.string(), z.record(z.string(), z.looseObject({}))) }),
    }),
  }),
  view_closed: z.looseObject({ view: z.looseObject({ id: z.string(), callback_id: z.string() }) }),
  shortcut: z.looseObject({ callback_id: z.string(), trigger_id: z.string() }),
  message_action: z.looseObject({ callback_id: z.string(), trigger_id: z.string() }),
  // An external_select asking for its options as the person types (entries/account-field.ts).
  block_suggestion: z.looseObject({ action_id: z.string(), block_id: z.string(), value: z.string() }),
};

const jsonBody = z.looseObject({ type: z.string() });

const JSON_BODIES: Record<string, z.ZodType> = {
  url_verification: z.looseObject({ challenge: z.string() }),
  event_callback: z.looseObject({ team_id: id, event: z.looseObject({ type: z.string() }) }),
};

/** The events the app subscribes to (manifest.yml), with the fields their listeners read. */
const EVENTS: Record<string, z.ZodType> = {
  app_home_opened: z.looseObject({ user: id }),
};

/** Where the envelope is wrong (field paths, never values), or undefined when Bolt and the handlers can use it. */
export function envelopeProblem(contentType: string | undefined, text: string): string | undefined {
  let body: unknown;
  try {
    if (contentType === FORM) {
      const form = parseForm(text);
      if (typeof form.payload !== 'string') return issues(slashCommand.safeParse(form));
      body = JSON.parse(form.payload);
      const base = interaction.safeParse(body);
      if (!base.success) return issues(base);
      const extra = INTERACTIONS[base.data.type];
      return extra ? issues(extra.safeParse(body)) : undefined;
    }
    body = JSON.parse(text);
  } catch {
    return 'not JSON';
  }
  const base = jsonBody.safeParse(body);
  if (!base.success) return issues(base);
  const extra = JSON_BODIES[base.data.type];
  const problem = extra ? issues(extra.safeParse(body)) : undefined;
  if (problem || base.data.type !== 'event_callback') return problem;
  const event = (body as { event: { type: string } }).event;
  const fields = Object.prototype.hasOwnProperty.call(EVENTS, event.type) ? EVENTS[event.type] : undefined;
  return fields ? issues(fields.safeParse(event), 'event') : undefined;
}

function issues(result: { success: true } | { success: false; error: z.ZodError }, prefix?: string): string | undefined {
  if (result.success) return undefined;
  return result.error.issues.map((i) => [prefix, ...i.path.map(String)].filter(Boolean).join('.') || '(body)').join(', ');
}

// ---------------------------------------------------------------------------------------------
// The HTTP wrapper

type Check = { pass: true; raw: Buffer } | { pass: false };

/** The receiver's request listener with the checks above in front of POST /slack/events; other requests pass as they are. */
export function guardSlackEvents(listener: RequestListener, options: SlackRequestGuardOptions): RequestListener {
  const replays = options.replays ?? new ReplayGuard();
  const maxBodyBytes = options.maxBodyBytes ?? MAX_SLACK_BODY_BYTES;
  const now = options.now ?? Date.now;
  const logger = options.logger.child({ component: 'slack-requests' });

  function refuse(res: ServerResponse, status: number, reason: string, extra: Record<string, unknown> = {}): Check {
    const log = status === 401 ? logger.warn.bind(logger) : logger.info.bind(logger);
    log({ status, reason, ...extra }, 'slack request refused');
    if (!res.headersSent) {
      res.writeHead(status, status === 413 ? { connection: 'close' } : {});
      res.end();
    }
    return { pass: false };
  }

  async function check(req: IncomingMessage, res: ServerResponse): Promise<Check> {
    const raw = await readBody(req, maxBodyBytes);
    if (raw === 'aborted') return { pass: false };
    if (raw === 'too_large') {
      refuse(res, 413, 'too_large', { limit: maxBodyBytes });
      req.resume();
      return { pass: false };
    }
    const contentType = req.headers['content-type'];
    // Slack's unsigned SSL check: Bolt answers it, strips anything else from it, and runs no listener.
    if (contentType === FORM && parseForm(raw.toString('utf8')).ssl_check === '1') return { pass: true, raw };

    const timestamp = header(req, 'x-slack-request-timestamp');
    const signature = header(req, 'x-slack-signature');
    if (!timestamp || !/^\d{1,12}$/.test(timestamp) || !signature) return refuse(res, 401, 'missing_signature');
    if (Math.abs(now() / 1000 - Number(timestamp)) > SIGNATURE_WINDOW_SECONDS) return refuse(res, 401, 'stale_timestamp');
    const given = /^v0=([0-9a-f]{64})$/.exec(signature);
    const expected = createHmac('sha256', options.signingSecret).update(`v0:${timestamp}:`).update(raw).digest();
    if (!given || !timingSafeEqual(expected, Buffer.from(given[1]!, 'hex'))) return refuse(res, 401, 'bad_signature');

    // Slack may re-send an event with the same signature (X-Slack-Retry-Num); event listeners are idempotent.
    const eventRetry = contentType !== FORM && req.headers['x-slack-retry-num'] !== undefined;
    if (!replays.firstUse(given[1]!, Number(timestamp), now()) && !eventRetry) return refuse(res, 401, 'replayed');

    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
    } catch {
      return refuse(res, 400, 'invalid_utf8');
    }
    const problem = envelopeProblem(contentType, text);
    if (problem) return refuse(res, 400, 'malformed_body', { contentType, fields: problem });
    return { pass: true, raw };
  }

  return (req, res) => {
    if (req.method?.toUpperCase() !== 'POST' || pathOf(req.url) !== SLACK_EVENTS_PATH) {
      listener(req, res);
      return;
    }
    check(req, res)
      .then((checked) => {
        if (!checked.pass) return;
        // Bolt reads the body from here instead of the stream, which is already consumed.
        (req as IncomingMessage & { rawBody?: Buffer }).rawBody = checked.raw;
        listener(req, res);
      })
      .catch((error: unknown) => {
        logger.error({ err: error }, 'a Slack request could not be checked');
        if (!res.headersSent) {
          res.writeHead(500);
          res.end();
        }
      });
  };
}

function pathOf(url: string | undefined): string | undefined {
  try {
    return new URL(url ?? '', 'http://localhost').pathname;
  } catch {
    return undefined;
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' ? value.trim() : undefined;
}

/** The raw body, or why there is none: over `limit` bytes (by Content-Length or while reading), or the client left. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too_large' | 'aborted'> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) return resolve('too_large');
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (value: Buffer | 'too_large' | 'aborted') => {
      if (done) return;
      done = true;
      req.off('data', onData);
      resolve(value);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) finish('too_large');
      else chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => finish(Buffer.concat(chunks)));
    req.on('close', () => finish('aborted'));
    req.on('error', (error) => {
      if (done) return;
      done = true;
      reject(error);
    });
  });
}
