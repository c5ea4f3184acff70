import { webApi } from '@slack/bolt';
import { register as globalRegistry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics, MAX_LABEL_VALUES } from '../../src/observability/metrics.js';
import { describeRequest, idFamily, ListenerNames } from '../../src/observability/slack-requests.js';
import type { RunOutcome } from '../../src/scheduler/scheduler.js';
import { observeApiCalls } from '../../src/slack/clients.js';
import { manifestBotScopes, startFakeSlack, type FakeSlack } from '../helpers/fake-slack.js';
import { parsePrometheusText } from '../helpers/prometheus.js';

const outcome = (job: string, status: RunOutcome['status']): RunOutcome => ({ job, status, runKey: `${job}:k`, teamId: 'T1', slotAt: new Date(0), detail: '' });

describe('createMetrics', () => {
  it('renders each recorder as its Prometheus metric, with the labels given', async () => {
    const metrics = createMetrics({ processMetrics: false });
    metrics.handled('command', '/log-call', 'ok');
    metrics.handled('command', '/log-call', 'ok');
    metrics.handled('interaction', 'activity_undo', 'error');
    metrics.acknowledged('command', 0.2);
    metrics.acknowledged('command', 2.7);
    metrics.scheduledRuns([outcome('leaderboard', 'done'), outcome('leaderboard', 'failed'), outcome('digest', 'retry')]);
    metrics.apiCall('chat.postMessage', 'rate_limited');
    metrics.apiCall('chat.postMessage', 'ok');
    metrics.webhookRequest('/webhooks/deals', 401);

    const scrape = parsePrometheusText(await metrics.render());
    expect(scrape.types.get('sales_pulse_slack_requests_handled_total')).toBe('counter');
    expect(scrape.value('sales_pulse_slack_requests_handled_total', { kind: 'command', type: '/log-call', outcome: 'ok' })).toBe(2);
    expect(scrape.value('sales_pulse_slack_requests_handled_total', { kind: 'interaction', type: 'activity_undo', outcome: 'error' })).toBe(1);
    expect(scrape.types.get('sales_pulse_slack_ack_duration_seconds')).toBe('histogram');
    expect(scrape.value('sales_pulse_slack_ack_duration_seconds_count', { kind: 'command' })).toBe(2);
    expect(scrape.value('sales_pulse_slack_ack_duration_seconds_bucket', { kind: 'command', le: '2.5' })).toBe(1);
    expect(scrape.value('sales_pulse_slack_ack_duration_seconds_bucket', { kind: 'command', le: '3' })).toBe(2);
    expect(scrape.value('sales_pulse_scheduled_runs_total', { job: 'leaderboard', status: 'done' })).toBe(1);
    expect(scrape.value('sales_pulse_scheduled_runs_total', { job: 'leaderboard', status: 'failed' })).toBe(1);
    expect(scrape.value('sales_pulse_scheduled_runs_total', { job: 'digest', status: 'retry' })).toBe(1);
    expect(scrape.value('sales_pulse_slack_api_calls_total', { method: 'chat.postMessage', result: 'rate_limited' })).toBe(1);
    expect(scrape.value('sales_pulse_slack_api_calls_total', { method: 'chat.postMessage', result: 'ok' })).toBe(1);
    expect(scrape.value('sales_pulse_webhook_requests_total', { path: '/webhooks/deals', status: '401' })).toBe(1);
    expect(metrics.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  it('keeps its own registry: two counters apart, nothing in prom-client’s global one', async () => {
    const a = createMetrics();
    const b = createMetrics();
    a.apiCall('users.info', 'ok');
    a.apiCall('users.info', 'ok');
    b.apiCall('users.info', 'ok');
    expect(parsePrometheusText(await a.render()).value('sales_pulse_slack_api_calls_total', { method: 'users.info', result: 'ok' })).toBe(2);
    expect(parsePrometheusText(await b.render()).value('sales_pulse_slack_api_calls_total', { method: 'users.info', result: 'ok' })).toBe(1);
    expect(globalRegistry.getMetricsAsArray()).toEqual([]);
  });

  it('includes the process metrics under the prefix', async () => {
    const scrape = parsePrometheusText(await createMetrics().render());
    expect(scrape.find('sales_pulse_process_resident_memory_bytes').length + scrape.find('sales_pulse_nodejs_heap_size_used_bytes').length).toBeGreaterThan(0);
    expect(scrape.samples.every((s) => s.name.startsWith('sales_pulse_'))).toBe(true);
  });

  it(`names at most ${MAX_LABEL_VALUES} values of a label, then 'other'`, async () => {
    const metrics = createMetrics({ processMetrics: false });
    for (let i = 0; i < MAX_LABEL_VALUES + 5; i++) metrics.apiCall(`method.${i}`, 'ok');
    const scrape = parsePrometheusText(await metrics.render());
    const calls = scrape.find('sales_pulse_slack_api_calls_total');
    expect(calls).toHaveLength(MAX_LABEL_VALUES + 1);
    expect(scrape.value('sales_pulse_slack_api_calls_total', { method: 'other', result: 'ok' })).toBe(5);
  });
});

describe('ListenerNames', () => {
  const names = new ListenerNames();
  names.add('command', '/log-call');
  names.add('action', 'activity_undo');
  names.add('action', /^home_undo_(activity|deal)_\d+$/g);
  names.add('action', /^settings_open:/);
  names.add('view', 'log_activity_modal');

  it('labels a registered name as itself, a pattern match as its family, anything else as other', () => {
    expect(names.label('command', '/log-call')).toBe('/log-call');
    expect(names.label('command', '/rm-rf')).toBe('other');
    expect(names.label('action', 'activity_undo')).toBe('activity_undo');
    expect(names.label('action', 'home_undo_deal_812')).toBe('home_undo_deal');
    // A global flag's lastIndex must not make the second test of the same id fail.
    expect(names.label('action', 'home_undo_deal_813')).toBe('home_undo_deal');
    expect(names.label('action', 'settings_open:teams')).toBe('settings_open');
    expect(names.label('action', 'user_typed_anything_123')).toBe('other');
    // Names are per kind: a view callback is not an action.
    expect(names.label('action', 'log_activity_modal')).toBe('other');
    expect(names.label('view', 'log_activity_modal')).toBe('log_activity_modal');
    expect(names.label('event', 'app_home_opened')).toBe('other');
  });

  it('idFamily drops the variable part of an id', () => {
    expect(idFamily('settings_teams_edit_12')).toBe('settings_teams_edit');
    expect(idFamily('settings_types_menu:call:x')).toBe('settings_types_menu');
    expect(idFamily('deal_undo')).toBe('deal_undo');
    expect(idFamily('42')).toBe('other');
  });
});

describe('describeRequest', () => {
  it('reads the kind and the name Bolt routes on', () => {
    expect(describeRequest({ command: '/log-call', text: '' })).toEqual({ kind: 'command', listener: 'command', name: '/log-call' });
    expect(describeRequest({ type: 'event_callback', event: { type: 'app_home_opened' } })).toEqual({ kind: 'event', listener: 'event', name: 'app_home_opened' });
    expect(describeRequest({ type: 'block_actions', actions: [{ action_id: 'deal_undo' }] })).toEqual({ kind: 'interaction', listener: 'action', name: 'deal_undo' });
    expect(describeRequest({ type: 'view_submission', view: { callback_id: 'log_deal_modal' } })).toEqual({ kind: 'interaction', listener: 'view', name: 'log_deal_modal' });
    expect(describeRequest({ type: 'shortcut', callback_id: 'log_deal_shortcut' })).toEqual({ kind: 'interaction', listener: 'shortcut', name: 'log_deal_shortcut' });
    expect(describeRequest({ type: 'something_new' })).toEqual({ kind: 'interaction' });
  });
});

describe('observeApiCalls', () => {
  let fake: FakeSlack;
  beforeAll(async () => {
    fake = await startFakeSlack({ botToken: 'xoxb-observed', scopes: manifestBotScopes() });
    fake.addUser({ id: 'U1', name: 'ana' });
  });
  afterAll(async () => {
    await fake.close();
  });

  const observed = (options: webApi.WebClientOptions) => {
    const seen: string[] = [];
    const client = observeApiCalls(new webApi.WebClient('xoxb-observed', { slackApiUrl: fake.apiUrl, logLevel: webApi.LogLevel.ERROR, ...options }), (method, result) => seen.push(`${method} ${result}`));
    return { client, seen };
  };

  it('sees calls made through the client’s methods, once each, with their result', async () => {
    const { client, seen } = observed({ retryConfig: { retries: 0 } });
    await client.users.info({ user: 'U1' });
    await expect(client.users.info({ user: 'U404' })).rejects.toThrow();
    await client.apiCall('auth.test');
    // Observing again does not count twice.
    observeApiCalls(client, () => seen.push('twice'));
    await client.conversations.open({ users: 'U1' });
    expect(seen).toEqual(['users.info ok', 'users.info user_not_found', 'auth.test ok', 'conversations.open ok']);
  });

  it('a posting client’s 429 is its call’s result; a reading client’s 429s count as they come, then its result', async () => {
    const posting = observed({ retryConfig: { retries: 0 }, rejectRateLimitedCalls: true });
    fake.failNext('chat.postMessage', { status: 429, retryAfter: 0 });
    await expect(posting.client.chat.postMessage({ channel: 'C1', text: 'x' })).rejects.toThrow();
    expect(posting.seen).toEqual(['chat.postMessage rate_limited']);

    const reading = observed({ retryConfig: { retries: 2, minTimeout: 0, maxTimeout: 0 } });
    fake.failNext('users.info', { status: 429, retryAfter: 0 });
    await reading.client.users.info({ user: 'U1' });
    expect(reading.seen).toEqual(['users.info rate_limited', 'users.info ok']);
  });
});
