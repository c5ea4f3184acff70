/**
 * `/my-stats subscribe [weekly|daily]` and `/my-stats unsubscribe`: a person's own DM digest.
 *
 * The reply says when the next digest arrives, in the person's own Slack time zone (the zone the digest job
 * uses), and how to stop. Unsubscribing stores an explicit 'off', which also opts the person out of a
 * workspace default of weekly. The Home tab (which shows the choice) is republished after a change.
 */
import { noticeMessage } from '../../slack/blocks.js';
import { getSlackUser } from '../../slack/user-directory.js';
import { describeDigestWhen, knownTimeZone, nextDigestSlot, type DigestKind } from './digest-job.js';
import { getDigestChoice, setDigestChoice } from './digest-subscriptions.js';
import type { MyStatsSubcommand } from './my-stats.command.js';

export const SUBSCRIBE_USAGE = '`/my-stats subscribe` (weekly, Fridays at 16:00) or `/my-stats subscribe daily` (every day at 08:00, covering the day before)';
const STOP = 'Stop any time with `/my-stats unsubscribe`.';

/** "Friday, Dec 4": the day of `instant` in `timeZone`. */
export function formatDigestDay(instant: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'long', month: 'short', day: 'numeric' }).format(instant);
}

/** "Your weekly digest arrives Fridays at 16:00 (America/New_York); next: Friday, Dec 4." */
export function digestScheduleSentence(cadence: DigestKind, timeZone: string, now: Date): string {
  return `Your ${cadence} digest arrives ${describeDigestWhen(cadence)} (${timeZone}); next: ${formatDigestDay(nextDigestSlot(cadence, timeZone, now), timeZone)}.`;
}

/** `/my-stats subscribe [weekly|daily]`. */
export const handleSubscribe: MyStatsSubcommand = async (args, deps, rest) => {
  const { command, client } = args;
  const word = (rest[0] ?? 'weekly').toLowerCase();
  if (rest.length > 1 || (word !== 'weekly' && word !== 'daily')) {
    return noticeMessage(`:warning: Pick \`weekly\` or \`daily\`: ${SUBSCRIBE_USAGE}.`);
  }
  const cadence: DigestKind = word;
  const teamId = command.team_id;
  const userId = command.user_id;
  // The person's zone (and the users row the digest job reads it from).
  const person = await getSlackUser(deps, client, teamId, userId);
  const timeZone = knownTimeZone(person.timeZone) ?? 'UTC';
  const now = deps.clock.now();
  const before = await getDigestChoice(deps.db, teamId, userId);
  const already = !before.isDefault && before.cadence === cadence;
  // Re-subscribing to the same cadence keeps the original subscription time (a due catch-up is not lost).
  if (!already) await setDigestChoice(deps.db, teamId, userId, cadence, now);
  deps.afterChange(teamId, userId);
  const lead = already
    ? `:white_check_mark: You're already subscribed to the ${cadence} digest.`
    : `:white_check_mark: Subscribed to the ${cadence} digest: your own numbers ${cadence === 'weekly' ? 'for the week so far' : 'for the day before'}, by DM.` + (before.cadence !== 'off' && before.cadence !== cadence ? ` It replaces the ${before.cadence} one.` : '');
  return noticeMessage(`${lead}\n${digestScheduleSentence(cadence, timeZone, now)}\n${STOP}`);
};

/** `/my-stats unsubscribe`: an explicit opt-out (wins over a workspace default of weekly). */
export const handleUnsubscribe: MyStatsSubcommand = async (args, deps, rest) => {
  const { command } = args;
  if (rest.length > 0) {
    return noticeMessage(':warning: Just `/my-stats unsubscribe`, with nothing after it: it stops every digest.');
  }
  const teamId = command.team_id;
  const userId = command.user_id;
  const before = await getDigestChoice(deps.db, teamId, userId);
  if (before.isDefault || before.cadence !== 'off') await setDigestChoice(deps.db, teamId, userId, 'off', deps.clock.now());
  deps.afterChange(teamId, userId);
  const lead =
    before.cadence === 'off'
      ? ":white_check_mark: You're not getting a digest, and won't: even if your workspace turns on a digest for everyone, you stay unsubscribed."
      : `:white_check_mark: Unsubscribed: no more ${before.cadence} digests.`;
  return noticeMessage(`${lead}\nWant them back? ${SUBSCRIBE_USAGE}.`);
};

/** The /my-stats subcommands of the digest. */
export const digestSubcommands: Record<string, MyStatsSubcommand> = {
  subscribe: handleSubscribe,
  unsubscribe: handleUnsubscribe,
};
