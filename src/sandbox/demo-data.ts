/**
 * Demo data for the sandbox: six weeks of believable history so the very first leaderboard tells a story.
 *
 * The six reps of people.ts each get the story of their `profile`:
 * - busy-not-closing: by far the most activity (dialing blocks included), no won deal, a couple lost;
 * - efficient-closer: little activity, few but large wins (a big one every "last week"), best revenue per activity;
 * - steady: mid activity, one or two mid-size wins every week;
 * - new-hire: joined on the Monday of the week before last (14 to 20 days before `now`), nothing before, ramping up,
 *   one small win in the last seven days; users.joined_at says so, so targets are prorated;
 * - on-leave: normal history until the Monday of last week, then nothing;
 * - other-currency: deals in the person's own currency (EUR), never the workspace's USD.
 * Plus the workspace row (New York, USD), the users cache for everyone, a weekly leaderboard in #sales, targets and
 * two digest subscriptions.
 *
 * Everything is computed from the injected `now` (the sandbox may have moved its clock), nothing is after it, and a
 * seeded PRNG keyed by person and local day makes it deterministic: the same `now` gives the same rows.
 *
 * Activities and deals go through the CSV import (importCsv), which validates them like a user's file and upserts on
 * external_id: loading again updates the same rows instead of adding new ones. Their external ids start with
 * `sandbox-demo:`; rows the user logged in the sandbox have none and are never touched. Settings the user may have
 * changed since (the #sales schedule, a target, a digest choice) are only created when missing, never overwritten.
 */
import { addDays, compareDates, dateIn, formatIsoDate, weekdayOf, wallClockIn, type LocalDate } from '../periods/calendar.js';
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { exchangeRates, leaderboardSchedules, salesTeamMembers, salesTeams, users, workspaces, type Cadence } from '../db/schema/index.js';
import { teamNameKey } from '../org/index.js';
import { formatImportError, importCsv, type ImportKind } from '../features/import/index.js';
import { getDigestChoice, setDigestChoice } from '../features/summary/index.js';
// The targets feature has no index.ts: the admin command imports its queries the same way.
import { listTargets, upsertTarget, type TargetInput } from '../features/targets/index.js';
import { currencyExponent, minorToDecimal } from '../lib/money.js';
import { seededRandom } from '../lib/random.js';
import {
  SANDBOX_CHANNELS,
  SANDBOX_CURRENCY,
  SANDBOX_PEOPLE,
  SANDBOX_TEAM_DOMAIN,
  SANDBOX_TEAM_ID,
  SANDBOX_TIME_ZONE,
  type RepProfile,
  type SandboxPerson,
} from './people.js';

export interface DemoDataResult {
  teamId: string;
  /** Weeks of history, ending at `to`. */
  weeks: number;
  from: Date;
  to: Date;
  /** Reps with a history. */
  reps: number;
  /** Activities as every report counts them (a dialing block of 5 counts 5). */
  activities: number;
  /** Logged entries (rows) behind them. */
  activityEntries: number;
  deals: number;
  won: number;
  lost: number;
  /** Rows this load added (0 and 0 when the demo data was already there). */
  added: { activityEntries: number; deals: number };
  /** Demo leaderboard schedules in place (the #sales one). */
  schedules: number;
  /** The demo sales team ("East AEs" in #sales-east, managed by the manager), when it exists after the load. */
  team: { name: string; channelName: string; members: number } | null;
  /** The #sales schedule as stored (the user may have changed it since an earlier load). */
  schedule: { channelName: string; cadence: Cadence; weekday: number; timeOfDay: string; timeZone: string } | null;
  /** Demo targets in place (everyone's calls and revenue, and one rep's own). */
  targets: number;
  /** Demo digest subscriptions in place (not turned off by the person). */
  subscriptions: number;
  /** Milliseconds the load took. */
  ms: number;
}

export interface DemoDataOptions {
  teamId?: string;
}

export const DEMO_WEEKS = 6;
/** Every demo activity's and deal's external_id starts with this. */
export const DEMO_EXTERNAL_ID_PREFIX = 'sandbox-demo:';
const SEED = 'sales-pulse-sandbox-v1';
const DAY_MS = 86_400_000;

/**
 * The display name the users cache holds for a sandbox person: their first name, as the sandbox's users.info answers
 * `profile.display_name` (start.ts), so a refresh of the cache changes nothing on the boards.
 */
export function demoDisplayName(person: SandboxPerson): string {
  return person.realName.split(' ')[0]!;
}

// ---------------------------------------------------------------------------------------------
// Deterministic randomness

/** 32-bit FNV-1a of a string: the seed of one person's day. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}


class Rng {
  private readonly next: () => number;
  constructor(...parts: (string | number)[]) {
    this.next = seededRandom(hash([SEED, ...parts].join('|')));
  }
  float(): number {
    return this.next();
  }
  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.next() * list.length)]!;
  }
  /** A key of `weights`, with probability proportional to its weight. */
  weighted<K extends string>(weights: Partial<Record<K, number>>): K {
    const entries = Object.entries(weights) as [K, number][];
    const total = entries.reduce((s, [, w]) => s + w, 0);
    let r = this.next() * total;
    for (const [k, w] of entries) {
      r -= w;
      if (r < 0) return k;
    }
    return entries[entries.length - 1]![0];
  }
}

// ---------------------------------------------------------------------------------------------
// Calendar days: the one calendar's local dates, placed in a zone only when an instant is needed

type LocalDay = LocalDate;

function isWeekday(day: LocalDay): boolean {
  const w = weekdayOf(day);
  return w >= 1 && w <= 5;
}

/** The instant of a local wall-clock time (working hours: never in a DST gap). */
function at(day: LocalDay, minuteOfDay: number, second: number, timeZone: string): Date {
  return wallClockIn(day, { hour: Math.floor(minuteOfDay / 60), minute: minuteOfDay % 60, second }, timeZone);
}

// ---------------------------------------------------------------------------------------------
// What the reps do

type TypeKey = 'call' | 'email' | 'meeting' | 'demo' | 'proposal';

interface Style {
  /** Activities a full working day, before noise. */
  perDay: [number, number];
  mix: Record<TypeKey, number>;
  /** Outcome weights per type; '' is "no outcome given". */
  outcomes: Record<TypeKey, Record<string, number>>;
  /** Share of days with a dialing block (`/log-call x6 #no-answer`). */
  dialBlockDays: number;
}

const BASE_OUTCOMES: Style['outcomes'] = {
  call: { connected: 32, voicemail: 28, 'no-answer': 26, booked: 8, '': 6 },
  email: { sent: 70, replied: 20, bounced: 3, '': 7 },
  meeting: { held: 72, 'no-show': 8, booked: 8, rescheduled: 6, '': 6 },
  demo: { held: 70, booked: 12, 'no-show': 7, rescheduled: 6, '': 5 },
  proposal: { sent: 65, accepted: 15, declined: 12, '': 8 },
};

const STYLES: Record<RepProfile, Style> = {
  'busy-not-closing': {
    perDay: [27, 33],
    mix: { call: 62, email: 29, meeting: 5, demo: 3, proposal: 1 },
    outcomes: {
      ...BASE_OUTCOMES,
      call: { connected: 22, voicemail: 34, 'no-answer': 36, booked: 3, '': 5 },
      email: { sent: 85, replied: 8, bounced: 5, '': 2 },
      proposal: { sent: 80, declined: 20 },
    },
    dialBlockDays: 0.45,
  },
  'efficient-closer': {
    perDay: [6, 8],
    mix: { call: 22, email: 30, meeting: 24, demo: 14, proposal: 10 },
    outcomes: {
      ...BASE_OUTCOMES,
      call: { connected: 55, voicemail: 15, 'no-answer': 10, booked: 15, '': 5 },
      email: { sent: 55, replied: 40, bounced: 1, '': 4 },
      proposal: { sent: 55, accepted: 35, declined: 5, '': 5 },
    },
    dialBlockDays: 0,
  },
  steady: {
    perDay: [13, 17],
    mix: { call: 45, email: 30, meeting: 12, demo: 8, proposal: 5 },
    outcomes: BASE_OUTCOMES,
    dialBlockDays: 0.1,
  },
  'new-hire': {
    perDay: [0, 0], // ramps up: see dailyTarget
    mix: { call: 55, email: 33, meeting: 8, demo: 4, proposal: 0 },
    outcomes: { ...BASE_OUTCOMES, call: { connected: 26, voicemail: 30, 'no-answer': 32, booked: 6, '': 6 } },
    dialBlockDays: 0.15,
  },
  'on-leave': {
    perDay: [12, 15],
    mix: { call: 45, email: 30, meeting: 13, demo: 8, proposal: 4 },
    outcomes: BASE_OUTCOMES,
    dialBlockDays: 0.1,
  },
  'other-currency': {
    perDay: [6, 8],
    mix: { call: 35, email: 33, meeting: 16, demo: 10, proposal: 6 },
    outcomes: BASE_OUTCOMES,
    dialBlockDays: 0,
  },
};

const ACCOUNTS = [
  'Acme Logistics', 'Brightline Health', 'Cedar & Stone Architects', 'Northwind Foods', 'Bluewave Media',
  'Helix Biotech', 'Summit Outdoor Co.', 'Pioneer Freight', 'Lumen Energy', 'Riverside Dental Group',
  'Orchard Retail', 'Granite Insurance', 'Harborview Hotels', 'Keystone Manufacturing', 'Atlas Robotics',
  'Silverline Travel', 'Meridian Bank', 'Quarry Analytics', 'Evergreen Schools', 'Copperfield Legal',
  'Nimbus Cloudworks', 'Redwood Property', 'Tidewater Shipping', 'Vantage Telecom', 'Willow Pet Care',
  'Foxglove Pharma', 'Ironbridge Construction', 'Polaris Aerospace', 'Sunburst Solar', 'Crescent Foods',
  'Maplewood Clinics', 'Starling Fintech', 'Beacon Security', 'Oakridge University', 'Horizon Fitness',
  'Tanager Studios', 'Pinecrest Senior Living', 'Marigold Cosmetics', 'Ridgeback Outfitters', 'Kestrel Drones',
];

const DACH_ACCOUNTS = [
  'Müller Maschinenbau GmbH', 'Alpenblick Hotels AG', 'Rheinland Logistik GmbH', 'Brenner Pharma AG',
  'Hanse Versicherung', 'Schwarzwald Solar GmbH', 'Zürcher Privatbank', 'Donau Medizintechnik', 'Isar Software GmbH',
  'Bodensee Immobilien', 'Wiener Feinkost', 'Elbe Reederei', 'Nordlicht Energie', 'Kaiser Bau AG',
];

const FIRST_NAMES = [
  'Alex', 'Sam', 'Maria', 'David', 'Chloe', 'Ravi', 'Emma', 'Luis', 'Hannah', 'Kenji', 'Sofia', 'Marcus', 'Olivia',
  'Ahmed', 'Grace', 'Noah', 'Isabel', 'Ethan', 'Fatima', 'Lucas', 'Julia', 'Daniel', 'Mei', 'Oscar',
];
const LAST_NAMES = [
  'Park', 'Nguyen', 'Rossi', 'Smith', 'Dubois', 'Patel', 'Schmidt', 'Garcia', 'Kowalski', 'Tanaka', 'Silva', 'Brown',
  'Hughes', 'Khan', 'Meyer', 'Jensen', 'Moreau', 'Fischer', 'Walsh', 'Costa',
];

/** Notes people would write, by type and outcome ('' = any). */
const NOTES: Record<TypeKey, Record<string, string[]>> = {
  call: {
    connected: ['asked for pricing', 'interested, wants a demo next week', 'using a competitor, contract ends in Q2', 'send the case study', 'good chat, looping in their VP', 'budget approved for next quarter', 'not the right person, referred me to ops'],
    voicemail: ['left a voicemail', 'VM, will try again Thursday', 'left VM about the webinar'],
    'no-answer': ['no answer', 'gatekeeper, try after 4pm'],
    booked: ['booked a discovery call', 'demo booked for next week', 'meeting booked with the whole team'],
    '': ['follow-up call'],
  },
  email: {
    sent: ['intro email', 'sent pricing sheet', 'follow-up after the call', 'sent the case study', 'sent the security questionnaire', 'recap and next steps'],
    replied: ['replied: wants to talk next week', 'replied with questions about integrations', 'replied: send a proposal'],
    bounced: ['bounced, contact left the company'],
    '': ['check-in email'],
  },
  meeting: {
    held: ['discovery: three teams, 40 seats', 'met procurement, legal review next', 'went through the rollout plan', 'champion is on board, CFO sign-off needed'],
    'no-show': ['no-show, rescheduling'],
    booked: ['on-site booked'],
    rescheduled: ['moved to next week'],
    '': ['quarterly check-in'],
  },
  demo: {
    held: ['demo went well, asked for a trial', 'demo for the ops team, lots of questions on reporting', 'technical demo with IT'],
    booked: ['demo booked with the sales director'],
    'no-show': ['no-show'],
    rescheduled: ['rescheduled to Friday'],
    '': ['product demo'],
  },
  proposal: {
    sent: ['sent proposal, 12-month term', 'sent proposal with two options', 'revised proposal with volume discount'],
    accepted: ['proposal accepted, contract out for signature'],
    declined: ['declined: budget went elsewhere', 'declined: timing'],
    '': ['proposal'],
  },
};

const DEAL_WON_NOTES = ['12-month subscription', 'two-year deal, annual billing', 'expansion to a second team', 'renewal with an upsell', 'pilot converted to a full rollout', 'signed after a security review'];
const DEAL_LOST_NOTES = ['lost on price', 'went with a competitor', 'budget frozen until next year', 'no decision: project shelved', 'champion left the company'];

// ---------------------------------------------------------------------------------------------
// Generating rows

export interface DemoActivity {
  externalId: string;
  userId: string;
  type: TypeKey;
  occurredAt: Date;
  quantity: number;
  outcome: string;
  durationMinutes: number | null;
  account: string;
  contact: string;
  notes: string;
}

export interface DemoDeal {
  externalId: string;
  userId: string;
  status: 'won' | 'lost';
  amountMinor: bigint | null;
  currency: string;
  closedAt: Date;
  account: string;
  notes: string;
}

/** The story's dates, all from `now`: weeks are the workspace's (Monday starts, in its zone). */
interface Timeline {
  now: Date;
  from: Date;
  /** Monday of the week containing `now`, as a calendar day. */
  thisMonday: LocalDay;
  /** The new hire's first day: the Monday of the week before last. */
  joinDay: LocalDay;
  /** The on-leave rep's first day away: the Monday of last week. */
  leaveDay: LocalDay;
}

function timeline(now: Date): Timeline {
  const today = dateIn(now, SANDBOX_TIME_ZONE);
  const thisMonday = addDays(today, -((weekdayOf(today) + 6) % 7));
  return {
    now,
    from: new Date(now.getTime() - DEMO_WEEKS * 7 * DAY_MS),
    thisMonday,
    joinDay: addDays(thisMonday, -14),
    leaveDay: addDays(thisMonday, -7),
  };
}

const WORK_START = 9 * 60; // 09:00
const WORK_END = 17 * 60 + 30; // 17:30
const NEW_HIRE_START_MINUTE = WORK_START;

/** The new hire's join instant: 09:00 on their first day, in their zone. */
function joinedAtOf(person: SandboxPerson, t: Timeline): Date {
  return at(t.joinDay, NEW_HIRE_START_MINUTE, 0, person.tz);
}

/** Activities a rep aims for on a given working day (their n-th since joining, for the new hire). */
function dailyTarget(profile: RepProfile, rng: Rng, workdayIndex: number): number {
  if (profile === 'new-hire') return Math.min(14, 4 + workdayIndex) + rng.int(0, 1);
  const [lo, hi] = STYLES[profile].perDay;
  return rng.int(lo, hi);
}

function durationFor(type: TypeKey, outcome: string, rng: Rng): number | null {
  if (type === 'call') {
    if (outcome === 'connected' || outcome === 'booked') return rng.int(4, 25);
    if (outcome === 'voicemail') return rng.chance(0.5) ? 1 : null;
    return null;
  }
  if (type === 'meeting') return outcome === 'held' || outcome === '' ? rng.pick([30, 30, 45, 60]) : null;
  if (type === 'demo') return outcome === 'held' || outcome === '' ? rng.pick([30, 45, 45, 60]) : null;
  return null;
}

/** One rep's activities on one local day, all of them (filtered to the window later). */
function dayActivities(person: SandboxPerson, profile: RepProfile, day: LocalDay, workdayIndex: number, book: readonly string[]): DemoActivity[] {
  const rng = new Rng('activities', person.id, formatIsoDate(day));
  const style = STYLES[profile];
  const target = dailyTarget(profile, rng, workdayIndex);
  const entries: Omit<DemoActivity, 'externalId' | 'occurredAt'>[] = [];
  let total = 0;
  if (target > 0 && rng.chance(style.dialBlockDays)) {
    // A dialing block: one entry, counted as its quantity.
    const quantity = rng.int(4, 8);
    entries.push({ userId: person.id, type: 'call', quantity, outcome: 'no-answer', durationMinutes: null, account: '', contact: '', notes: rng.chance(0.5) ? 'dialing block' : '' });
    total += quantity;
  }
  while (total < target) {
    const type = rng.weighted(style.mix);
    const outcome = rng.weighted(style.outcomes[type]);
    const withNotes = rng.chance(type === 'call' && outcome === 'no-answer' ? 0.1 : 0.35);
    const notePool = NOTES[type][outcome] ?? NOTES[type]['']!;
    entries.push({
      userId: person.id,
      type,
      quantity: 1,
      outcome,
      durationMinutes: durationFor(type, outcome, rng),
      account: rng.pick(book),
      contact: rng.chance(0.6) ? `${rng.pick(FIRST_NAMES)} ${rng.pick(LAST_NAMES)}` : '',
      notes: withNotes ? rng.pick(notePool) : '',
    });
    total += 1;
  }
  // Spread over the working day, in order.
  const minutes = entries.map(() => rng.int(WORK_START, WORK_END - 1)).sort((a, b) => a - b);
  return entries.map((e, i) => ({
    ...e,
    externalId: `${DEMO_EXTERNAL_ID_PREFIX}activity:${person.id}:${formatIsoDate(day)}:${i + 1}`,
    occurredAt: at(day, minutes[i]!, rng.int(0, 59), person.tz),
  }));
}

/** A rep's book of accounts: the same companies come back, as in a real pipeline. */
function bookOf(person: SandboxPerson, profile: RepProfile): string[] {
  const rng = new Rng('book', person.id);
  const pool = profile === 'other-currency' ? DACH_ACCOUNTS : ACCOUNTS;
  const size = Math.min(pool.length, profile === 'busy-not-closing' ? 24 : 12);
  const copy = [...pool];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(rng.float() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy.slice(0, size);
}

/** A random amount of whole currency units in [lo, hi], rounded to `step` units, as exact minor units. */
function amount(rng: Rng, lo: number, hi: number, currency: string, step = 50): bigint {
  const units = Math.max(step, Math.round(rng.int(lo, hi) / step) * step);
  return BigInt(units) * 10n ** BigInt(currencyExponent(currency));
}

interface DealPlan {
  status: 'won' | 'lost';
  /** Whole units [lo, hi]; null for a lost deal logged without an amount. */
  range: [number, number] | null;
}

/** What a rep closes in the workspace week `weeksAgo` weeks before this one (0 = this week, 1 = last week). */
function weekDeals(profile: RepProfile, rng: Rng, weeksAgo: number): DealPlan[] {
  switch (profile) {
    case 'busy-not-closing':
      // A couple lost, no win: one in last week's board, one earlier.
      if (weeksAgo === 1) return [{ status: 'lost', range: [18_000, 32_000] }];
      if (weeksAgo === 4) return [{ status: 'lost', range: null }];
      return [];
    case 'efficient-closer':
      // Few, large wins; last week's always the biggest number on the board.
      if (weeksAgo === 0) return [{ status: 'won', range: [32_000, 48_000] }];
      if (weeksAgo === 1) return [{ status: 'won', range: [58_000, 84_000] }];
      if (weeksAgo === 2) return [{ status: 'won', range: [28_000, 40_000] }];
      if (weeksAgo === 3) return [{ status: 'won', range: [45_000, 70_000] }];
      if (weeksAgo === 4) return [{ status: 'lost', range: [40_000, 60_000] }];
      if (weeksAgo === 5) return [{ status: 'won', range: [60_000, 95_000] }];
      return [];
    case 'steady': {
      const plans: DealPlan[] = [{ status: 'won', range: [6_000, 16_500] }];
      if (rng.chance(0.45)) plans.push({ status: 'won', range: [6_000, 16_500] });
      if (rng.chance(0.4)) plans.push({ status: 'lost', range: rng.chance(0.7) ? [5_000, 15_000] : null });
      return plans;
    }
    case 'on-leave': {
      const plans: DealPlan[] = [];
      if (rng.chance(0.7)) plans.push({ status: 'won', range: [5_000, 14_000] });
      if (rng.chance(0.35)) plans.push({ status: 'lost', range: [4_000, 12_000] });
      return plans;
    }
    case 'other-currency': {
      const plans: DealPlan[] = [{ status: 'won', range: [9_000, 24_000] }];
      if (rng.chance(0.25)) plans.push({ status: 'won', range: [9_000, 24_000] });
      if (rng.chance(0.3)) plans.push({ status: 'lost', range: [8_000, 20_000] });
      return plans;
    }
    case 'new-hire':
      return []; // one small win, placed by newHireWin
  }
}

/** Is `instant` inside the rep's history: the demo window, after joining, before leave. */
function inWindow(person: SandboxPerson, profile: RepProfile, instant: Date, t: Timeline): boolean {
  if (instant.getTime() < t.from.getTime() || instant.getTime() > t.now.getTime()) return false;
  if (profile === 'new-hire' && instant.getTime() < joinedAtOf(person, t).getTime()) return false;
  if (profile === 'on-leave' && compareDates(dateIn(instant, person.tz), t.leaveDay) >= 0) return false;
  return true;
}

function repDeals(person: SandboxPerson, profile: RepProfile, book: readonly string[], t: Timeline): DemoDeal[] {
  const currency = person.currency ?? SANDBOX_CURRENCY;
  const out: DemoDeal[] = [];
  for (let weeksAgo = 0; weeksAgo <= DEMO_WEEKS; weeksAgo++) {
    const monday = addDays(t.thisMonday, -7 * weeksAgo);
    const rng = new Rng('deals', person.id, formatIsoDate(monday));
    const plans = weekDeals(profile, rng, weeksAgo);
    plans.forEach((plan, i) => {
      // Tuesday to Friday, 10:00-16:30 in the rep's zone: inside the workspace's week in every zone of the team.
      const day = addDays(monday, rng.int(1, 4));
      const closedAt = at(day, rng.int(10 * 60, 16 * 60 + 30), rng.int(0, 59), person.tz);
      const amountMinor = plan.range ? amount(rng, plan.range[0], plan.range[1], currency) : null;
      const account = rng.pick(book);
      const notes = plan.status === 'won' ? rng.pick(DEAL_WON_NOTES) : rng.pick(DEAL_LOST_NOTES);
      if (!inWindow(person, profile, closedAt, t)) return;
      out.push({ externalId: `${DEMO_EXTERNAL_ID_PREFIX}deal:${person.id}:${formatIsoDate(monday)}:${i + 1}`, userId: person.id, status: plan.status, amountMinor, currency, closedAt, account, notes });
    });
  }
  if (profile === 'new-hire') {
    const win = newHireWin(person, book, t);
    if (win) out.push(win);
  }
  return out;
}

/** The new hire's first win: small, on the latest working day of the last seven whose mid-afternoon has passed. */
function newHireWin(person: SandboxPerson, book: readonly string[], t: Timeline): DemoDeal | undefined {
  const rng = new Rng('first-win', person.id, formatIsoDate(t.joinDay));
  const minute = rng.int(14 * 60, 16 * 60);
  const amountMinor = amount(rng, 2_400, 4_800, person.currency ?? SANDBOX_CURRENCY);
  const account = rng.pick(book);
  const today = dateIn(t.now, person.tz);
  for (let back = 0; back < 7; back++) {
    const day = addDays(today, -back);
    if (!isWeekday(day)) continue;
    const closedAt = at(day, minute, 0, person.tz);
    if (closedAt.getTime() > t.now.getTime() || closedAt.getTime() < joinedAtOf(person, t).getTime()) continue;
    // One id whatever day it lands on: a later load moves it instead of adding a second first win.
    return {
      externalId: `${DEMO_EXTERNAL_ID_PREFIX}deal:${person.id}:first-win:${formatIsoDate(t.joinDay)}`,
      userId: person.id,
      status: 'won',
      amountMinor,
      currency: person.currency ?? SANDBOX_CURRENCY,
      closedAt,
      account,
      notes: 'first win!',
    };
  }
  return undefined;
}

function repActivities(person: SandboxPerson, profile: RepProfile, book: readonly string[], t: Timeline): DemoActivity[] {
  const out: DemoActivity[] = [];
  const first = dateIn(t.from, person.tz);
  const last = dateIn(t.now, person.tz);
  let workdays = 0;
  for (let day = profile === 'new-hire' && compareDates(t.joinDay, first) > 0 ? t.joinDay : first; compareDates(day, last) <= 0; day = addDays(day, 1)) {
    if (!isWeekday(day)) continue;
    if (profile === 'on-leave' && compareDates(day, t.leaveDay) >= 0) break;
    const index = workdays++;
    for (const a of dayActivities(person, profile, day, index, book)) {
      if (inWindow(person, profile, a.occurredAt, t)) out.push(a);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// CSV for the importer

function cell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csv(header: string[], rows: (string | number | null)[][]): string {
  return [header.join(','), ...rows.map((r) => r.map(cell).join(','))].join('\n') + '\n';
}

function activitiesCsv(list: DemoActivity[]): string {
  return csv(
    ['external_id', 'user_id', 'type', 'occurred_at', 'quantity', 'outcome', 'duration_minutes', 'account', 'contact', 'notes'],
    list.map((a) => [a.externalId, a.userId, a.type, a.occurredAt.toISOString(), a.quantity, a.outcome, a.durationMinutes, a.account, a.contact, a.notes]),
  );
}

function dealsCsv(list: DemoDeal[]): string {
  return csv(
    ['external_id', 'user_id', 'status', 'amount', 'currency', 'closed_at', 'account', 'notes'],
    list.map((d) => [
      d.externalId,
      d.userId,
      d.status,
      d.amountMinor === null ? '' : minorToDecimal(d.amountMinor, d.currency),
      d.amountMinor === null ? '' : d.currency,
      d.closedAt.toISOString(),
      d.account,
      d.notes,
    ]),
  );
}

async function importOrThrow(db: Db, kind: ImportKind, text: string, teamId: string, now: Date): Promise<number> {
  const result = await importCsv(db, text, { teamId, kind, now });
  if (!result.ok) {
    // The demo data is generated: a refusal is a bug here, not the user's to fix.
    const shown = result.errors.slice(0, 5).map(formatImportError).join('; ');
    throw new Error(`demo ${kind} were refused by the importer (${result.errors.length} problems): ${shown}`);
  }
  return result.inserted;
}

// ---------------------------------------------------------------------------------------------
// Settings: workspace, people, schedule, targets, digests

const SALES_CHANNEL = SANDBOX_CHANNELS.find((c) => c.name === 'sales')!;
const EAST_CHANNEL = SANDBOX_CHANNELS.find((c) => c.name === 'sales-east')!;
const ADMIN = SANDBOX_PEOPLE.find((p) => p.role === 'admin')!;
const MANAGER = SANDBOX_PEOPLE.find((p) => p.role === 'manager')!;
const REPS = SANDBOX_PEOPLE.filter((p) => p.role === 'rep' && p.profile);
const byProfile = (profile: RepProfile) => REPS.find((p) => p.profile === profile);

/** The workspace row as the sandbox's story needs it: New York time, USD. No command changes either, so set both. */
async function ensureSandboxWorkspace(db: Db, teamId: string, now: Date): Promise<void> {
  await db
    .insert(workspaces)
    .values({ teamId, name: SANDBOX_TEAM_DOMAIN, currency: SANDBOX_CURRENCY, defaultTimeZone: SANDBOX_TIME_ZONE, createdAt: now, updatedAt: now })
    .onConflictDoUpdate({
      target: workspaces.teamId,
      set: { name: sql`coalesce(${workspaces.name}, excluded.name)`, currency: SANDBOX_CURRENCY, defaultTimeZone: SANDBOX_TIME_ZONE },
    });
}

/**
 * Everyone in the users cache, as users.info would fill it (user-directory.ts), fresh as of `now`. joined_at is
 * the start of the history (the new hire's first day for them), or an earlier one already recorded.
 */
async function ensureSandboxUsers(db: Db, teamId: string, t: Timeline): Promise<void> {
  const rows = SANDBOX_PEOPLE.map((p) => ({
    teamId,
    userId: p.id,
    displayName: demoDisplayName(p),
    realName: p.realName,
    timeZone: p.tz,
    // As the sandbox's users.info answers (start.ts): the admin is the workspace's admin and owner.
    isAdmin: p.role === 'admin',
    isOwner: p.role === 'admin',
    isBot: false,
    deleted: false,
    joinedAt: p.profile === 'new-hire' ? joinedAtOf(p, t) : t.from,
    fetchedAt: t.now,
  }));
  await db
    .insert(users)
    .values(rows)
    .onConflictDoUpdate({
      target: [users.teamId, users.userId],
      set: {
        displayName: sql`excluded.display_name`,
        realName: sql`excluded.real_name`,
        timeZone: sql`excluded.time_zone`,
        isAdmin: sql`excluded.is_admin`,
        isOwner: sql`excluded.is_owner`,
        isBot: sql`excluded.is_bot`,
        deleted: sql`excluded.deleted`,
        // least() skips nulls: a person first seen before joined_at was recorded gets the demo's date.
        joinedAt: sql`least(${users.joinedAt}, excluded.joined_at)`,
        fetchedAt: sql`excluded.fetched_at`,
      },
    });
}

const DEMO_SCHEDULE = { cadence: 'weekly' as const, weekday: 1, timeOfDay: '09:00', timeZone: SANDBOX_TIME_ZONE };

/**
 * The weekly board in #sales, stored as `/sales-admin leaderboard #sales weekly mon 09:00 America/New_York` stores it
 * (admin/command.ts does that inline; no feature exports it). Kept as it is when the channel has one already.
 * updated_at = now: slots before it are not due, so loading does not post last Monday's board at once.
 */
async function ensureSandboxSchedule(db: Db, teamId: string, now: Date): Promise<DemoDataResult['schedule']> {
  await db
    .insert(leaderboardSchedules)
    .values({ teamId, channelId: SALES_CHANNEL.id, ...DEMO_SCHEDULE, createdBy: ADMIN.id, createdAt: now, updatedAt: now })
    .onConflictDoNothing({ target: [leaderboardSchedules.teamId, leaderboardSchedules.channelId] });
  const [row] = await db
    .select()
    .from(leaderboardSchedules)
    .where(and(eq(leaderboardSchedules.teamId, teamId), eq(leaderboardSchedules.channelId, SALES_CHANNEL.id)));
  return row ? { channelName: SALES_CHANNEL.name, cadence: row.cadence, weekday: row.weekday, timeOfDay: row.timeOfDay, timeZone: row.timeZone } : null;
}

function demoTargets(teamId: string): TargetInput[] {
  const lena = byProfile('other-currency');
  const list: TargetInput[] = [
    { teamId, userKey: '*', metric: 'call', amount: 60n, currency: null, period: 'week', createdBy: ADMIN.id },
    { teamId, userKey: '*', metric: 'revenue', amount: 50_000_00n, currency: SANDBOX_CURRENCY, period: 'month', createdBy: ADMIN.id },
  ];
  // One rep's own target: the other-currency rep's quota in their own currency.
  if (lena) list.push({ teamId, userKey: lena.id, metric: 'revenue', amount: 40_000_00n, currency: lena.currency ?? SANDBOX_CURRENCY, period: 'month', createdBy: ADMIN.id });
  return list;
}

/** Targets the demo sets, each only where there is none yet for that person (or everyone) and metric. */
async function ensureSandboxTargets(db: Db, teamId: string, now: Date): Promise<number> {
  const existing = await listTargets(db, teamId);
  const have = new Set(existing.map((r) => `${r.userKey}|${r.metric}`));
  for (const target of demoTargets(teamId)) {
    if (!have.has(`${target.userKey}|${target.metric}`)) await upsertTarget(db, target, now);
  }
  return demoTargets(teamId).length;
}

/** The manager gets the weekly digest, the steady rep the daily one, unless either chose something already. */
async function ensureSandboxDigests(db: Db, teamId: string, now: Date): Promise<number> {
  const plan: [SandboxPerson | undefined, 'weekly' | 'daily'][] = [
    [MANAGER, 'weekly'],
    [byProfile('steady'), 'daily'],
  ];
  let active = 0;
  for (const [person, cadence] of plan) {
    if (!person) continue;
    const choice = await getDigestChoice(db, teamId, person.id);
    if (choice.isDefault) await setDigestChoice(db, teamId, person.id, cadence, now);
    const after = choice.isDefault ? cadence : choice.cadence;
    if (after !== 'off') active += 1;
  }
  return active;
}

const DEMO_TEAM_NAME = 'East AEs';
/** The East team: the manager manages it; the busy rep, the closer and the new hire are its members. */
const DEMO_TEAM_MEMBERS: RepProfile[] = ['busy-not-closing', 'efficient-closer', 'new-hire'];

/**
 * "East AEs" in #sales-east, managed by the manager, as `/sales-admin team create` would store it. Created only when
 * no team of that name exists: a team the user renamed, emptied or deleted is left as they made it.
 */
async function ensureSandboxTeam(db: Db, teamId: string, now: Date): Promise<DemoDataResult['team']> {
  const [created] = await db
    .insert(salesTeams)
    .values({ teamId, name: DEMO_TEAM_NAME, nameKey: teamNameKey(DEMO_TEAM_NAME), channelId: EAST_CHANNEL.id, createdBy: ADMIN.id, createdAt: now, updatedAt: now })
    .onConflictDoNothing({ target: [salesTeams.teamId, salesTeams.nameKey] })
    .returning({ id: salesTeams.id });
  if (created) {
    const members = DEMO_TEAM_MEMBERS.map(byProfile).filter((p): p is SandboxPerson => p !== undefined);
    await db.insert(salesTeamMembers).values([
      { salesTeamId: created.id, teamId, userId: MANAGER.id, role: 'manager' as const, createdAt: now },
      ...members.map((p) => ({ salesTeamId: created.id, teamId, userId: p.id, role: 'member' as const, createdAt: now })),
    ]);
  }
  const [team] = await db
    .select({ id: salesTeams.id, name: salesTeams.name })
    .from(salesTeams)
    .where(and(eq(salesTeams.teamId, teamId), eq(salesTeams.nameKey, teamNameKey(DEMO_TEAM_NAME))));
  if (!team) return null;
  const members = await db
    .select({ userId: salesTeamMembers.userId })
    .from(salesTeamMembers)
    .where(and(eq(salesTeamMembers.salesTeamId, team.id), eq(salesTeamMembers.role, 'member')));
  return { name: team.name, channelName: EAST_CHANNEL.name, members: members.length };
}

/**
 * A fixed EUR rate from the start of the history, so the other-currency rep's deals convert into the headline, as
 * `/sales-admin rate EUR 1.08 from <date>` stores it. An existing rate for that day is kept.
 */
async function ensureSandboxRates(db: Db, teamId: string, t: Timeline, now: Date): Promise<void> {
  const foreign = [...new Set(REPS.map((p) => p.currency).filter((c): c is string => !!c && c !== SANDBOX_CURRENCY))];
  const from = formatIsoDate(dateIn(t.from, SANDBOX_TIME_ZONE));
  for (const currency of foreign) {
    await db
      .insert(exchangeRates)
      .values({ teamId, currency, effectiveOn: from, rate: DEMO_RATES[currency] ?? '1', createdBy: ADMIN.id, createdAt: now })
      .onConflictDoNothing();
  }
}

const DEMO_RATES: Record<string, string> = { EUR: '1.08' };

// ---------------------------------------------------------------------------------------------
// The load

/** Generate the demo history for `now` (pure; exported for tests and previews). */
export function generateDemoHistory(now: Date): { activities: DemoActivity[]; deals: DemoDeal[]; from: Date; newHireJoinedAt: Date | null; leaveFrom: Date | null } {
  const t = timeline(now);
  const activities: DemoActivity[] = [];
  const deals: DemoDeal[] = [];
  for (const person of REPS) {
    const profile = person.profile!;
    const book = bookOf(person, profile);
    activities.push(...repActivities(person, profile, book, t));
    deals.push(...repDeals(person, profile, book, t));
  }
  const hire = byProfile('new-hire');
  const away = byProfile('on-leave');
  return {
    activities,
    deals,
    from: t.from,
    newHireJoinedAt: hire ? joinedAtOf(hire, t) : null,
    leaveFrom: away ? at(t.leaveDay, 0, 0, away.tz) : null,
  };
}

/**
 * Fill the sandbox workspace with six weeks of history ending at `now`, and the settings that go with it.
 * Safe to run again: the same `now` gives the same rows, updated in place; nothing the user logged is touched.
 * One transaction: a failure leaves the database as it was.
 */
export async function loadDemoData(db: Db, now: Date, opts: DemoDataOptions = {}): Promise<DemoDataResult> {
  const started = performance.now();
  const teamId = opts.teamId ?? SANDBOX_TEAM_ID;
  const t = timeline(now);
  const history = generateDemoHistory(now);

  const settled = await db.transaction(async (tx) => {
    const txDb = tx as unknown as Db;
    await ensureSandboxWorkspace(txDb, teamId, now);
    await ensureSandboxUsers(txDb, teamId, t);
    // Each import nests its own transaction (a savepoint here).
    const addedDeals = await importOrThrow(txDb, 'deals', dealsCsv(history.deals), teamId, now);
    const addedActivities = await importOrThrow(txDb, 'activities', activitiesCsv(history.activities), teamId, now);
    const schedule = await ensureSandboxSchedule(txDb, teamId, now);
    const team = await ensureSandboxTeam(txDb, teamId, now);
    await ensureSandboxRates(txDb, teamId, t, now);
    const targets = await ensureSandboxTargets(txDb, teamId, now);
    const subscriptions = await ensureSandboxDigests(txDb, teamId, now);
    return { addedDeals, addedActivities, schedule, team, targets, subscriptions };
  });

  const won = history.deals.filter((d) => d.status === 'won').length;
  return {
    teamId,
    weeks: DEMO_WEEKS,
    from: history.from,
    to: now,
    reps: REPS.length,
    activities: history.activities.reduce((s, a) => s + a.quantity, 0),
    activityEntries: history.activities.length,
    deals: history.deals.length,
    won,
    lost: history.deals.length - won,
    added: { activityEntries: settled.addedActivities, deals: settled.addedDeals },
    schedules: settled.schedule ? 1 : 0,
    schedule: settled.schedule,
    team: settled.team,
    targets: settled.targets,
    subscriptions: settled.subscriptions,
    ms: Math.round(performance.now() - started),
  };
}

// ---------------------------------------------------------------------------------------------
// Words

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** "New York" for America/New_York. */
function zoneCity(timeZone: string): string {
  return (timeZone.split('/').pop() ?? timeZone).replace(/_/g, ' ');
}

function describeSchedule(s: NonNullable<DemoDataResult['schedule']>): string {
  const when =
    s.cadence === 'weekly' ? `${WEEKDAYS[s.weekday] ?? 'Monday'}s ${s.timeOfDay}` : s.cadence === 'daily' ? `daily at ${s.timeOfDay}` : `monthly on the 1st at ${s.timeOfDay}`;
  return `a ${s.cadence} leaderboard in #${s.channelName} (${when} ${zoneCity(s.timeZone)})`;
}

const n = (x: number) => x.toLocaleString('en-US');
const plural = (x: number, one: string, many: string) => `${n(x)} ${x === 1 ? one : many}`;

/**
 * One friendly line for the page or the CLI: "Loaded 6 weeks of history: 2,202 activities and 36 deals (24 won,
 * 12 lost) for 6 reps; a weekly leaderboard in #sales (Mondays 09:00 New York), 3 targets and 2 digest subscriptions."
 */
export function describeDemoData(r: DemoDataResult): string {
  const already = r.added.activityEntries === 0 && r.added.deals === 0 && r.activityEntries + r.deals > 0;
  const lead = already ? `Demo data was already loaded (nothing duplicated): ${r.weeks} weeks of history` : `Loaded ${r.weeks} weeks of history`;
  const parts = [
    ...(r.schedule ? [describeSchedule(r.schedule)] : []),
    ...(r.team ? [`the team ${r.team.name} in #${r.team.channelName} (${plural(r.team.members, 'rep', 'reps')}, managed by ${MANAGER.realName.split(' ')[0]})`] : []),
    plural(r.targets, 'target', 'targets'),
    plural(r.subscriptions, 'digest subscription', 'digest subscriptions'),
  ];
  const settings = parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}` : parts[0];
  return `${lead}: ${plural(r.activities, 'activity', 'activities')} and ${plural(r.deals, 'deal', 'deals')} (${n(r.won)} won, ${n(r.lost)} lost) for ${plural(r.reps, 'rep', 'reps')}; ${settings}.`;
}
