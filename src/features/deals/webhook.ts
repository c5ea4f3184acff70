/**
 * POST /webhooks/deals: closed deals from a CRM workflow (HubSpot, Salesforce, Pipedrive), signed per workspace.
 *
 * Contract (documented in the README, "CRM deal webhook"):
 * - Headers: `X-Sales-Pulse-Workspace: <team_id>`, `X-Sales-Pulse-Timestamp: <unix seconds>` (within 5 minutes of
 *   the server's clock, either way), `X-Sales-Pulse-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">`
 *   keyed with the workspace's webhook secret (`npm run cli -- webhook-secret --workspace <team_id>`).
 * - Body: a JSON object (at most 64 KiB), see `FIELD_SCHEMAS` in webhook-body.ts. Unknown fields are ignored.
 * - Answers: 200 `{ok, id, created}`; 400 `invalid_json` or `invalid_request` with `errors: [{field, message}]`;
 *   401 for anything wrong with the signature headers; 413 past 64 KiB; 415 unless the body is JSON; 400 for a body
 *   that is not UTF-8; 422 when the rep is a bot or deactivated; 503 (with Retry-After) when Slack cannot be asked
 *   about the rep or the database is unavailable.
 *   Nothing is stored unless the answer is 200.
 * - Idempotent: the same `external_id` again updates that deal (one row per workspace and external id).
 *
 * The parts: webhook-auth.ts (signature), webhook-body.ts (fields), rep-directory.ts (who the rep is),
 * webhook-http.ts (reading and answering); this file is the route that strings them together.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CustomRoute, webApi } from '@slack/bolt';
import { eq } from 'drizzle-orm';
import { workspaces } from '../../db/schema/index.js';
import { isDatabaseUnavailable } from '../../db/errors.js';
import type { Deps } from '../../deps.js';
import type { CelebrationQueue } from './celebrations.js';
import { upsertExternalDeal } from './queries.js';
import { SlackRepDirectory, SlackUnavailable, withTimeout } from './rep-directory.js';
import { authAnswer, authenticate } from './webhook-auth.js';
import { readDeal, type FieldError, type Rep } from './webhook-body.js';
import { BodyTooLarge, readRawBody, sendJson } from './webhook-http.js';

export const DEAL_WEBHOOK_PATH = '/webhooks/deals';

/** application/json, with or without parameters (charset=utf-8). */
function isJsonContentType(header: string | undefined): boolean {
  return (header ?? '').split(';')[0]!.trim().toLowerCase() === 'application/json';
}
export const MAX_WEBHOOK_BODY_BYTES = 64 * 1024;
/** How long the route waits for Slack to answer a rep lookup before answering 503 (the CRM retries). */
export const REP_LOOKUP_TIMEOUT_MS = 8_000;

/** A rep Slack knows but who cannot be credited with a deal: answered 422. */
interface RepRefused {
  refused: FieldError;
}

/** The rep's Slack user id, the field error saying why there is none, or why the person cannot be credited. */
async function resolveRep(directory: SlackRepDirectory, teamId: string, rep: Rep): Promise<{ userId: string } | FieldError | RepRefused> {
  const field = rep.kind === 'slack_user_id' ? 'slack_user_id' : 'email';
  const found =
    rep.kind === 'slack_user_id'
      ? await withTimeout(directory.checkUserId(teamId, rep.userId), REP_LOOKUP_TIMEOUT_MS)
      : await withTimeout(directory.userIdForEmail(teamId, rep.email), REP_LOOKUP_TIMEOUT_MS);
  if (!found.userId) return { field, message: `no Slack user with that ${field === 'email' ? 'email' : 'id'} in this workspace` };
  if (found.refused) return { refused: { field, message: `that Slack user is ${found.refused}; a deal is credited to a person who can use Slack` } };
  return { userId: found.userId };
}

/**
 * The deal webhook as a Bolt custom route (served beside /slack/events in HTTP mode, and on the health
 * server in Socket Mode). Bolt answers 404 to other methods on the path.
 */
export function dealWebhookRoute(
  deps: Deps,
  client: webApi.WebClient,
  celebrations: CelebrationQueue,
  directory: SlackRepDirectory = new SlackRepDirectory(client, deps.clock),
): CustomRoute {
  const logger = deps.logger.child({ component: 'deal-webhook' });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!isJsonContentType(req.headers['content-type'])) {
      logger.info({ status: 415, contentType: req.headers['content-type'] }, 'deal webhook refused: not JSON');
      sendJson(res, 415, { ok: false, error: 'unsupported_media_type', message: 'Send the body as JSON, with Content-Type: application/json.' }, { connection: 'close' });
      req.resume();
      return;
    }
    let raw: Buffer;
    try {
      raw = await readRawBody(req, MAX_WEBHOOK_BODY_BYTES);
    } catch (error) {
      if (!(error instanceof BodyTooLarge)) throw error;
      logger.info({ status: 413 }, 'deal webhook refused: body too large');
      // Stop reading; the connection closes after the answer.
      sendJson(res, 413, { ok: false, error: 'payload_too_large', message: `The body can be at most ${MAX_WEBHOOK_BODY_BYTES} bytes.` }, { connection: 'close' });
      req.resume();
      return;
    }

    const auth = await authenticate(deps, req, raw);
    if (!auth.ok) {
      logger.warn({ status: 401, reason: auth.reason, teamId: auth.teamId }, 'deal webhook refused: not authenticated');
      sendJson(res, 401, { ok: false, ...authAnswer(auth.reason) });
      return;
    }
    const { teamId } = auth;

    let text: string;
    try {
      // Invalid UTF-8 is refused, never silently replaced and stored.
      text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
    } catch {
      logger.info({ status: 400, teamId, reason: 'invalid_utf8' }, 'deal webhook refused: not UTF-8');
      sendJson(res, 400, { ok: false, error: 'invalid_encoding', message: 'The body is not valid UTF-8.' });
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (error) {
      logger.info({ status: 400, teamId, reason: 'invalid_json' }, 'deal webhook refused: malformed JSON');
      sendJson(res, 400, { ok: false, error: 'invalid_json', message: `The body is not valid JSON: ${(error as Error).message}` });
      return;
    }

    const [workspace] = await deps.db
      .select({ currency: workspaces.currency, timeZone: workspaces.defaultTimeZone })
      .from(workspaces)
      .where(eq(workspaces.teamId, teamId));
    const now = deps.clock.now();
    const read = readDeal(body, { defaultCurrency: workspace?.currency ?? 'USD', timeZone: workspace?.timeZone ?? 'UTC', now });
    if (!read.ok) {
      logger.info({ status: 400, teamId, fields: read.errors.map((e) => e.field) }, 'deal webhook refused: invalid fields');
      sendJson(res, 400, { ok: false, error: 'invalid_request', errors: read.errors });
      return;
    }
    const { externalId, rep, fields } = read.value;

    let resolved: { userId: string } | FieldError | RepRefused;
    try {
      resolved = await resolveRep(directory, teamId, rep);
    } catch (error) {
      const code = error instanceof SlackUnavailable ? error.code : 'error';
      logger.warn({ status: 503, teamId, externalId, code }, 'deal webhook refused: Slack could not be asked about the rep');
      sendJson(res, 503, { ok: false, error: 'slack_unavailable', message: `Slack could not be asked who the rep is (${code}); try again later.` }, { 'retry-after': '30' });
      return;
    }
    if ('refused' in resolved) {
      logger.info({ status: 422, teamId, externalId, fields: [resolved.refused.field] }, 'deal webhook refused: the rep cannot be credited');
      sendJson(res, 422, { ok: false, error: 'rep_not_creditable', errors: [resolved.refused] });
      return;
    }
    if ('field' in resolved) {
      logger.info({ status: 400, teamId, externalId, fields: [resolved.field] }, 'deal webhook refused: unknown rep');
      sendJson(res, 400, { ok: false, error: 'invalid_request', errors: [resolved] });
      return;
    }

    const { deal, created } = await upsertExternalDeal(deps.db, teamId, externalId, { userId: resolved.userId, ...fields }, 'webhook', now);
    logger.info({ status: 200, teamId, externalId, dealId: deal.id, created, dealStatus: deal.status }, created ? 'deal webhook stored a deal' : 'deal webhook updated a deal');
    sendJson(res, 200, { ok: true, id: deal.id, created });
    // Posted in the background, paced and at most once per deal; never holds up or fails the answer.
    if (deal.status === 'won') void celebrations.celebrate(deal);
  }

  return {
    path: DEAL_WEBHOOK_PATH,
    method: ['POST'],
    handler: (req, res) => {
      handle(req, res).catch((error: unknown) => {
        if (isDatabaseUnavailable(error)) {
          logger.warn({ err: error, status: 503 }, 'deal webhook refused: the database is unavailable');
          sendJson(res, 503, { ok: false, error: 'database_unavailable', message: 'The database is unavailable; nothing was stored. Try again later.' }, { 'retry-after': '30' });
          return;
        }
        logger.error({ err: error }, 'deal webhook failed');
        sendJson(res, 500, { ok: false, error: 'internal_error', message: 'Something went wrong; nothing was stored. Try again later.' });
      });
    },
  };
}
