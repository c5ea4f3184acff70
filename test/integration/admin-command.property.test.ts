/**
 * `/sales-admin …` as a whole, property-tested on both databases: the real handler, the real database and the fake
 * Slack Web API, fed generated commands (the subcommands' grammar, mutated, and random text). Whatever the text, the
 * handler does not throw, answers once in its ack with a private message, and a refusal (a warning, "nothing to
 * remove", a rep who is not an admin) changes nothing: the settings, schedules and targets are what they were.
 *
 * The pure parsers behind it get 10,000 inputs each in test/unit/admin-parse.property.test.ts and
 * target-parse.property.test.ts; here every run is a few queries, so it takes fewer.
 */
import { noSlack } from '../../src/slack/clients.js';
import { performance } from 'node:perf_hooks';
import { asc } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { webApi } from '@slack/bolt';
import { configSchema } from '../../src/config.js';
import { leaderboardSchedules, targets, workspaces } from '../../src/db/schema/index.js';
import type { Deps } from '../../src/deps.js';
import { handleSalesAdmin, SETTINGS_NOT_OPENED_TEXT } from '../../src/features/admin/command.js';
import { fixedClock } from '../../src/lib/clock.js';
import { createLogger } from '../../src/lib/logger.js';
import type { CommandArgs } from '../../src/slack/listener-args.js';
import { UserDirectory } from '../../src/slack/user-directory.js';
import { anyText, mutated, numberWord, parserInput, runs, sentence, slackReference, zone } from '../helpers/arbitraries.js';
import { describeEachDb } from '../helpers/db.js';
import { manifestBotScopes, startFakeSlack, type FakeSlack } from '../helpers/fake-slack.js';
import { BOT_TOKEN } from '../helpers/harness.js';
import { DEFAULT_TEAM_ID } from '../helpers/signed-request.js';

const ADMIN = 'U0ADMIN01';
const REP = 'U0REP0001';
const RUNS = 1_000;
const REP_RUNS = 300;

const subcommand = fc.constantFrom('help', 'celebrations', 'leaderboard', 'leaderboards', 'target', 'targets', 'digests', 'Target', 'TARGETS', 'nope', 'constructor', '__proto__', 'toString');
const channel = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('<#C0SALES|sales>', '<#C0WINS>', '<#C0EAST|sales-east>', '<#C0GONE|gone>') },
  { weight: 1, arbitrary: fc.oneof(fc.constantFrom('#sales', 'off', 'OFF'), slackReference()) },
);
const scheduleWord = fc.oneof(fc.constantFrom('weekly', 'daily', 'monthly', 'mon', 'fri', 'sunday', '09:00', '16:30', '7:05', '25:00', 'off'), zone());
const who = fc.constantFrom('everyone', 'all', '<@U0ANA0001|ana>', '<@U0REP0001>', '@ana', 'nobody');
const metric = fc.constantFrom('calls', 'demo', 'revenue', 'quota', 'emails', 'webinars');
const amount = fc.oneof(
  numberWord([100_000]).chain((n) => fc.constantFrom(`${n}/week`, `${n} / month`, `${n} per quarter`, `${n}/year`)),
  fc.constantFrom('$40k/month', '40000 EUR/quarter', '1,000/week', '0/week', 'off', 'remove', '50'),
);
/** Each subcommand with words of its own grammar. */
const wellFormed = fc.oneof(
  channel.map((c) => `celebrations ${c}`),
  fc.tuple(channel, sentence(scheduleWord, 4)).map(([c, rest]) => `leaderboard ${c} ${rest}`),
  fc.tuple(who, metric, amount).map((parts) => `target ${parts.join(' ')}`),
  fc.constantFrom('digests weekly', 'digests off', 'digests', 'digests monthly', 'leaderboards', 'targets', 'help', ''),
);
const word = fc.oneof(channel, scheduleWord, who, metric, amount, anyText(5));
/** Mostly well-formed subcommands, some mutated, some with random words, some random text. */
const commandText = fc.oneof(
  { weight: 4, arbitrary: wellFormed },
  { weight: 2, arbitrary: mutated(wellFormed, 2) },
  { weight: 1, arbitrary: fc.tuple(subcommand, parserInput(word, 5)).map(([sub, rest]) => `${sub} ${rest}`) },
  { weight: 1, arbitrary: anyText(60) },
);

/** What `/sales-admin` can change: the workspace's settings, its scheduled boards and its targets. */
async function settingsOf(deps: Deps) {
  const [ws, schedules, targetRows] = await Promise.all([
    deps.db.select({ teamId: workspaces.teamId, celebrationsChannel: workspaces.celebrationsChannel, digestDefault: workspaces.digestDefault, updatedAt: workspaces.updatedAt }).from(workspaces).orderBy(asc(workspaces.teamId)),
    deps.db.select().from(leaderboardSchedules).orderBy(asc(leaderboardSchedules.channelId)),
    deps.db.select().from(targets).orderBy(asc(targets.userKey), asc(targets.metric)),
  ]);
  return { ws, schedules, targetRows };
}

describeEachDb('/sales-admin on generated commands', (getDb) => {
  let fake: FakeSlack;
  let client: webApi.WebClient;
  beforeAll(async () => {
    fake = await startFakeSlack({ botToken: BOT_TOKEN, scopes: manifestBotScopes() });
    fake.addUser({ id: ADMIN, name: 'ada', tz: 'America/New_York', is_admin: true });
    fake.addUser({ id: REP, name: 'rex', tz: 'Europe/Berlin' });
    fake.channelsWithoutBot.add('C0GONE');
    client = new webApi.WebClient(BOT_TOKEN, { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } });
  });
  afterAll(async () => {
    await fake.close();
  });

  function depsFor(): Deps {
    const config = configSchema.parse({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: 'x', PORT: '0', LOG_LEVEL: 'silent' });
    return { config, db: getDb().database.db, clock: fixedClock('2026-11-27T15:00:00Z'), logger: createLogger('silent'), afterChange: () => {}, users: new UserDirectory(), slack: noSlack };
  }

  /** Run `/sales-admin <text>` as `userId`; every ack it made. */
  async function salesAdmin(deps: Deps, text: string, userId: string): Promise<{ text?: string; response_type?: string }[]> {
    const acks: { text?: string; response_type?: string }[] = [];
    const args = {
      command: { command: '/sales-admin', text, team_id: DEFAULT_TEAM_ID, team_domain: 'example', user_id: userId, user_name: 'x', channel_id: 'C0SALES', channel_name: 'sales', trigger_id: '1.2.3', response_url: fake.responseUrl('admin'), api_app_id: 'A1', token: 't' },
      ack: (response?: { text?: string; response_type?: string }) => {
        acks.push(response ?? {});
        return Promise.resolve();
      },
      respond: (message: unknown) => Promise.reject(new Error(`answered late through response_url: ${JSON.stringify(message)}`)),
      client,
      context: { receivedAt: performance.now() },
    } as unknown as CommandArgs;
    await handleSalesAdmin(args, deps);
    return acks;
  }

  it(`an admin's command: answered once in the ack; a refusal changes nothing (${RUNS} commands)`, async () => {
    const deps = depsFor();
    await salesAdmin(deps, 'help', ADMIN); // the workspace exists from here on
    await fc.assert(
      fc.asyncProperty(commandText, async (text) => {
        const before = await settingsOf(deps);
        const acks = await salesAdmin(deps, text, ADMIN);
        expect(acks).toHaveLength(1);
        const answer = acks[0]!;
        if (text.trim() === '') {
          // `/sales-admin` alone opens the settings modal (an empty ack); this trigger id is not one Slack gave, so
          // the modal is refused and the answer says so. Nothing changed either way.
          if (Object.keys(answer).length > 0) expect(answer.text).toBe(SETTINGS_NOT_OPENED_TEXT);
          expect(await settingsOf(deps)).toEqual(before);
          return;
        }
        expect(answer.response_type).toBe('ephemeral');
        expect(answer.text?.trim()).toBeTruthy();
        expect(answer.text).not.toContain('something went wrong');
        if (!answer.text!.startsWith(':white_check_mark:')) expect(await settingsOf(deps)).toEqual(before);
      }),
      runs(RUNS),
    );
  });

  it(`a rep's command, whatever it says: refused, nothing changes (${REP_RUNS} commands)`, async () => {
    const deps = depsFor();
    await salesAdmin(deps, 'celebrations <#C0WINS|wins>', ADMIN);
    await salesAdmin(deps, 'target everyone calls 50/week', ADMIN);
    const before = await settingsOf(deps);
    expect(before.targetRows).toHaveLength(1);
    await fc.assert(
      fc.asyncProperty(commandText, async (text) => {
        const acks = await salesAdmin(deps, text, REP);
        expect(acks).toHaveLength(1);
        expect(acks[0]!.text).toMatch(/^:lock: Only Sales Pulse admins and team managers can use `\/sales-admin`/);
      }),
      runs(REP_RUNS),
    );
    expect(await settingsOf(deps)).toEqual(before);
  });
});
