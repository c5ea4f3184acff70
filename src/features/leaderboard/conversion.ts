/**
 * The board's conversion funnel (metrics/funnel): the team's funnel pooled, the median rep's, each rep's, the rates
 * that set a rep apart from the median rep, and plain-word insights on where effort leaks. Pure.
 *
 * Only numbers that support it are said: a rep's rate at a step counts once the rep has at least
 * `rateMinimum(step)` at the stage it starts from (like "most efficient"'s minimum activities), and a step's median
 * once at least MIN_REPS_FOR_MEDIAN reps have a rate there.
 */
import { funnelOf, medianFunnel, pooledFunnel, type ConversionStage, type Funnel, type UserStageCounts } from '../../metrics/index.js';
import { MAX_FUNNEL_STAGES, type FunnelChartInput } from './funnel-chart.js';
import { insightName } from './insights.js';
import type { Board, RepStats } from './types.js';

/** The fewest at a stage for a rep's rate from it to count, whatever the median (2 of 3 is not a 67% rate). */
export const MIN_STAGE_COUNT_FOR_RATE = 10;
/** The fewest reps with a rate at a step for its median to be compared with. */
export const MIN_REPS_FOR_MEDIAN = 3;
/** A rep converting at this share of the median rate or less leaks there. */
export const LEAK_RATIO = 0.5;
/** A rep converting at this multiple of the median rate or more stands out there. */
export const STRENGTH_RATIO = 2;
/** A rep with this multiple of the median rep's first stage (touches) or more is putting in the effort. */
export const EFFORT_RATIO = 1.5;
/** Rates different enough from the median to list in the section: this multiple either way. */
export const NOTABLE_RATIO = 1.25;
/** Reps listed against the median rep in the section. */
export const MAX_REP_COMPARISONS = 5;
/** Conversion insight lines at most. */
export const MAX_CONVERSION_INSIGHTS = 3;

/** The board with its conversion section: the team funnel (both periods), the median rep's, each rep's. */
export function withConversion(board: Board, stages: readonly ConversionStage[], counts: ReadonlyMap<string, UserStageCounts>): Board {
  const zeros = stages.map(() => 0);
  const reps = board.reps.map((r) => ({ ...r, funnel: funnelOf(stages, counts.get(r.userId)?.current ?? zeros) }));
  const all = [...counts.values()];
  return {
    ...board,
    reps,
    conversion: {
      team: pooledFunnel(
        stages,
        all.map((c) => c.current),
      ),
      previousTeam: pooledFunnel(
        stages,
        all.map((c) => c.previous),
      ),
      median: medianFunnel(
        stages,
        board.reps.map((r) => counts.get(r.userId)?.current ?? zeros),
      ),
    },
  };
}

/** The fewest at stage `step` for a rep's rate from it to count: MIN_STAGE_COUNT_FOR_RATE, or half the median rep's count there. */
export function rateMinimum(median: Funnel, step: number): number {
  return Math.max(MIN_STAGE_COUNT_FOR_RATE, Math.ceil((median.stages[step]?.count ?? 0) / 2));
}

/** A rep's rate at one step beside the median rep's. */
export interface RateComparison {
  rep: RepStats;
  /** The step from stage `step` to stage `step + 1`. */
  step: number;
  rate: number;
  median: number;
  /** The rep's count at stage `step` (the rate's denominator). */
  from: number;
}

/** The rep's rate against the median's at each step where both count (see the module notes). */
function comparableSteps(board: Board, rep: RepStats): RateComparison[] {
  const conversion = board.conversion;
  if (!conversion || !rep.funnel) return [];
  const out: RateComparison[] = [];
  conversion.median.rates.forEach((median, step) => {
    const rate = rep.funnel!.rates[step];
    const from = rep.funnel!.stages[step]!.count;
    if (median === null || median <= 0 || rate === null || rate === undefined) return;
    if (from < rateMinimum(conversion.median, step)) return;
    const rated = board.reps.filter((r) => r.funnel && r.funnel.rates[step] !== null && r.funnel.rates[step] !== undefined).length;
    if (rated < MIN_REPS_FOR_MEDIAN) return;
    out.push({ rep, step, rate, median, from });
  });
  return out;
}

/** How far a rate is from the median, either way (a 0% rate counts as far below any median). */
function distance(c: RateComparison): number {
  return Math.abs(Math.log((c.rate + 0.005) / (c.median + 0.005)));
}

function byName(a: RepStats, b: RepStats): number {
  const n = a.name.localeCompare(b.name, 'en');
  if (n !== 0) return n;
  return a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0;
}

/**
 * Per rep, the step whose rate differs most from the median rep's (at least NOTABLE_RATIO either way, with enough
 * at the stage to count); the most different first, at most MAX_REP_COMPARISONS.
 */
export function repRateComparisons(board: Board): RateComparison[] {
  const picks: RateComparison[] = [];
  for (const rep of board.reps) {
    const steps = comparableSteps(board, rep).filter((c) => distance(c) >= Math.log(NOTABLE_RATIO));
    const most = steps.sort((a, b) => distance(b) - distance(a) || a.step - b.step)[0];
    if (most) picks.push(most);
  }
  return picks.sort((a, b) => distance(b) - distance(a) || byName(a.rep, b.rep)).slice(0, MAX_REP_COMPARISONS);
}

/** A stage label inside a sentence: one line, lower case unless it starts like an acronym ("RFPs"). */
export function stageWords(label: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = label.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').replace(/\s+/g, ' ').trim() || 'stage';
  const cut = clean.length > 60 ? `${clean.slice(0, 59)}…` : clean;
  return /^\p{Lu}\p{Lu}/u.test(cut) ? cut : cut.charAt(0).toLowerCase() + cut.slice(1);
}

/** A rate as a whole percentage ("31%"; under 1% but not 0: "<1%"). */
export function ratePercent(rate: number): string {
  const p = Math.round(rate * 100);
  return p === 0 && rate > 0 ? '<1%' : `${p}%`;
}

/** "twice", "3×", "1.6×", "half", "a third of", "40% of": read before "the median rate". */
export function timesWords(ratio: number): string {
  if (ratio >= 1) {
    if (ratio >= 1.9 && ratio < 2.15) return 'twice';
    const r = ratio >= 10 ? Math.round(ratio) : Math.round(ratio * 10) / 10;
    return `${r}×`;
  }
  if (ratio >= 0.45 && ratio <= 0.55) return 'half';
  if (ratio >= 0.3 && ratio <= 0.36) return 'a third of';
  if (ratio >= 0.22 && ratio <= 0.28) return 'a quarter of';
  return `${Math.max(1, Math.round(ratio * 100))}% of`;
}

/** What a weak step usually needs, for the default stages; a custom step is named. */
const STEP_ADVICE: Record<string, string> = {
  'touches>conversations': 'reaching people (timing, lists, subject lines)',
  'conversations>meetings booked': 'the opening',
  'meetings booked>meetings held': 'confirming the meetings',
  'meetings held>deals won': 'the close',
};

function adviceFor(from: string, to: string): string {
  return STEP_ADVICE[`${from.toLowerCase()}>${to.toLowerCase()}`] ?? `the step from ${stageWords(from)} to ${stageWords(to)}`;
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

/**
 * Plain-text lines on where effort leaks and who converts best, only where the numbers support it (see the module
 * notes): the biggest leaks (a rate at LEAK_RATIO of the median or less; "not the effort" only when the rep also
 * made EFFORT_RATIO times the median rep's first stage or more), then the biggest strength (STRENGTH_RATIO or more)
 * of someone not named yet. At most MAX_CONVERSION_INSIGHTS lines; ties go to the name.
 */
export function conversionInsights(board: Board): string[] {
  const conversion = board.conversion;
  if (!conversion || board.reps.length < MIN_REPS_FOR_MEDIAN) return [];
  const labels = conversion.team.stages.map((s) => s.label);
  const all = board.reps.flatMap((rep) => comparableSteps(board, rep));
  const lines: string[] = [];
  const named = new Set<string>();
  const medianFirst = conversion.median.stages[0]?.count ?? 0;

  const leaks = all.filter((c) => c.rate <= c.median * LEAK_RATIO).sort((a, b) => a.rate / a.median - b.rate / b.median || byName(a.rep, b.rep));
  for (const leak of leaks) {
    if (named.has(leak.rep.userId) || lines.length >= MAX_CONVERSION_INSIGHTS - 1) continue;
    const name = insightName(leak.rep);
    const from = labels[leak.step]!;
    const to = labels[leak.step + 1]!;
    const first = leak.rep.funnel!.stages[0]!.count;
    const effort = medianFirst > 0 && first >= medianFirst * EFFORT_RATIO;
    const vs = `${ratePercent(leak.rate)} vs ${ratePercent(leak.median)}, from ${count(leak.from)} ${stageWords(from)}`;
    const how =
      leak.rate === 0
        ? `turned none of ${count(leak.from)} ${stageWords(from)} into ${stageWords(to)} (the median rep: ${ratePercent(leak.median)})`
        : `converts ${stageWords(from)} to ${stageWords(to)} at ${timesWords(leak.rate / leak.median)} the median rate (${vs})`;
    const advice = adviceFor(from, to);
    lines.push(
      effort
        ? `:mag: ${name} made ${timesWords(first / medianFirst)} the median rep's ${stageWords(labels[0]!)} but ${how}: ${advice}, not the effort, needs work.`
        : `:mag: ${name} ${how}: ${advice} is the place to coach.`,
    );
    named.add(leak.rep.userId);
  }

  const strengths = all
    .filter((c) => c.rate >= c.median * STRENGTH_RATIO && !named.has(c.rep.userId))
    .sort((a, b) => b.rate / b.median - a.rate / a.median || byName(a.rep, b.rep));
  const strength = strengths[0];
  if (strength && lines.length < MAX_CONVERSION_INSIGHTS) {
    const from = labels[strength.step]!;
    const to = labels[strength.step + 1]!;
    lines.push(
      `:star2: ${insightName(strength.rep)} converts ${stageWords(from)} to ${stageWords(to)} at ${timesWords(strength.rate / strength.median)} the median rate (${ratePercent(strength.rate)} vs ${ratePercent(strength.median)}, from ${count(strength.from)} ${stageWords(from)}): worth sharing how.`,
    );
  }
  return lines;
}

/**
 * The funnel chart's input for a board: the team's funnel beside the median rep's (the median alone when the board
 * has one rep is that rep: left out). Undefined when there is nothing to draw (no conversion section, or no count
 * at any stage) or more stages than the chart lays out (MAX_FUNNEL_STAGES; the message still shows them all).
 */
export function funnelChartData(board: Board): FunnelChartInput | undefined {
  const conversion = board.conversion;
  if (!conversion || !conversion.team.stages.some((s) => s.count > 0) || conversion.team.stages.length > MAX_FUNNEL_STAGES) return undefined;
  const series: FunnelChartInput['series'] = [
    { label: board.salesTeam ? board.salesTeam.name : 'Team', counts: conversion.team.stages.map((s) => s.count), rates: [...conversion.team.rates] },
  ];
  if (board.reps.length >= 2) {
    series.push({ label: 'Median rep', counts: conversion.median.stages.map((s) => s.count), rates: [...conversion.median.rates] });
  }
  return { title: `Conversion funnel, ${board.period.current.label}`, stages: conversion.team.stages.map((s) => s.label), series };
}
