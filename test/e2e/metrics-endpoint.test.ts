/**
 * GET /metrics end to end, through the real app: what an operator's Prometheus scrapes after a slash command, a
 * button, a form, a scheduled run through a 429 and webhook requests; off unless METRICS or METRICS_PORT says so,
 * never on the main port without METRICS=1; and two apps in one process counting apart.
 */
import { request } from 'node:http';
import { afterEach, expect, it } from 'vitest';
import { activities, leaderboardSchedules } from '../../src/db/schema/index.js';
import { ensureWorkspace } from '../../src/slack/workspace.js';
import { describeEachDb } from '../helpers/db.js';
import { startHarness, type Harness, type HarnessOptions } from '../helpers/harness.js';
import { parsePrometheusText, type Scrape } from '../helpers/prometheus.js';
import { blockAction, DEFAULT_TEAM_ID } from '../helpers/signed-request.js';
import { clickButton, logViaCommand, modalOpenedBy } from '../helpers/slack-ui.js';

const SALES = 'C0SALES';
/** Monday Nov 30 2026, 09:00 in New York (EST): the weekly board's slot. */
const SLOT = new Date('2026-11-30T14:00:00.000Z');

/** GET `url`: status, content type and body (plain node:http: no keep-alive pool to outlive the test). */
function get(url: string): Promise<{ status: number; contentType: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'], body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describeEachDb('GET /metrics', (getDb) => {
  const harnesses: Harness[] = [];
  afterEach(async () => {
    for (const h of harnesses.splice(0)) await h.stop();
  });
  const start = async (opts: Omit<HarnessOptions, 'db'> = {}) => {
    const h = await startHarness({ db: getDb(), ...opts });
    harnesses.push(h);
    // Bolt checks its token (auth.test) as it is built: let that finish, so no request is cut off at teardown.
    await h.fake.waitFor('auth.test');
    return h;
  };
  const scrape = async (url: string): Promise<Scrape> => {
    const res = await get(url);
    expect(res.status).toBe(200);
    expect(res.contentType).toMatch(/^text\/plain; version=0\.0\.4; charset=utf-8$/);
    return parsePrometheusText(res.body);
  };
  const handled = (s: Scrape, kind: string, type: string, outcome = 'ok') => s.value('sales_pulse_slack_requests_handled_total', { kind, type, outcome }) ?? 0;

  it('with METRICS=1, the main port serves the counts of commands, buttons, forms, scheduled runs, Slack calls and webhooks', async () => {
    const h = await start({ metrics: { onMainPort: true } });
    const db = getDb().database.db;

    // A slash command answered in its ack, then its Edit and Undo buttons (Edit opens a modal through Bolt's client).
    const { id } = await logViaCommand(h, '/log-call', 'Acme x2', { undo: 'activity_undo', edit: 'activity_edit' });
    const edit = await clickButton(h, { actionId: 'activity_edit', value: id, blockId: 'activity_actions' });
    await modalOpenedBy(h, edit.triggerId);
    await (await clickButton(h, { actionId: 'activity_undo', value: id, blockId: 'activity_actions' })).reply();
    // A button no listener knows, with an id made up per click: counted as 'other', never by its id (Bolt answers
    // what no listener acknowledged with a 404 after 3 s).
    expect((await h.slack.interaction(blockAction({ actionId: 'made_up_button_4711', value: 'x' }))).status).toBe(404);

    // The CRM webhook: unsigned, and with a body that is not JSON.
    const unsigned = await fetch(`${h.baseUrl}/webhooks/deals`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(unsigned.status).toBe(401);
    await unsigned.text();

    // A scheduled board whose first post Slack refuses with a 429 (Retry-After: 0): sent again, posted once.
    await ensureWorkspace(db, DEFAULT_TEAM_ID, 'example');
    await db.insert(activities).values({ teamId: DEFAULT_TEAM_ID, userId: 'U0REPA001', typeKey: 'call', quantity: 3, occurredAt: new Date('2026-11-24T15:00:00Z'), source: 'import' });
    const setAt = new Date('2026-11-27T12:00:00Z');
    await db.insert(leaderboardSchedules).values({ teamId: DEFAULT_TEAM_ID, channelId: SALES, cadence: 'weekly', weekday: 1, timeOfDay: '09:00', timeZone: 'America/New_York', createdBy: 'U0ADMIN01', createdAt: setAt, updatedAt: setAt });
    h.fake.failNext('chat.postMessage', { status: 429, retryAfter: 0 });
    h.clock.set(SLOT);
    const outcomes = await h.bot.scheduler.tick(SLOT);
    expect(outcomes.filter((o) => o.job === 'leaderboard').map((o) => o.status)).toEqual(['done']);
    const posts = h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === SALES);
    expect(posts.map((c) => c.status)).toEqual([429, 200]);

    const s = await scrape(`${h.baseUrl}/metrics`);
    expect(handled(s, 'command', '/log-call')).toBe(1);
    expect(handled(s, 'interaction', 'activity_undo')).toBe(1);
    expect(handled(s, 'interaction', 'activity_edit')).toBe(1);
    expect(handled(s, 'interaction', 'other')).toBe(1);
    expect(s.find('sales_pulse_slack_requests_handled_total').map((x) => x.labels.type)).not.toContain('made_up_button_4711');
    expect(s.value('sales_pulse_slack_ack_duration_seconds_count', { kind: 'command' })).toBe(1);
    expect(s.value('sales_pulse_slack_ack_duration_seconds_count', { kind: 'interaction' })).toBe(3);
    expect(s.value('sales_pulse_slack_ack_duration_seconds_count', { kind: 'event' })).toBeUndefined();
    // Acked within Slack's 3 seconds: every observation is in the 3 s bucket.
    expect(s.value('sales_pulse_slack_ack_duration_seconds_bucket', { kind: 'command', le: '3' })).toBe(1);
    expect(s.value('sales_pulse_scheduled_runs_total', { job: 'leaderboard', status: 'done' })).toBe(1);
    expect(s.value('sales_pulse_scheduled_runs_total', { job: 'leaderboard', status: 'failed' })).toBeUndefined();
    // Every outcome of the tick, whatever other jobs ran at that minute, by job and status.
    const runs = s.find('sales_pulse_scheduled_runs_total');
    expect(runs.reduce((sum, x) => sum + x.value, 0)).toBe(outcomes.length);
    expect(s.value('sales_pulse_slack_api_calls_total', { method: 'chat.postMessage', result: 'rate_limited' })).toBe(1);
    expect(s.value('sales_pulse_slack_api_calls_total', { method: 'chat.postMessage', result: 'ok' })).toBe(posts.filter((c) => c.ok).length);
    // Bolt's own client, which the Edit button opened its modal with.
    expect(s.value('sales_pulse_slack_api_calls_total', { method: 'views.open', result: 'ok' })).toBe(1);
    expect(s.value('sales_pulse_webhook_requests_total', { path: '/webhooks/deals', status: '401' })).toBe(1);
    expect(s.value('sales_pulse_workspaces', { state: 'installed' })).toBe(1);
    expect(s.value('sales_pulse_db_queries_in_flight')).toBeGreaterThanOrEqual(0);
    expect(s.find('sales_pulse_process_resident_memory_bytes').length + s.find('sales_pulse_nodejs_heap_size_used_bytes').length).toBeGreaterThan(0);
  });

  it('is off by default: 404 on the main port, and no server of its own', async () => {
    const h = await start();
    expect(h.metricsUrl).toBeUndefined();
    expect(h.bot.metrics).toBeUndefined();
    const res = await get(`${h.baseUrl}/metrics`);
    expect(res.status).toBe(404);
  });

  it('METRICS_PORT serves it on that port only, and stop() closes that server', async () => {
    const h = await start({ metrics: { port: true } });
    expect(h.metricsUrl).toBeDefined();
    expect((await get(`${h.baseUrl}/metrics`)).status).toBe(404);
    await logViaCommand(h, '/log-call', 'Acme', { undo: 'activity_undo', edit: 'activity_edit' });
    const s = await scrape(h.metricsUrl!);
    expect(handled(s, 'command', '/log-call')).toBe(1);
    expect((await get(h.metricsUrl!.replace(/\/metrics$/, '/slack/events'))).status).toBe(404);

    await h.settle();
    await expect(get(h.metricsUrl!)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('two apps in one process count apart', async () => {
    const a = await start({ metrics: { port: true } });
    const b = await start({ metrics: { port: true } });
    await logViaCommand(a, '/log-call', 'Acme', { undo: 'activity_undo', edit: 'activity_edit' });
    await logViaCommand(a, '/log-email', 'Acme', { undo: 'activity_undo', edit: 'activity_edit' });
    await logViaCommand(b, '/log-call', 'Globex', { undo: 'activity_undo', edit: 'activity_edit' });
    const sa = await scrape(a.metricsUrl!);
    const sb = await scrape(b.metricsUrl!);
    expect([handled(sa, 'command', '/log-call'), handled(sa, 'command', '/log-email')]).toEqual([1, 1]);
    expect([handled(sb, 'command', '/log-call'), handled(sb, 'command', '/log-email')]).toEqual([1, 0]);
  });
});
