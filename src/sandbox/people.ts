/**
 * Who and what is in the sandbox workspace: its team, people, channels and the bot user.
 * Pure data: the Web API answers users.info from it, the page's person switcher lists it, demo data fills its history.
 */

export const SANDBOX_TEAM_ID = 'T0SANDBOX';
export const SANDBOX_TEAM_NAME = 'Sales Pulse Sandbox';
export const SANDBOX_TEAM_DOMAIN = 'sales-pulse-sandbox';
/** The bot's own user, bot and app ids. */
export const SANDBOX_BOT = { userId: 'U0SPBOT00', botId: 'B0SPBOT00', appId: 'A0SPAPP00', name: 'Sales Pulse' } as const;

/** What a person does in the sandbox story; demo data gives each rep a profile of its own. */
export type SandboxRole = 'admin' | 'manager' | 'rep';
export type RepProfile = 'busy-not-closing' | 'efficient-closer' | 'steady' | 'new-hire' | 'on-leave' | 'other-currency';

export interface SandboxPerson {
  id: string;
  /** Slack handle (`name`), lower case. */
  handle: string;
  realName: string;
  title: string;
  role: SandboxRole;
  /** IANA time zone, as Slack reports a person's `tz`. */
  tz: string;
  /** Where they are, for the person switcher. */
  city: string;
  /** Reps only: the story demo data tells about them. */
  profile?: RepProfile;
  /** ISO-4217 currency their deals are in (default: the workspace's, USD). */
  currency?: string;
}

export const SANDBOX_PEOPLE: readonly SandboxPerson[] = [
  { id: 'U0SPADM01', handle: 'grace', realName: 'Grace Okafor', title: 'Sales Ops (workspace admin)', role: 'admin', tz: 'America/New_York', city: 'New York' },
  { id: 'U0SPMGR01', handle: 'mia', realName: 'Mia Chen', title: 'Sales Manager', role: 'manager', tz: 'America/Chicago', city: 'Chicago' },
  { id: 'U0SPREP01', handle: 'ana', realName: 'Ana Lima', title: 'Account Executive', role: 'rep', tz: 'America/Sao_Paulo', city: 'São Paulo', profile: 'busy-not-closing' },
  { id: 'U0SPREP02', handle: 'ben', realName: 'Ben Carter', title: 'Account Executive', role: 'rep', tz: 'Europe/London', city: 'London', profile: 'efficient-closer' },
  { id: 'U0SPREP03', handle: 'priya', realName: 'Priya Nair', title: 'Account Executive', role: 'rep', tz: 'Asia/Singapore', city: 'Singapore', profile: 'steady' },
  { id: 'U0SPREP04', handle: 'jordan', realName: 'Jordan Lee', title: 'Account Executive (new)', role: 'rep', tz: 'America/New_York', city: 'New York', profile: 'new-hire' },
  { id: 'U0SPREP05', handle: 'tom', realName: 'Tom Novak', title: 'Account Executive', role: 'rep', tz: 'America/Chicago', city: 'Chicago', profile: 'on-leave' },
  { id: 'U0SPREP06', handle: 'lena', realName: 'Lena Vogel', title: 'Account Executive, DACH', role: 'rep', tz: 'Europe/Berlin', city: 'Berlin', profile: 'other-currency', currency: 'EUR' },
];

export interface SandboxChannel {
  id: string;
  name: string;
  topic: string;
}

export const SANDBOX_CHANNELS: readonly SandboxChannel[] = [
  { id: 'C0SPSALES', name: 'sales', topic: 'Wins, leaderboards and the weekly pulse' },
  { id: 'C0SPEAST0', name: 'sales-east', topic: 'East team' },
  { id: 'C0SPGENRL', name: 'general', topic: 'Company-wide' },
];

/** The person the page acts as when none was chosen yet. */
export const DEFAULT_SANDBOX_PERSON = SANDBOX_PEOPLE[0]!.id;
/** The workspace's own time zone and currency (the admin's). */
export const SANDBOX_TIME_ZONE = 'America/New_York';
export const SANDBOX_CURRENCY = 'USD';

/** A person's direct-message conversation with the bot, as Slack names it for chat.postMessage to a user id. */
export const dmChannelId = (userId: string) => `D${userId}`;
