/**
 * Activity logging through the slash commands, end to end: a signed request to the real Bolt app,
 * the row it stored, and the private reply the user saw: the command's ack body (the answer rides on the ack).
 */
import { asc } from 'drizzle-orm';
import { afterEach, expect, it } from 'vitest';
import { ACK_DEADLINE_MS } from '../../src/slack/command-ack.js';
import { activities } from '../../src/db/schema/index.js';
import { describeEachDb, lockTable } from '../helpers/db.js';
import type { RecordedCall } from '../helpers/fake-slack.js';
import { replyTo, startHarness, type Harness, type HarnessOptions } from '../helpers/harness.js';
import { DEFAULT_TEAM_ID, DEFAULT_USER_ID } from '../helpers/signed-request.js';
import { ackReply, contextText, replyButtons as buttons, sectionText } from '../helpers/slack-ui.js';

/** The harness clock's default: Friday 2026-11-27 10:00 in New York (the fake user's zone). */
const NOW = new Date('2026-11-27T15:00:00Z');

describeEachDb('logging: slash commands', (getDb) => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  async function start(opts: Omit<HarnessOptions, 'db'> = {}): Promise<Harness> {
    h = await startHarness({ db: getDb(), ...opts });
    return h;
  }

  const storedActivities = () => getDb().database.db.select().from(activities).orderBy(asc(activities.createdAt));

  /** Send a slash command and return its answer: the ack body (asserted to be an ephemeral message). */
  async function log(command: string, text: string): Promise<RecordedCall['args']> {
    return ackReply(h ?? (await start()), { command, text });
  }

  // -------------------------------------------------------------------------------------------
  // the answer rides on the ack

  it('/log-call answers in the HTTP response body, the row is committed when the response arrives, and no response_url call is made', async () => {
    const harness = await start();
    const res = await harness.slack.command({ command: '/log-call', text: 'Acme Corp x3 #connected' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('application/json');
    const rows = await storedActivities(); // read before anything else can happen
    expect(rows.map((r) => [r.account, r.quantity])).toEqual([['Acme Corp', 3]]);
    const answer = res.json() as RecordedCall['args'];
    expect(answer.response_type).toBe('ephemeral');
    expect(answer.text).toBe("Logged 3 calls (connected) with Acme Corp for today. That's 3 calls this week.");
    expect(buttons(answer).map((b: { value: string }) => b.value)).toEqual([rows[0]!.id, rows[0]!.id]);
    await harness.settle();
    expect(harness.fake.callsTo('response_url')).toEqual([]);
  });

  it('a parse error is the ack body, and nothing is stored', async () => {
    const harness = await start();
    const res = await harness.slack.command({ command: '/log-call', text: 'Acme x0' });
    expect(res.status).toBe(200);
    const answer = res.json() as RecordedCall['args'];
    expect(answer.response_type).toBe('ephemeral');
    expect(answer.text).toContain('`x0` is out of range');
    expect(await storedActivities()).toEqual([]);
    await harness.settle();
    expect(harness.fake.callsTo('response_url')).toEqual([]);
    expect(await storedActivities()).toEqual([]);
  });

  it('an entry the database cannot take within the deadline is answered "not saved" inside 3 s, and nothing is stored', async () => {
    const harness = await start();
    // Another connection holds a lock that blocks inserts into activities (on PGlite, its one connection is
    // held by that transaction) until the command has been answered.
    const unlock = await lockTable(getDb(), 'activities');
    try {
      const started = Date.now();
      const res = await harness.slack.command({ command: '/log-call', text: 'Acme Corp 15m #connected' });
      const took = Date.now() - started;
      expect(res.status).toBe(200);
      expect(took).toBeGreaterThanOrEqual(ACK_DEADLINE_MS - 100);
      expect(took).toBeLessThan(3000);
      const answer = res.json() as RecordedCall['args'];
      expect(answer.response_type).toBe('ephemeral');
      expect(answer.text).toContain('Not saved');
      expect(answer.text).toContain('nothing was stored');
      expect(answer.blocks[0].text.text).toContain('/log-call Acme Corp 15m #connected');
    } finally {
      await unlock();
    }
    expect(await storedActivities()).toEqual([]);
    // Sent again once the database answers, it is stored and confirmed; once every handler has finished, that
    // retry is the only row: the first attempt was rolled back, not committed late.
    expect((await log('/log-call', 'Acme Corp 15m #connected')).text).toContain("Logged 1 call (connected) with Acme Corp for today. That's 1 call this week.");
    await harness.settle();
    expect(await storedActivities()).toHaveLength(1);
    expect(harness.fake.callsTo('response_url')).toEqual([]);
  });

  it('/log-call Acme Corp 15m #connected -- asked for pricing: stores the call and confirms it privately with Undo and Edit', async () => {
    const reply = await log('/log-call', 'Acme Corp 15m #connected -- asked for pricing');

    const rows = await storedActivities();
    expect(rows).toHaveLength(1);
    const [row] = rows;
    expect(row).toMatchObject({
      teamId: DEFAULT_TEAM_ID,
      userId: DEFAULT_USER_ID,
      typeKey: 'call',
      quantity: 1,
      account: 'Acme Corp',
      contact: null,
      outcome: 'connected',
      durationMinutes: 15,
      notes: 'asked for pricing',
      source: 'slash_command',
      deletedAt: null,
    });
    expect(row!.occurredAt.toISOString()).toBe(NOW.toISOString());

    expect(reply.response_type).toBe('ephemeral');
    expect(reply.text).toBe("Logged 1 call (connected) with Acme Corp for today. That's 1 call this week.");
    expect(sectionText(reply)).toBe(':white_check_mark: Logged 1 call (connected) with Acme Corp for today\n*Duration:* 15 min\n> asked for pricing');
    expect(contextText(reply)).toBe("That's 1 call this week.");
    expect(buttons(reply)).toEqual([
      { action_id: 'activity_undo', text: 'Undo', value: row!.id },
      { action_id: 'activity_edit', text: 'Edit', value: row!.id },
    ]);
  });

  it('/log-call x12 #voicemail stores ONE row with quantity 12 and says "Logged 12 calls (voicemail) for today"', async () => {
    const reply = await log('/log-call', 'x12 #voicemail');

    const rows = await storedActivities();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ typeKey: 'call', quantity: 12, outcome: 'voicemail', account: null, durationMinutes: null, notes: null });
    expect(reply.response_type).toBe('ephemeral');
    expect(reply.text).toBe("Logged 12 calls (voicemail) for today. That's 12 calls this week.");
    expect(buttons(reply).map((b: { value: string }) => b.value)).toEqual([rows[0]!.id, rows[0]!.id]);
  });

  it('/log meeting Globex yesterday 1h #held is stored at noon yesterday in the user\'s time zone (New York), not the server\'s', async () => {
    const reply = await log('/log', 'meeting Globex yesterday 1h #held');

    const [row] = await storedActivities();
    expect(row).toMatchObject({ typeKey: 'meeting', quantity: 1, account: 'Globex', outcome: 'held', durationMinutes: 60, notes: null });
    // 2026-11-26 12:00 EST; the process runs in Pacific/Kiritimati (UTC+14), where "yesterday" would be the 27th.
    expect(row!.occurredAt.toISOString()).toBe('2026-11-26T17:00:00.000Z');
    expect(reply.response_type).toBe('ephemeral');
    expect(reply.text).toBe("Logged 1 meeting (held) with Globex for yesterday. That's 1 meeting this week.");
    expect(sectionText(reply)).toContain('*Duration:* 1 h');
  });

  it('yesterday follows the user\'s time zone: at 03:00 UTC a New York user\'s yesterday is two UTC days back', async () => {
    await start({ now: '2026-11-27T03:00:00Z' }); // Thu 26 Nov, 22:00 in New York
    await log('/log-call', 'Acme yesterday');
    const [row] = await storedActivities();
    expect(row!.occurredAt.toISOString()).toBe('2026-11-25T17:00:00.000Z');
  });

  it('a user in Tokyo logging "yesterday" gets noon Tokyo time', async () => {
    await start({ userTimeZone: 'Asia/Tokyo' }); // 2026-11-28 00:00 in Tokyo
    const reply = await log('/log-call', 'Acme yesterday');
    const [row] = await storedActivities();
    expect(row!.occurredAt.toISOString()).toBe('2026-11-27T03:00:00.000Z');
    expect(reply.text).toContain('for yesterday');
  });

  it('/log-email Initech -- sent proposal v2 stores an email with the notes and no outcome', async () => {
    const reply = await log('/log-email', 'Initech -- sent proposal v2');

    const rows = await storedActivities();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ typeKey: 'email', quantity: 1, account: 'Initech', outcome: null, notes: 'sent proposal v2', durationMinutes: null });
    expect(reply.response_type).toBe('ephemeral');
    expect(reply.text).toBe("Logged 1 email with Initech for today. That's 1 email this week.");
    expect(sectionText(reply)).toBe(':white_check_mark: Logged 1 email with Initech for today\n> sent proposal v2');
  });

  it('/log-meeting Globex 30m #no-show stores a meeting', async () => {
    const reply = await log('/log-meeting', 'Globex 30m #no-show');
    const rows = await storedActivities();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ typeKey: 'meeting', account: 'Globex', outcome: 'no-show', durationMinutes: 30, source: 'slash_command' });
    expect(reply.text).toBe("Logged 1 meeting (no-show) with Globex for today. That's 1 meeting this week.");
  });

  it('/log-demo Globex 45m #held -- loved the dashboards stores a demo', async () => {
    const reply = await log('/log-demo', 'Globex 45m #held -- loved the dashboards');
    const rows = await storedActivities();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ typeKey: 'demo', account: 'Globex', outcome: 'held', durationMinutes: 45, notes: 'loved the dashboards' });
    expect(reply.text).toBe("Logged 1 demo (held) with Globex for today. That's 1 demo this week.");
    expect(sectionText(reply)).toContain('*Duration:* 45 min\n> loved the dashboards');
  });

  it('/log proposal Initech #sent stores a proposal (a type with no command of its own)', async () => {
    const reply = await log('/log', 'proposal Initech #sent');
    const rows = await storedActivities();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ typeKey: 'proposal', account: 'Initech', outcome: 'sent', quantity: 1 });
    expect(reply.response_type).toBe('ephemeral');
    expect(reply.text).toBe("Logged 1 proposal (sent) with Initech for today. That's 1 proposal this week.");
    expect(buttons(reply)).toHaveLength(2);
  });

  it('the escaped channel form <#C0CONNECT|connected> (should_escape) is read as the outcome, not the account', async () => {
    const reply = await log('/log-call', 'Acme Corp <#C0CONNECT|connected>');
    const [row] = await storedActivities();
    expect(row).toMatchObject({ account: 'Acme Corp', outcome: 'connected' });
    expect(reply.text).toContain('Logged 1 call (connected) with Acme Corp');
  });

  it('an em dash (as a phone keyboard types "--") starts the notes', async () => {
    const reply = await log('/log-call', 'Acme Corp #booked \u2014 demo next Tuesday');
    const [row] = await storedActivities();
    expect(row).toMatchObject({ account: 'Acme Corp', outcome: 'booked', notes: 'demo next Tuesday' });
    expect(sectionText(reply)).toContain('> demo next Tuesday');
  });

  it('Slack-escaped text (&amp; &lt; &gt;) is stored decoded and shown escaped again, also in the fallback text', async () => {
    const reply = await log('/log-call', 'AT&amp;T &lt;Labs&gt; -- pricing &lt;&gt; terms');
    const [row] = await storedActivities();
    expect(row).toMatchObject({ account: 'AT&T <Labs>', notes: 'pricing <> terms' });
    expect(sectionText(reply)).toContain('with AT&amp;T &lt;Labs&gt; for today');
    expect(sectionText(reply)).toContain('> pricing &lt;&gt; terms');
    // `text` is mrkdwn too (the notification and accessibility fallback): a raw < or & there is a control character.
    expect(reply.text).toBe("Logged 1 call with AT&amp;T &lt;Labs&gt; for today. That's 1 call this week.");
  });

  it('the reply shows the running week count, counting quantities: 1 call, then x3 makes 4; emails are counted apart', async () => {
    expect((await log('/log-call', 'Acme')).text).toContain("That's 1 call this week.");
    const second = await log('/log-call', 'Globex x3');
    expect(second.text).toBe("Logged 3 calls with Globex for today. That's 4 calls this week.");
    expect(contextText(second)).toBe("That's 4 calls this week.");
    expect((await log('/log-email', 'Initech')).text).toContain("That's 1 email this week.");
    expect((await log('/log-call', 'Initech yesterday')).text).toContain("That's 5 calls this week.");
    expect(await storedActivities()).toHaveLength(4);
  });

  it('the week count uses the user\'s week: Sunday night in New York is still the week that began Monday the 23rd', async () => {
    // 2026-11-30 03:00 UTC: Sunday 22:00 in New York, already Monday in UTC and in Kiritimati.
    await start({ now: '2026-11-30T03:00:00Z' });
    const monday = await log('/log-call', 'Acme mon');
    expect(monday.text).toBe("Logged 1 call with Acme for Monday, Nov 23. That's 1 call this week.");
    const today = await log('/log-call', 'Globex');
    expect(today.text).toBe("Logged 1 call with Globex for today. That's 2 calls this week.");
    const rows = await storedActivities();
    expect(rows.map((r) => r.occurredAt.toISOString())).toEqual(['2026-11-23T17:00:00.000Z', '2026-11-30T03:00:00.000Z']);
  });

  it('a call logged last week is stored but not counted in this week', async () => {
    const reply = await log('/log-call', 'Acme 2026-11-20');
    expect(reply.text).toBe("Logged 1 call with Acme for Friday, Nov 20. That's 0 calls this week.");
    const [row] = await storedActivities();
    expect(row!.occurredAt.toISOString()).toBe('2026-11-20T17:00:00.000Z');
  });

  it('30 days back is the oldest date accepted', async () => {
    const reply = await log('/log-call', 'Acme 2026-10-28');
    expect(reply.text).toContain('Logged 1 call with Acme for Wednesday, Oct 28');
    const [row] = await storedActivities();
    expect(row!.occurredAt.toISOString()).toBe('2026-10-28T16:00:00.000Z'); // EDT, before the clocks went back
  });

  it('the same command delivered twice (same trigger_id) stores one row', async () => {
    const harness = await start();
    const first = await harness.slack.command({ command: '/log-call', text: 'Acme x2', triggerId: '1111.2222.same' });
    await replyTo(harness, first);
    const again = await harness.slack.command({ command: '/log-call', text: 'Acme x2', triggerId: '1111.2222.same' });
    const reply = await replyTo(harness, again);
    expect(await storedActivities()).toHaveLength(1);
    expect(reply.args.text).toContain("That's 2 calls this week.");
  });

  it('the command of one user is not counted in another user\'s week', async () => {
    const harness = await start();
    harness.fake.addUser({ id: 'U0OTHER', name: 'bo', tz: 'America/New_York' });
    await log('/log-call', 'Acme x5');
    const res = await harness.slack.command({ command: '/log-call', text: 'Globex', userId: 'U0OTHER' });
    const reply = (await replyTo(harness, res)).args;
    expect(reply.text).toBe("Logged 1 call with Globex for today. That's 1 call this week.");
    const rows = await storedActivities();
    expect(rows.map((r) => [r.userId, r.quantity])).toEqual([
      [DEFAULT_USER_ID, 5],
      ['U0OTHER', 1],
    ]);
  });

  // -------------------------------------------------------------------------------------------
  // help

  it('/log-call help answers with the syntax, the call outcomes and examples, and stores nothing', async () => {
    const reply = await log('/log-call', 'help');
    expect(reply.response_type).toBe('ephemeral');
    const help = sectionText(reply);
    expect(help).toContain('*Log a call*');
    expect(help).toContain('`/log-call [account] [x5] [15m] [#outcome] [date] [-- notes]`');
    for (const outcome of ['`#connected`', '`#voicemail`', '`#no-answer`', '`#booked`']) expect(help).toContain(outcome);
    expect(help).toContain('`/log-call Acme Corp 15m #connected -- asked for pricing`');
    expect(help).toContain('`/log-call x12 #voicemail`');
    expect(help).toContain('at most 30 days back');
    expect(reply.blocks.some((b: { type: string }) => b.type === 'actions')).toBe(false);
    expect(await storedActivities()).toEqual([]);
  });

  it('/log help lists every type with its outcomes and examples, and stores nothing', async () => {
    const reply = await log('/log', 'help');
    expect(reply.response_type).toBe('ephemeral');
    const help = sectionText(reply);
    expect(help).toContain('*Log an activity*');
    expect(help).toContain('• *Type:* `call`, `email`, `meeting`, `demo`, `proposal`');
    expect(help).toContain('Proposal: `#sent`, `#accepted`, `#declined`');
    expect(help).toContain('`/log call Acme Corp 15m #connected -- asked for pricing`');
    expect(help).toContain('`/log meeting Globex yesterday 1h #held`');
    // mrkdwn: a bare <type> is a Slack control sequence (a broken link), so it must arrive escaped.
    expect(help).toContain('`/log &lt;type&gt; [account] [x5] [15m] [#outcome] [date] [-- notes]`');
    expect(help).not.toMatch(/<(?![#@!])/);
    expect(await storedActivities()).toEqual([]);
  });

  // -------------------------------------------------------------------------------------------
  // bad input

  it.each([
    ['an unknown outcome lists the valid ones', '/log-call', 'Acme #busy', '`#busy` isn\'t an outcome for calls. Use one of: `#connected`, `#voicemail`, `#no-answer`, `#booked`.'],
    ['an unknown outcome in the escaped channel form', '/log-call', 'Acme <#C0GENERAL|general>', '`#general` isn\'t an outcome for calls.'],
    ['an unknown type for /log lists the types', '/log', 'webinar Acme', '`webinar` isn\'t an activity type. Use one of: `call`, `email`, `meeting`, `demo`, `proposal`.'],
    ['a count of x0', '/log-call', 'Acme x0', '`x0` is out of range: the count must be from 1 to 100'],
    ['a count of x101', '/log-call', 'Acme x101', '`x101` is out of range: the count must be from 1 to 100'],
    ['a duration of 13h', '/log-meeting', 'Globex 13h', 'The duration `13h` is longer than 12 hours.'],
    ['a duration of 0m', '/log-call', 'Acme 0m', 'The duration `0m` is shorter than a minute.'],
    ['a future date (tomorrow in New York, already today in the server\'s zone)', '/log-call', 'Acme 2026-11-28', '2026-11-28 is in the future.'],
    ['a date 31 days back', '/log-call', 'Acme 2026-10-27', '2026-10-27 is too long ago: you can log at most 30 days back.'],
    ['an unparseable date', '/log-call', 'Acme 2026-02-30', "2026-02-30 isn't a real date."],
    ['text over 3000 characters', '/log-call', `Acme -- ${'n'.repeat(2995)}`, "That's 3003 characters; the most a command can take is 3000."],
    ['two dates', '/log-call', 'Acme today yesterday', 'You gave two dates: `today` and `yesterday`. Give at most one.'],
    ['two durations', '/log-meeting', 'Globex 15m 1h', 'You gave two durations: `15m` and `1h`. Give at most one.'],
  ])('%s: says what was wrong, shows a "Try:" form, stores nothing', async (_name, command, text, problem) => {
    const reply = await log(command, text);
    expect(reply.response_type).toBe('ephemeral');
    const message = sectionText(reply);
    expect(message).toContain(problem);
    const tryLine = /\nTry: `([^`]+)`$/.exec(message);
    expect(tryLine, message).not.toBeNull();
    expect(tryLine![1]).toMatch(command === '/log' ? /^\/log call Acme Corp/ : new RegExp(`^${command} `));
    expect(reply.blocks.some((b: { type: string }) => b.type === 'actions')).toBe(false);
    expect(await storedActivities()).toEqual([]);
  });

  it('every "Try:" example in an error reply is itself accepted', async () => {
    const reply = await log('/log-meeting', 'Globex 13h');
    const example = /\nTry: `\/log-meeting ([^`]+)`$/.exec(sectionText(reply))![1]!;
    expect(example).toBe('Globex yesterday 1h #held');
    const ok = await log('/log-meeting', example);
    expect(ok.text).toContain('Logged 1 meeting (held) with Globex for yesterday');
    expect(await storedActivities()).toHaveLength(1);
  });
});
