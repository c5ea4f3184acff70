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
 *   about the rep or the database is unavailable; 409 `already_received` for a request whose signature was already
 *   accepted (a replay, or a retry of a request that was stored), 409 `out_of_order` for an update signed before
 *   the last one applied to that deal; 404 `unknown_deal` for a satisfaction-only follow-up whose external_id has no deal.
 *   Nothing is stored unless the answer is 200.
 * - Idempotent: the same `external_id` again updates that deal (one row per workspace and external id), in the
 *   order the requests were signed (X-Sales-Pulse-Timestamp); the same signed request is applied at most once.
 *   An update without `kind` or `satisfaction` keeps the deal's.
 * - A follow-up (a survey tool calling later): a body with only `external_id` and `satisfaction` scores the deal
 *   already stored under that id and changes nothing else; 404 `unknown_deal` when there is none (nothing stored).
 *   It takes its place in the deal's signed order like any other request.
 *
 * The parts: webhook-auth.ts (signature), webhook-receipts.ts (replays), webhook-body.ts (fields), rep-directory.ts
 * (who the rep is), webhook-http.ts (reading and answering); this file is the route that strings them together.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CustomRoute } from '@slack/bolt';
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { workspaces } from '../../db/schema/index.js';
import { isDatabaseUnavailable } from '../../db/errors.js';
import { beforeDeadline, commitBefore, CommitOutcomeUnknown, DeadlineExceeded, deadlineIn } from '../../db/commit-before.js';
import type { Deps } from '../../deps.js';
import type { SecretBox } from '../../lib/secret-box.js';
import type { CelebrationQueue } from './celebrations.js';
import { scoreExternalDeal, upsertExternalDeal, type Deal, type DealFields } from './queries.js';
import { SlackRepDirectory, SlackUnavailable, withTimeout } from './rep-directory.js';
import { authAnswer, authenticate, type Authenticated } from './webhook-auth.js';
import { readDeal, readScoreFollowUp, type FieldError, type Rep, type ScoreFollowUp } from './webhook-body.js';
import { BodyTooLarge, readRawBody, sendJson } from './webhook-http.js';
import { findReceipt, receiptExpiry, receiptPurger, recordReceipt } from './webhook-receipts.js';

export const DEAL_WEBHOOK_PATH = '/webhooks/deals';

/** application/json, with or without parameters (charset=utf-8). */
function isJsonContentType(header: string | undefined): boolean {
  return (header ?? '').split(';')[0]!.trim().toLowerCase() === 'application/json';
}
export const MAX_WEBHOOK_BODY_BYTES = 64 * 1024;
/** How long the route waits for Slack to answer a rep lookup before answering 503 (the CRM retries). */
export const REP_LOOKUP_TIMEOUT_MS = 8_000;
/**
 * How long the route waits for the database before answering 503 (the CRM retries): once for its reads before the
 * rep lookup, once for storing the deal, which is committed within it or not at all. A database that has not
 * answered by then is as good as down (see /readyz), and a CRM is answered instead of left waiting.
 */
export const WEBHOOK_DATABASE_DEADLINE_MS = 2_500;

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

/** The request's signature was accepted already (found while applying it): roll back, answer 409. */
class AlreadyReceived extends Error {
  constructor(readonly dealId: string) {
    super('already received');
  }
}

type Stored =
  | { kind: 'stored'; deal: Deal; created: boolean }
  | { kind: 'out_of_order'; deal: Deal }
  | { kind: 'already_received'; dealId: string }
  | { kind: 'unknown_deal' };

/**
 * Apply an authenticated request's deal (or a follow-up's score) at most once and in signing order, in one
 * transaction: the deal or its score (unless a request signed later was applied first, or, for a score, there is no
 * such deal), then its receipt (unless the same signature got there first, which undoes the change).
 */
async function storeOnce(db: Db, auth: Authenticated, externalId: string, change: { fields: DealFields } | { score: ScoreFollowUp }, now: Date): Promise<Stored> {
  const signedAt = new Date(auth.timestamp * 1000);
  try {
    return await commitBefore(db, deadlineIn(WEBHOOK_DATABASE_DEADLINE_MS), async (tx): Promise<Stored> => {
      let result: { applied: true; deal: Deal; created: boolean } | { applied: false; deal: Deal };
      if ('fields' in change) {
        result = await upsertExternalDeal(tx, auth.teamId, externalId, change.fields, 'webhook', now, signedAt);
      } else {
        const scored = await scoreExternalDeal(tx, auth.teamId, externalId, change.score.satisfaction, now, signedAt);
        if (scored.kind === 'unknown') return { kind: 'unknown_deal' };
        result = scored.kind === 'applied' ? { applied: true, deal: scored.deal, created: false } : { applied: false, deal: scored.deal };
      }
      if (!result.applied) return { kind: 'out_of_order', deal: result.deal };
      const recorded = await recordReceipt(tx, { teamId: auth.teamId, signature: auth.signature, dealId: result.deal.id, expiresAt: receiptExpiry(auth.timestamp) });
      // The same signature means the same body, so the same deal as the request that got there first.
      if (!recorded) throw new AlreadyReceived(result.deal.id);
      return { kind: 'stored', deal: result.deal, created: result.created };
    });
  } catch (error) {
    if (!(error instanceof AlreadyReceived)) throw error;
    return { kind: 'already_received', dealId: error.dealId };
  }
}

/** The 409 for a request already accepted: what a CRM retrying after a lost answer gets. */
function alreadyReceived(dealId: string) {
  return {
    ok: false,
    error: 'already_received',
    id: dealId,
    message:
      `This request (the same signature) was already received and stored as deal ${dealId}: it was not applied again. ` +
      'Treat it as delivered. To send the deal again, sign a new request with the current time.',
  };
}

/**
 * The deal webhook as a Bolt custom route (served beside /slack/events in HTTP mode, and on the health
 * server in Socket Mode). Bolt answers 404 to other methods on the path.
 */
export function dealWebhookRoute(
  deps: Deps,
  celebrations: CelebrationQueue,
  box: SecretBox,
  directory: SlackRepDirectory = new SlackRepDirectory(deps.slack, deps.clock),
): CustomRoute {
  const logger = deps.logger.child({ component: 'deal-webhook' });
  const receipts = receiptPurger(deps.db, logger);

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

    const readsBy = deadlineIn(WEBHOOK_DATABASE_DEADLINE_MS);
    const auth = await beforeDeadline(readsBy, authenticate(deps, box, req, raw));
    if (!auth.ok) {
      logger.warn({ status: 401, reason: auth.reason, teamId: auth.teamId }, 'deal webhook refused: not authenticated');
      sendJson(res, 401, { ok: false, ...authAnswer(auth.reason) });
      return;
    }
    const { teamId } = auth;
    // A replay, or a CRM retrying a request whose answer it lost: answered before any other work.
    const receipt = await beforeDeadline(readsBy, findReceipt(deps.db, teamId, auth.signature));
    if (receipt) {
      logger.info({ status: 409, teamId, dealId: receipt.dealId }, 'deal webhook refused: already received');
      sendJson(res, 409, alreadyReceived(receipt.dealId));
      return;
    }

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

    const [workspace] = await beforeDeadline(
      readsBy,
      deps.db
        .select({ currency: workspaces.currency, timeZone: workspaces.defaultTimeZone, satisfactionScale: workspaces.satisfactionScale })
        .from(workspaces)
        .where(eq(workspaces.teamId, teamId)),
    );
    const now = deps.clock.now();
    const readContext = { defaultCurrency: workspace?.currency ?? 'USD', timeZone: workspace?.timeZone ?? 'UTC', satisfactionScale: workspace?.satisfactionScale, now };
    // A survey tool's score for a deal already stored: no rep to look up, only the score changes.
    const followUp = readScoreFollowUp(body, readContext);
    if (followUp) {
      await answerFollowUp(followUp, auth, res, now);
      await receipts.after(now);
      return;
    }
    const read = readDeal(body, readContext);
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

    const stored = await storeOnce(deps.db, auth, externalId, { fields: { userId: resolved.userId, ...fields } }, now);
    answer(res, auth, externalId, stored);
    // After the answer: receipts that left the signature window, at most once a minute.
    await receipts.after(now);
  }

  /** The answer to a request applied (or not) by storeOnce; a won deal stored by a deal request is celebrated. */
  function answer(res: ServerResponse, auth: Authenticated, externalId: string, stored: Stored, followUp = false): void {
    const { teamId } = auth;
    if (stored.kind === 'already_received') {
      logger.info({ status: 409, teamId, externalId, dealId: stored.dealId }, 'deal webhook refused: already received');
      sendJson(res, 409, alreadyReceived(stored.dealId));
    } else if (stored.kind === 'unknown_deal') {
      logger.info({ status: 404, teamId, externalId }, 'deal webhook refused: satisfaction for an unknown deal');
      sendJson(res, 404, {
        ok: false,
        error: 'unknown_deal',
        errors: [
          {
            field: 'external_id',
            message:
              `no deal with external_id "${externalId}" in this workspace (or it was undone): a body with only external_id and satisfaction scores a deal already sent. ` +
              'Send the deal first (with status and the rep), or send the score with the deal. Nothing was stored.',
          },
        ],
      });
    } else if (stored.kind === 'out_of_order') {
      const latest = stored.deal.webhookTimestamp!;
      const latestSeconds = Math.floor(latest.getTime() / 1000);
      logger.info({ status: 409, teamId, externalId, dealId: stored.deal.id, timestamp: auth.timestamp, latest: latest.toISOString() }, 'deal webhook refused: out of order');
      sendJson(res, 409, {
        ok: false,
        error: 'out_of_order',
        id: stored.deal.id,
        latest_timestamp: latestSeconds,
        message:
          `An update of external_id "${externalId}" signed later (X-Sales-Pulse-Timestamp ${latestSeconds}, ${latest.toISOString()}) was already applied; ` +
          `this one, signed at ${auth.timestamp} (${new Date(auth.timestamp * 1000).toISOString()}), is older and was not applied. ` +
          (followUp ? 'To record this satisfaction score, send it again signed with the current time.' : 'Nothing to do: the deal has the newer data.'),
      });
    } else {
      const { deal, created } = stored;
      if (followUp) {
        logger.info({ status: 200, teamId, externalId, dealId: deal.id }, 'deal webhook scored a deal');
        sendJson(res, 200, { ok: true, id: deal.id, created: false });
        return;
      }
      logger.info({ status: 200, teamId, externalId, dealId: deal.id, created, dealStatus: deal.status }, created ? 'deal webhook stored a deal' : 'deal webhook updated a deal');
      sendJson(res, 200, { ok: true, id: deal.id, created });
      // Posted in the background, paced and at most once per deal; never holds up or fails the answer.
      if (deal.status === 'won') void celebrations.celebrate(deal);
    }
  }

  /** A satisfaction-only follow-up: its field errors (400), or the score applied to the stored deal. */
  async function answerFollowUp(followUp: NonNullable<ReturnType<typeof readScoreFollowUp>>, auth: Authenticated, res: ServerResponse, now: Date): Promise<void> {
    if (!followUp.ok) {
      logger.info({ status: 400, teamId: auth.teamId, fields: followUp.errors.map((e) => e.field) }, 'deal webhook refused: invalid fields');
      sendJson(res, 400, { ok: false, error: 'invalid_request', errors: followUp.errors });
      return;
    }
    const { externalId } = followUp.value;
    answer(res, auth, externalId, await storeOnce(deps.db, auth, externalId, { score: followUp.value }, now), true);
  }

  return {
    path: DEAL_WEBHOOK_PATH,
    method: ['POST'],
    handler: (req, res) => {
      handle(req, res).catch((error: unknown) => {
        // Unreachable, or not answering within WEBHOOK_DATABASE_DEADLINE_MS (nothing was committed then either).
        if (isDatabaseUnavailable(error) || error instanceof DeadlineExceeded) {
          logger.warn({ err: error, status: 503 }, 'deal webhook refused: the database is unavailable');
          sendJson(res, 503, { ok: false, error: 'database_unavailable', message: 'The database is unavailable; nothing was stored. Try again later.' }, { 'retry-after': '30' });
          return;
        }
        // The connection was lost with the COMMIT on its way: the deal may be stored. A retry (signed anew) is applied
        // to the same deal (one row per external_id), so the CRM is told to send it again, without "nothing was stored".
        if (error instanceof CommitOutcomeUnknown) {
          logger.warn({ err: error.connectionError, status: 503 }, 'deal webhook: the database connection was lost while storing; the outcome is unknown');
          sendJson(res, 503, { ok: false, error: 'database_unavailable', message: 'The database connection was lost while storing this deal, so it may or may not be stored. Send it again (signed anew): it is applied once.' }, { 'retry-after': '30' });
          return;
        }
        logger.error({ err: error }, 'deal webhook failed');
        sendJson(res, 500, { ok: false, error: 'internal_error', message: 'Something went wrong; nothing was stored. Try again later.' });
      });
    },
  };
}
