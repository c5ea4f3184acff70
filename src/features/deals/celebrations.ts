/**
 * Win celebrations: at most one post per won deal, in the workspace's celebrations channel.
 *
 * The life of one (a `deal_celebrations` row, claimed before anything is posted):
 * - Claimed: inserted `pending` (ON CONFLICT DO NOTHING on the deal id: of any number of processes one claims it).
 *   Queued in this process, paced per channel, coalesced per person.
 * - Taken for posting: the row is marked (`error = 'posting'`) only if it is still pending and unmarked, in one
 *   conditional UPDATE, so of the processes that may hold it in a queue (its claimer, a sweeper that took it over
 *   after the lease) exactly one posts it; the others drop it.
 * - Posted through a posting client (retries off, 429s surfacing: slack/posting-client.ts): no client retry can
 *   post it twice. A 429 is waited out here (Retry-After, the row unmarked meanwhile); a 429 past that or a
 *   connection never made is recorded `failed` as "not sent: …"; anything else (a 5xx, a timeout: Slack may have
 *   posted) is recorded `failed` with the reason and never retried. A miss beats a double.
 * - Swept (every scheduler tick, and at start-up): within CELEBRATION_RETRY_WINDOW_MS of the claim, a row left
 *   `pending` and unmarked for CELEBRATION_LEASE_MS (its process stopped before posting it) or `failed` as
 *   "not sent" at least CELEBRATION_RETRY_DELAY_MS ago is claimed again, conditionally (two processes cannot both
 *   take it), and queued here. A row left marked `posting` by a process that stopped may have been posted: it is
 *   closed as failed (CELEBRATION_INTERRUPTED), not retried.
 *
 * So a celebration is posted at most once: a process that dies after Slack posted and before recording it leaves
 * the row marked `posting`, which the sweep closes as failed without posting again (a miss, not a double).
 */
import type { SlackClients } from '../../slack/clients.js';
import { and, asc, eq, gte, inArray, isNotNull, isNull, like, lt, or } from 'drizzle-orm';
import { dealCelebrations, deals, workspaces } from '../../db/schema/index.js';
import type { Deps } from '../../deps.js';
import { formatMoney } from '../../lib/money.js';
import type { ScheduledJob } from '../../scheduler/scheduler.js';
import { sendThroughRateLimits } from '../../slack/posting-client.js';
import { escapeMrkdwn } from '../../slack/text.js';
import { certainlyNotSent, describeFailure } from '../../slack/web-api-errors.js';
import type { Deal } from './queries.js';
import { beforeDeadline, deadlineIn } from '../../db/commit-before.js';
import { effortSentence } from './confirmation.blocks.js';
import { loadEffortLines } from './context.js';

/** Slack allows about one message per second per channel; stay a little under it. */
export const CELEBRATION_SPACING_MS = 1100;
/**
 * At most this many won deals wait for their celebration, all channels together. Past it a win is not celebrated
 * (and not claimed, so nothing is left pending): a celebration is a courtesy, the deal itself is stored. With
 * per-person coalescing even a CRM sync of hundreds of wins fits in a few posts.
 */
export const CELEBRATION_MAX_PENDING = 500;
/** How long a celebration waits for the effort behind its wins before it is posted without it. */
export const CELEBRATION_EFFORT_WAIT_MS = 2000;
/** Deals named in one coalesced celebration; the rest are counted ("and 3 more"). */
export const CELEBRATION_LIST_MAX = 5;
/** A celebration claimed but neither taken for posting nor recorded for this long was left by a process that stopped. */
export const CELEBRATION_LEASE_MS = 5 * 60_000;
/** A celebration not posted within this long of its claim is not retried any more: it is news, not history. */
export const CELEBRATION_RETRY_WINDOW_MS = 60 * 60_000;
/** A celebration that failed without being sent (rate limits, Slack unreachable) is retried no sooner than this. */
export const CELEBRATION_RETRY_DELAY_MS = 60_000;
/** Celebrations one sweep claims again at most. */
export const CELEBRATION_SWEEP_BATCH = 100;
/** The sweep's name among the scheduler's jobs. */
export const CELEBRATION_SWEEP_JOB = 'celebration-sweep';
/** `error` while a row is being posted: left there by a process that stopped, it means "may have been posted". */
export const CELEBRATION_POSTING = 'posting';
/** The start of `error` for a failure that certainly posted nothing: the sweep retries those. */
export const CELEBRATION_NOT_SENT = 'not sent: ';
/** `error` of a celebration whose process stopped while posting it: never retried. */
export const CELEBRATION_INTERRUPTED = 'interrupted while posting: it may or may not have been posted';

type CelebratedDeal = Pick<Deal, 'userId' | 'amountMinor' | 'currency' | 'account'> & { id?: string };

function dealPhrase(deal: CelebratedDeal): string {
  const amount = deal.amountMinor !== null && deal.currency ? formatMoney({ minor: deal.amountMinor, currency: deal.currency }) : 'a deal';
  return deal.account ? `${amount} with ${escapeMrkdwn(deal.account)}` : amount;
}

/**
 * ":tada: <@U1> closed $12,500.00 with Acme Corp!" for one deal; for several of one person's wins, coalesced:
 * ":tada: <@U1> closed 3 deals: $1,000.00 with Alpha, $2,000.00 with Bravo and $3,000.00!".
 * `efforts` (deal id -> effort words, see context.ts loadEffortLines) adds the effort behind each win named:
 * ":chart_with_upwards_trend: Won after 14 activities over 21 days (…)." under one deal, a line per deal under several.
 */
export function celebrationText(deals: ReadonlyArray<CelebratedDeal>, efforts: ReadonlyMap<string, string> = new Map()): string {
  const [first] = deals;
  if (!first) throw new Error('celebrationText needs at least one deal');
  const effortOf = (d: CelebratedDeal) => (d.id === undefined ? undefined : efforts.get(d.id));
  if (deals.length === 1) {
    const effort = effortOf(first);
    return `:tada: <@${first.userId}> closed ${dealPhrase(first)}!${effort ? `\n:chart_with_upwards_trend: ${escapeMrkdwn(effortSentence(effort))}` : ''}`;
  }
  const shown = deals.slice(0, CELEBRATION_LIST_MAX);
  const named = shown.map(dealPhrase);
  const more = deals.length - named.length;
  const list = more > 0 ? `${named.join(', ')} and ${more} more` : `${named.slice(0, -1).join(', ')} and ${named[named.length - 1]}`;
  const effortLines = shown.flatMap((d, i) => {
    const effort = effortOf(d);
    return effort ? [`• ${named[i]}: ${escapeMrkdwn(effort)}`] : [];
  });
  return [`:tada: <@${first.userId}> closed ${deals.length} deals: ${list}!`, ...effortLines].join('\n');
}

/** One person's wins waiting to be celebrated in one channel: one post. */
interface Group {
  userId: string;
  deals: Deal[];
}

/** A channel's waiting celebrations (one workspace's channel), in order, and its worker (one post at a time, paced). */
interface ChannelLine {
  waiting: Group[];
  /** The waiting (not yet posting) group per person: a further win joins it. */
  byUser: Map<string, Group>;
  worker?: Promise<void>;
  lastPost: number;
}

export interface CelebrationQueueOptions {
  spacingMs?: number;
  maxPending?: number;
}

/**
 * Posts win celebrations, at most one per deal (claimed in the database first, see the header), paced per channel
 * and coalesced per person: wins of one rep that wait for the same channel go out as one post, so a burst of wins
 * (a CRM sync, a busy end of quarter) never floods the channel. Bounded: at most CELEBRATION_MAX_PENDING deals wait.
 * One instance per app; nothing module-level.
 */
export class CelebrationQueue {
  private readonly lines = new Map<string, ChannelLine>();
  private readonly inProgress = new Set<Promise<void>>();
  /** Deals claimed or being claimed and not yet posted (or failed). */
  private pending = 0;
  private readonly spacingMs: number;
  private readonly maxPending: number;

  /** `clients.posting` gives each workspace's posting client (slack/posting-client.ts): it never retries a post by itself. */
  constructor(
    private readonly deps: Pick<Deps, 'db' | 'clock' | 'logger'>,
    private readonly clients: Pick<SlackClients, 'posting'>,
    opts: CelebrationQueueOptions = {},
  ) {
    this.spacingMs = opts.spacingMs ?? CELEBRATION_SPACING_MS;
    this.maxPending = opts.maxPending ?? CELEBRATION_MAX_PENDING;
  }

  /**
   * Queue a celebration for a won deal if the workspace has a celebrations channel. Never throws.
   * Tracked from the first call, so drain() also waits for a celebration still being claimed.
   */
  celebrate(deal: Deal): Promise<void> {
    return this.track(this.claimAndQueue(deal));
  }

  /** The sweep (see the header) as a job for the app's scheduler: every tick, and the catch-up at start-up. */
  sweepJob(): ScheduledJob {
    return {
      name: CELEBRATION_SWEEP_JOB,
      runDue: async (_deps, now, signal) => {
        await this.track(this.sweep(now, signal));
      },
    };
  }

  /**
   * Claim again, and queue, the celebrations within the retry window that were left unposted: pending and unmarked
   * past the lease, or failed without being sent. Close those left marked `posting` as failed. Returns how many
   * were queued. Safe in any number of processes at once: each claim is conditional.
   */
  async sweep(now: Date, signal?: AbortSignal): Promise<number> {
    const { db, logger } = this.deps;
    const stale = new Date(now.getTime() - CELEBRATION_LEASE_MS);
    const since = new Date(now.getTime() - CELEBRATION_RETRY_WINDOW_MS);
    const retryFrom = new Date(now.getTime() - CELEBRATION_RETRY_DELAY_MS);
    try {
      const interrupted = await db
        .update(dealCelebrations)
        .set({ status: 'failed', error: CELEBRATION_INTERRUPTED, updatedAt: now })
        .where(and(eq(dealCelebrations.status, 'pending'), eq(dealCelebrations.error, CELEBRATION_POSTING), lt(dealCelebrations.updatedAt, stale)))
        .returning({ dealId: dealCelebrations.dealId });
      if (interrupted.length > 0) logger.warn({ dealIds: interrupted.map((r) => r.dealId) }, 'celebrations interrupted while posting (they may have been posted): not retried');

      const leftPending = and(eq(dealCelebrations.status, 'pending'), isNull(dealCelebrations.error), lt(dealCelebrations.updatedAt, stale));
      const notSent = and(eq(dealCelebrations.status, 'failed'), like(dealCelebrations.error, `${CELEBRATION_NOT_SENT}%`), lt(dealCelebrations.updatedAt, retryFrom));
      const retryable = and(gte(dealCelebrations.createdAt, since), or(leftPending, notSent));
      const rows = await db
        .select({ deal: deals, channel: dealCelebrations.channelId, status: dealCelebrations.status, error: dealCelebrations.error })
        .from(dealCelebrations)
        .innerJoin(deals, eq(deals.id, dealCelebrations.dealId))
        // Nothing is retried in an uninstalled workspace (features/install/lifecycle.ts).
        .innerJoin(workspaces, and(eq(workspaces.teamId, dealCelebrations.teamId), isNull(workspaces.uninstalledAt)))
        .where(and(retryable, eq(deals.status, 'won'), isNull(deals.deletedAt), isNotNull(workspaces.celebrationsChannel)))
        .orderBy(asc(dealCelebrations.createdAt))
        .limit(CELEBRATION_SWEEP_BATCH);

      let queued = 0;
      for (const row of rows) {
        if (signal?.aborted || this.pending >= this.maxPending) break;
        // Claimed again only if it still qualifies: of two processes sweeping at once, one gets it.
        const claimed = await db
          .update(dealCelebrations)
          .set({ status: 'pending', error: null, updatedAt: now })
          .where(and(eq(dealCelebrations.dealId, row.deal.id), retryable))
          .returning({ dealId: dealCelebrations.dealId });
        if (claimed.length === 0) continue;
        logger.info({ dealId: row.deal.id, channel: row.channel, was: row.error ?? row.status }, 'retrying a celebration left unposted');
        this.pending++;
        this.enqueue(row.channel, row.deal);
        queued++;
      }
      return queued;
    } catch (error) {
      logger.error({ err: error }, 'could not sweep celebrations left unposted');
      return 0;
    }
  }

  /** Wait for every celebration being claimed or queued (shutdown, tests), including ones queued meanwhile. */
  async drain(): Promise<void> {
    for (;;) {
      const work = [...this.inProgress, ...[...this.lines.values()].flatMap((line) => (line.worker ? [line.worker] : []))];
      if (work.length === 0) return;
      await Promise.allSettled(work);
    }
  }

  private track<T>(work: Promise<T>): Promise<T> {
    const tracked = work.then(() => undefined);
    this.inProgress.add(tracked);
    void tracked.finally(() => this.inProgress.delete(tracked));
    return work;
  }

  private async claimAndQueue(deal: Deal): Promise<void> {
    if (deal.status !== 'won' || deal.deletedAt) return;
    if (this.pending >= this.maxPending) {
      this.deps.logger.warn({ dealId: deal.id, pending: this.pending }, 'celebration queue full; this win is not celebrated (the deal is stored)');
      return;
    }
    this.pending++; // reserved before the claim's awaits, so concurrent wins cannot overshoot the bound
    let queued = false;
    try {
      const [ws] = await this.deps.db
        .select({ channel: workspaces.celebrationsChannel })
        .from(workspaces)
        // Uninstalled (a CRM still sending deals): stored, never celebrated.
        .where(and(eq(workspaces.teamId, deal.teamId), isNull(workspaces.uninstalledAt)));
      const channel = ws?.channel;
      if (!channel) return;
      const now = this.deps.clock.now();
      const claimed = await this.deps.db
        .insert(dealCelebrations)
        .values({ dealId: deal.id, teamId: deal.teamId, channelId: channel, createdAt: now, updatedAt: now })
        .onConflictDoNothing()
        .returning({ dealId: dealCelebrations.dealId });
      if (claimed.length === 0) return; // already celebrated (or being celebrated) elsewhere
      this.enqueue(channel, deal);
      queued = true;
    } catch (error) {
      this.deps.logger.error({ err: error, dealId: deal.id }, 'celebration failed');
    } finally {
      if (!queued) this.pending--;
    }
  }

  private enqueue(channel: string, deal: Deal): void {
    // One line per workspace and channel: channel and user ids repeat across workspaces, their posts must not mix.
    const key = `${deal.teamId}\n${channel}`;
    let line = this.lines.get(key);
    if (!line) {
      line = { waiting: [], byUser: new Map(), lastPost: 0 };
      this.lines.set(key, line);
    }
    const waiting = line.byUser.get(deal.userId);
    if (waiting) waiting.deals.push(deal);
    else {
      const group = { userId: deal.userId, deals: [deal] };
      line.waiting.push(group);
      line.byUser.set(deal.userId, group);
    }
    if (!line.worker) this.startWorker(key, channel, line);
  }

  private startWorker(key: string, channel: string, line: ChannelLine): void {
    line.worker = this.work(channel, line).finally(() => {
      line.worker = undefined;
      // A win queued between the worker's last post and here still gets its worker.
      if (line.waiting.length > 0) this.startWorker(key, channel, line);
      else this.lines.delete(key);
    });
  }

  /** Post the channel's waiting groups one at a time, paced; a group taken for posting takes no more wins. */
  private async work(channel: string, line: ChannelLine): Promise<void> {
    for (let group = line.waiting[0]; group; group = line.waiting[0]) {
      const wait = line.lastPost + this.spacingMs - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      line.waiting.shift();
      line.byUser.delete(group.userId);
      try {
        await this.post(group.deals, channel);
      } finally {
        line.lastPost = Date.now();
        this.pending -= group.deals.length;
      }
    }
  }

  /** Post one group (see the header): taken, posted once, recorded. Never throws. */
  private async post(deals: Deal[], channel: string): Promise<void> {
    let held = deals;
    let sending = false;
    let ts: string | null | undefined;
    const efforts = await this.effortLines(deals);
    try {
      ts = await sendThroughRateLimits(
        async () => {
          held = await this.take(held);
          if (held.length === 0) return undefined; // taken over elsewhere: theirs to post
          const text = celebrationText(held, efforts);
          sending = true;
          const client = await this.clients.posting(held[0]!.teamId);
          const res = await client.chat.postMessage({ channel, text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] });
          return res.ts ?? null;
        },
        // A 429 posted nothing: unmarked while it waits, so a stop meanwhile leaves it to the sweep, not to a guess.
        { beforeWait: async () => void (held = await this.untake(held)) },
      );
    } catch (error) {
      await this.recordFailure(held, channel, error, sending);
      return;
    }
    if (ts === undefined) return;
    const ids = held.map((d) => d.id);
    await this.deps.db
      .update(dealCelebrations)
      .set({ status: 'posted', messageTs: ts, error: null, updatedAt: this.deps.clock.now() })
      .where(inArray(dealCelebrations.dealId, ids))
      .catch((err: unknown) => this.deps.logger.error({ err, dealIds: ids }, 'posted a celebration but could not record it (it stays marked posting, so it is not posted again)'));
  }

  /**
   * The effort behind each of these wins (deal id -> words), read at most CELEBRATION_EFFORT_WAIT_MS: a celebration
   * is not held up or lost for it. Never throws (a failure is logged and the post goes without it).
   */
  private async effortLines(deals: Deal[]): Promise<Map<string, string>> {
    const withAccount = deals.filter((d) => d.accountKey);
    if (withAccount.length === 0) return new Map();
    try {
      return await beforeDeadline(deadlineIn(CELEBRATION_EFFORT_WAIT_MS), loadEffortLines(this.deps, withAccount[0]!.teamId, withAccount.map((d) => d.id)));
    } catch (err) {
      this.deps.logger.warn({ err, dealIds: withAccount.map((d) => d.id) }, 'could not read the effort behind these wins; celebrated without it');
      return new Map();
    }
  }

  /**
   * Mark these celebrations as being posted, each only if it is still pending and unmarked (one conditional
   * UPDATE: of the processes holding it, one gets it). Returns the ones this process got.
   */
  private async take(deals: Deal[]): Promise<Deal[]> {
    if (deals.length === 0) return deals;
    const rows = await this.deps.db
      .update(dealCelebrations)
      .set({ error: CELEBRATION_POSTING, updatedAt: this.deps.clock.now() })
      .where(and(inArray(dealCelebrations.dealId, deals.map((d) => d.id)), eq(dealCelebrations.status, 'pending'), isNull(dealCelebrations.error)))
      .returning({ dealId: dealCelebrations.dealId });
    const taken = new Set(rows.map((r) => r.dealId));
    const lost = deals.filter((d) => !taken.has(d.id));
    if (lost.length > 0) this.deps.logger.warn({ dealIds: lost.map((d) => d.id) }, 'celebration taken by another process; not posted here');
    return deals.filter((d) => taken.has(d.id));
  }

  /** Nothing is being posted (a 429 is waited out): unmark them, so a stop meanwhile leaves them to the sweep. */
  private async untake(deals: Deal[]): Promise<Deal[]> {
    if (deals.length === 0) return deals;
    const rows = await this.deps.db
      .update(dealCelebrations)
      .set({ error: null, updatedAt: this.deps.clock.now() })
      .where(and(inArray(dealCelebrations.dealId, deals.map((d) => d.id)), eq(dealCelebrations.status, 'pending'), eq(dealCelebrations.error, CELEBRATION_POSTING)))
      .returning({ dealId: dealCelebrations.dealId });
    const ours = new Set(rows.map((r) => r.dealId));
    return deals.filter((d) => ours.has(d.id));
  }

  /**
   * The post failed. Recorded "not sent: …" (the sweep retries it) when nothing went to Slack or Slack certainly
   * did not post; otherwise with the reason alone, never retried: Slack may have posted it.
   */
  private async recordFailure(deals: Deal[], channel: string, error: unknown, sending: boolean): Promise<void> {
    const reason = describeFailure(error);
    const notSent = !sending || certainlyNotSent(error);
    const ids = deals.map((d) => d.id);
    if (notSent) this.deps.logger.warn({ dealIds: ids, channel, reason }, 'could not post a celebration; nothing was posted, so it is retried later');
    else this.deps.logger.error({ dealIds: ids, channel, reason }, 'could not post a celebration, and Slack may have posted it: not retried');
    if (ids.length === 0) return;
    await this.deps.db
      .update(dealCelebrations)
      .set({ status: 'failed', error: `${notSent ? CELEBRATION_NOT_SENT : ''}${reason}`.slice(0, 1000), updatedAt: this.deps.clock.now() })
      .where(and(inArray(dealCelebrations.dealId, ids), eq(dealCelebrations.status, 'pending')))
      .catch((err: unknown) => this.deps.logger.error({ err, dealIds: ids }, 'could not record a failed celebration'));
  }
}
