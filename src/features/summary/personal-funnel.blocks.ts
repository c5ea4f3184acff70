/**
 * A person's funnel as mrkdwn, for the summary message and the Home tab. Pure. Each stage on its line with the
 * person's count, then the rate from the stage before and the group median's:
 *
 *   *Your funnel* · vs the median rep of East AEs
 *   Touches *40*
 *   Conversations *10* · 25% of touches · median 30%
 *   Meetings held *0* · no meetings booked, no rate · median —
 *   End to end: 40 touches per won deal · median 55
 *
 * A stage with no count before it has no rate ("no data", never 0%); a median shown as — had too few reps.
 * Stage labels are workspace text: escaped.
 */
import { escapeMrkdwn, truncate } from '../../slack/text.js';
import { MEDIAN_MIN_REPS, type FunnelGroup, type PersonalFunnel } from './personal-funnel.js';

const DASH = '—';

function percent(rate: number): string {
  return `${Math.round(rate * 100).toLocaleString('en-US')}%`;
}

function ratio(value: number): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: value < 10 ? 1 : 0 });
}

function groupWords(group: FunnelGroup): string {
  switch (group.kind) {
    case 'team':
      return `the median rep of ${escapeMrkdwn(group.name.replace(/\s+/g, ' ').trim())}`;
    case 'teams':
      return 'the median rep of your teams';
    case 'workspace':
      return 'the median rep of the workspace';
  }
}

const lower = (label: string) => escapeMrkdwn(label.toLowerCase());

/** The funnel's lines (mrkdwn), title first. `viewerIsSubject` false: an admin or manager viewing the person. */
export function funnelLines(funnel: PersonalFunnel, opts: { viewerIsSubject?: boolean } = {}): string[] {
  const title = opts.viewerIsSubject === false ? '*Funnel*' : '*Your funnel*';
  const lines = [`${title} · vs ${groupWords(funnel.group)}`];
  funnel.stages.forEach((stage, i) => {
    const label = escapeMrkdwn(stage.label);
    if (i === 0) {
      lines.push(`${label} *${stage.count.toLocaleString('en-US')}*`);
      return;
    }
    const from = funnel.stages[i - 1]!;
    const rate = funnel.rates[i - 1] ?? null;
    const median = funnel.median.rates[i - 1] ?? null;
    const own = rate === null ? `no ${lower(from.label)}, no rate` : `${percent(rate)} of ${lower(from.label)}`;
    lines.push(`${label} *${stage.count.toLocaleString('en-US')}* · ${own} · median ${median === null ? DASH : percent(median)}`);
  });
  if (funnel.stages.length >= 2) {
    const first = lower(funnel.stages[0]!.label);
    const own = funnel.touchesPerWon === null ? 'no won deal yet' : `${ratio(funnel.touchesPerWon)} ${first} per won deal`;
    const median = funnel.median.touchesPerWon === null ? DASH : ratio(funnel.median.touchesPerWon);
    lines.push(`End to end: ${own} · median ${median}`);
  }
  return lines;
}

/** The note under the funnel: what the median is, and why one may be missing. */
export function funnelNote(): string {
  return `Median: the middle rep’s rates, no one named. ${DASH}: no data, or fewer than ${MEDIAN_MIN_REPS} reps with a rate there.`;
}

/** The funnel as one section's text, within Slack's 3000 characters. */
export function funnelText(funnel: PersonalFunnel, opts: { viewerIsSubject?: boolean } = {}): string {
  return truncate([...funnelLines(funnel, opts), `_${funnelNote()}_`].join('\n'), 3000);
}
