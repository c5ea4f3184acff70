import { and, eq } from 'drizzle-orm';
import type { webApi } from '@slack/bolt';
import { dealCelebrations, workspaces } from '../../db/schema/index.js';
import type { Deps } from '../../deps.js';
import { formatMoney } from '../../lib/money.js';
import { escapeMrkdwn } from '../../slack/text.js';
import { platformCode } from '../../slack/web-api-errors.js';
import type { Deal } from './queries.js';

/** Slack allows about one message per second per channel; stay a little under it. */
export const CELEBRATION_SPACING_MS = 1100;

export function celebrationText(deal: Pick<Deal, 'userId' | 'amountMinor' | 'currency' | 'account'>): string {
  const amount = deal.amountMinor !== null && deal.currency ? formatMoney({ minor: deal.amountMinor, currency: deal.currency }) : 'a deal';
  const account = deal.account ? ` with ${escapeMrkdwn(deal.account)}` : '';
  return `:tada: <@${deal.userId}> closed ${amount}${account}!`;
}

/**
 * Posts win celebrations, at most one per deal (claimed in the database first) and paced per channel,
 * so a burst of wins (a CRM sync, a busy end of quarter) never floods the channel.
 * One instance per app; nothing module-level.
 */
export class CelebrationQueue {
  private readonly tails = new Map<string, Promise<void>>();
  private readonly lastPost = new Map<string, number>();
  private readonly inProgress = new Set<Promise<void>>();

  constructor(
    private readonly deps: Pick<Deps, 'db' | 'clock' | 'logger'>,
    private readonly client: webApi.WebClient,
    private readonly spacingMs = CELEBRATION_SPACING_MS,
  ) {}

  /**
   * Queue a celebration for a won deal if the workspace has a celebrations channel. Never throws.
   * Tracked from the first call, so drain() also waits for a celebration still being claimed.
   */
  celebrate(deal: Deal): Promise<void> {
    const run = this.claimAndPost(deal);
    this.inProgress.add(run);
    void run.finally(() => this.inProgress.delete(run));
    return run;
  }

  private async claimAndPost(deal: Deal): Promise<void> {
    try {
      if (deal.status !== 'won' || deal.deletedAt) return;
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
      await this.enqueue(channel, () => this.post(deal, channel));
    } catch (error) {
      this.deps.logger.error({ err: error, dealId: deal.id }, 'celebration failed');
    }
  }

  /** Wait for every celebration being claimed or queued (shutdown, tests), including ones queued meanwhile. */
  async drain(): Promise<void> {
    while (this.inProgress.size > 0 || this.tails.size > 0) {
      await Promise.allSettled([...this.inProgress, ...this.tails.values()]);
    }
  }

  private enqueue(channel: string, job: () => Promise<void>): Promise<void> {
    const previous = this.tails.get(channel) ?? Promise.resolve();
    const next = previous.then(async () => {
      const wait = (this.lastPost.get(channel) ?? 0) + this.spacingMs - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      try {
        await job();
      } finally {
        this.lastPost.set(channel, Date.now());
      }
    });
    const tail = next.catch(() => {});
    this.tails.set(channel, tail);
    void tail.then(() => {
      if (this.tails.get(channel) === tail) this.tails.delete(channel);
    });
    return next;
  }

  private async post(deal: Deal, channel: string): Promise<void> {
    const text = celebrationText(deal);
    try {
      // The Web API client waits out 429s (Retry-After) and retries, so a burst is delayed, never dropped.
      const res = await this.client.chat.postMessage({ channel, text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] });
      await this.deps.db
        .update(dealCelebrations)
        .set({ status: 'posted', messageTs: res.ts ?? null, updatedAt: this.deps.clock.now() })
        .where(and(eq(dealCelebrations.dealId, deal.id)));
    } catch (error) {
      const code = platformCode(error) ?? (error as Error).message;
      this.deps.logger.warn({ dealId: deal.id, channel, code }, 'could not post a celebration');
      await this.deps.db
        .update(dealCelebrations)
        .set({ status: 'failed', error: code, updatedAt: this.deps.clock.now() })
        .where(eq(dealCelebrations.dealId, deal.id));
    }
  }
}
