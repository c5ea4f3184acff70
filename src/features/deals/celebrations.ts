import { eq, inArray } from 'drizzle-orm';
import type { webApi } from '@slack/bolt';
import { dealCelebrations, workspaces } from '../../db/schema/index.js';
import type { Deps } from '../../deps.js';
import { formatMoney } from '../../lib/money.js';
import { escapeMrkdwn } from '../../slack/text.js';
import { platformCode } from '../../slack/web-api-errors.js';
import type { Deal } from './queries.js';

/** Slack allows about one message per second per channel; stay a little under it. */
export const CELEBRATION_SPACING_MS = 1100;
/**
 * At most this many won deals wait for their celebration, all channels together. Past it a win is not celebrated
 * (and not claimed, so nothing is left pending): a celebration is a courtesy, the deal itself is stored. With
 * per-person coalescing even a CRM sync of hundreds of wins fits in a few posts.
 */
export const CELEBRATION_MAX_PENDING = 500;
/** Deals named in one coalesced celebration; the rest are counted ("and 3 more"). */
export const CELEBRATION_LIST_MAX = 5;

type CelebratedDeal = Pick<Deal, 'userId' | 'amountMinor' | 'currency' | 'account'>;

function dealPhrase(deal: CelebratedDeal): string {
  const amount = deal.amountMinor !== null && deal.currency ? formatMoney({ minor: deal.amountMinor, currency: deal.currency }) : 'a deal';
  return deal.account ? `${amount} with ${escapeMrkdwn(deal.account)}` : amount;
}

/**
 * ":tada: <@U1> closed $12,500.00 with Acme Corp!" for one deal; for several of one person's wins, coalesced:
 * ":tada: <@U1> closed 3 deals: $1,000.00 with Alpha, $2,000.00 with Bravo and $3,000.00!".
 */
export function celebrationText(deals: ReadonlyArray<CelebratedDeal>): string {
  const [first] = deals;
  if (!first) throw new Error('celebrationText needs at least one deal');
  if (deals.length === 1) return `:tada: <@${first.userId}> closed ${dealPhrase(first)}!`;
  const named = deals.slice(0, CELEBRATION_LIST_MAX).map(dealPhrase);
  const more = deals.length - named.length;
  const list = more > 0 ? `${named.join(', ')} and ${more} more` : `${named.slice(0, -1).join(', ')} and ${named[named.length - 1]}`;
  return `:tada: <@${first.userId}> closed ${deals.length} deals: ${list}!`;
}

/** One person's wins waiting to be celebrated in one channel: one post. */
interface Group {
  userId: string;
  deals: Deal[];
}

/** A channel's waiting celebrations, in order, and its worker (one post at a time, paced). */
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
 * Posts win celebrations, at most one per deal (claimed in the database first), paced per channel and coalesced
 * per person: wins of one rep that wait for the same channel go out as one post, so a burst of wins (a CRM sync, a
 * busy end of quarter) never floods the channel. Bounded: at most CELEBRATION_MAX_PENDING deals wait.
 * One instance per app; nothing module-level.
 */
export class CelebrationQueue {
  private readonly lines = new Map<string, ChannelLine>();
  private readonly inProgress = new Set<Promise<void>>();
  /** Deals claimed or being claimed and not yet posted (or failed). */
  private pending = 0;
  private readonly spacingMs: number;
  private readonly maxPending: number;

  constructor(
    private readonly deps: Pick<Deps, 'db' | 'clock' | 'logger'>,
    private readonly client: webApi.WebClient,
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
    const run = this.claimAndQueue(deal);
    this.inProgress.add(run);
    void run.finally(() => this.inProgress.delete(run));
    return run;
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
        .where(eq(workspaces.teamId, deal.teamId));
      const channel = ws?.channel;
      if (!channel) return;
      const claimed = await this.deps.db
        .insert(dealCelebrations)
        .values({ dealId: deal.id, teamId: deal.teamId, channelId: channel })
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

  /** Wait for every celebration being claimed or queued (shutdown, tests), including ones queued meanwhile. */
  async drain(): Promise<void> {
    for (;;) {
      const work = [...this.inProgress, ...[...this.lines.values()].flatMap((line) => (line.worker ? [line.worker] : []))];
      if (work.length === 0) return;
      await Promise.allSettled(work);
    }
  }

  private enqueue(channel: string, deal: Deal): void {
    let line = this.lines.get(channel);
    if (!line) {
      line = { waiting: [], byUser: new Map(), lastPost: 0 };
      this.lines.set(channel, line);
    }
    const waiting = line.byUser.get(deal.userId);
    if (waiting) waiting.deals.push(deal);
    else {
      const group = { userId: deal.userId, deals: [deal] };
      line.waiting.push(group);
      line.byUser.set(deal.userId, group);
    }
    if (!line.worker) this.startWorker(channel, line);
  }

  private startWorker(channel: string, line: ChannelLine): void {
    line.worker = this.work(channel, line).finally(() => {
      line.worker = undefined;
      // A win queued between the worker's last post and here still gets its worker.
      if (line.waiting.length > 0) this.startWorker(channel, line);
      else this.lines.delete(channel);
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

  private async post(deals: Deal[], channel: string): Promise<void> {
    const text = celebrationText(deals);
    const ids = deals.map((d) => d.id);
    try {
      // The Web API client waits out 429s (Retry-After) and retries, so a burst is delayed, never dropped.
      const res = await this.client.chat.postMessage({ channel, text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] });
      await this.deps.db
        .update(dealCelebrations)
        .set({ status: 'posted', messageTs: res.ts ?? null, updatedAt: this.deps.clock.now() })
        .where(inArray(dealCelebrations.dealId, ids));
    } catch (error) {
      const code = platformCode(error) ?? (error as Error).message;
      this.deps.logger.warn({ dealIds: ids, channel, code }, 'could not post a celebration');
      await this.deps.db
        .update(dealCelebrations)
        .set({ status: 'failed', error: code, updatedAt: this.deps.clock.now() })
        .where(inArray(dealCelebrations.dealId, ids))
        .catch((err: unknown) => this.deps.logger.error({ err, dealIds: ids }, 'could not record a failed celebration'));
    }
  }
}
