/** The people in the sandbox's Web API (users.info, users.lookupByEmail), shaped as Slack returns them. */

export interface FakeUserProfile {
  display_name: string;
  real_name: string;
  email?: string;
  [field: string]: unknown;
}

export interface FakeUser {
  id: string;
  team_id: string;
  name: string;
  real_name: string;
  tz: string;
  tz_label: string;
  /** Seconds east of UTC, as Slack reports it (for the current date unless given). */
  tz_offset: number;
  is_admin: boolean;
  is_owner: boolean;
  is_primary_owner: boolean;
  is_restricted: boolean;
  is_ultra_restricted: boolean;
  deleted: boolean;
  is_bot: boolean;
  is_app_user: boolean;
  locale?: string;
  profile: FakeUserProfile;
}

export type FakeUserInput = Partial<Omit<FakeUser, 'profile'>> & { id: string; profile?: Partial<FakeUserProfile> };

function tzOffsetSeconds(timeZone: string, at = new Date()): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(at);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const wallClockAsUtc = Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second'));
  return Math.round((wallClockAsUtc - Math.floor(at.getTime() / 1000) * 1000) / 1000);
}

function tzLabel(timeZone: string, at = new Date()): string {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'long' }).formatToParts(at);
  return parts.find((p) => p.type === 'timeZoneName')?.value ?? timeZone;
}

/** A user as Slack returns it: the fields given, and defaults for the rest. */
export function newFakeUser(input: FakeUserInput, teamId: string): FakeUser {
  const name = input.name ?? `user.${input.id.toLowerCase()}`;
  const realName = input.real_name ?? input.profile?.real_name ?? `User ${input.id}`;
  const tz = input.tz ?? 'America/New_York';
  const user: FakeUser = {
    team_id: teamId,
    // Given ones spare the Intl work (about a millisecond a user), for a fake making up thousands of people.
    tz_label: input.tz_label ?? tzLabel(tz),
    tz_offset: input.tz_offset ?? tzOffsetSeconds(tz),
    is_admin: false,
    is_owner: false,
    is_primary_owner: false,
    is_restricted: false,
    is_ultra_restricted: false,
    deleted: false,
    is_bot: false,
    is_app_user: false,
    ...input,
    name,
    real_name: realName,
    tz,
    profile: {
      display_name: name,
      display_name_normalized: input.profile?.display_name ?? name,
      real_name: realName,
      real_name_normalized: realName,
      email: `${name}@example.com`,
      ...input.profile,
    },
  };
  return user;
}
