/**
 * The pieces in front of Bolt (slack/replay-guard.ts, slack/request-guard.ts) on their own: the replay guard's
 * window and memory bound, and the envelope check, which must pass every payload Slack really sends (the fixtures and
 * the sandbox's builders) and never throw on anything else.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReplayGuard, SIGNATURE_WINDOW_SECONDS } from '../../src/slack/replay-guard.js';
import { envelopeProblem } from '../../src/slack/request-guard.js';
import { anyText, mutated, runs } from '../helpers/arbitraries.js';
import { blockAction, globalShortcut, viewSubmission } from '../helpers/signed-request.js';

const FORM = 'application/x-www-form-urlencoded';
const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/slack-payloads');
const fixture = (name: string) => readFileSync(path.join(FIXTURES, name), 'utf8').trim();
const asPayload = (json: string | object) => new URLSearchParams({ payload: typeof json === 'string' ? json : JSON.stringify(json) }).toString();

describe('ReplayGuard', () => {
  const T = 1_800_000_000; // a request timestamp, seconds
  const at = (secondsAfter: number) => (T + secondsAfter) * 1000;

  it('accepts a signature once while its request is in the window, then again once it has left it', () => {
    const guard = new ReplayGuard();
    expect(guard.firstUse('v0=aa', T, at(0))).toBe(true);
    expect(guard.firstUse('v0=aa', T, at(1))).toBe(false);
    expect(guard.firstUse('v0=aa', T, at(SIGNATURE_WINDOW_SECONDS - 1))).toBe(false);
    expect(guard.firstUse('v0=bb', T, at(1))).toBe(true);
    // Past the window Slack's timestamp check refuses the request anyway; the guard has forgotten it.
    expect(guard.firstUse('v0=aa', T, at(SIGNATURE_WINDOW_SECONDS))).toBe(true);
  });

  it('forgets expired signatures as new ones arrive, so a quiet process holds none', () => {
    const guard = new ReplayGuard();
    for (let i = 0; i < 100; i++) guard.firstUse(`v0=${i}`, T, at(0));
    expect(guard.size).toBe(100);
    guard.firstUse('v0=later', T + SIGNATURE_WINDOW_SECONDS + 1, at(SIGNATURE_WINDOW_SECONDS + 1));
    expect(guard.size).toBe(1);
  });

  it('holds at most its bound, forgetting the oldest first', () => {
    const guard = new ReplayGuard(1000);
    for (let i = 0; i < 5000; i++) expect(guard.firstUse(`v0=${i}`, T, at(0))).toBe(true);
    expect(guard.size).toBe(1000);
    expect(guard.firstUse('v0=4999', T, at(0))).toBe(false);
    expect(guard.firstUse('v0=0', T, at(0))).toBe(true);
  });

  it('by default stays within 50,000 signatures under a flood of distinct requests', () => {
    const guard = new ReplayGuard();
    for (let i = 0; i < 60_000; i++) guard.firstUse(`v0=${i.toString(16).padStart(64, '0')}`, T, at(i / 1000));
    expect(guard.size).toBe(50_000);
  });
});

describe('envelopeProblem', () => {
  it('passes what Slack sends: the payload fixtures and the sandbox\'s builders', () => {
    expect(envelopeProblem(FORM, fixture('slash-command.form.txt'))).toBeUndefined();
    expect(envelopeProblem(FORM, asPayload(fixture('block-actions.json')))).toBeUndefined();
    expect(envelopeProblem(FORM, asPayload(fixture('view-submission.json')))).toBeUndefined();
    expect(envelopeProblem(FORM, asPayload(fixture('global-shortcut.json')))).toBeUndefined();
    expect(envelopeProblem('application/json', fixture('event-app-home-opened.json'))).toBeUndefined();
    expect(envelopeProblem('application/json', '{"token":"t","challenge":"abc","type":"url_verification"}')).toBeUndefined();
    expect(envelopeProblem(FORM, asPayload(blockAction({ actionId: 'x', view: { id: 'V1' } })))).toBeUndefined();
    expect(envelopeProblem(FORM, asPayload(blockAction({ actionId: 'type_input', actionType: 'static_select', action: { selected_option: { value: 'call' } } })))).toBeUndefined();
    expect(envelopeProblem(FORM, asPayload(globalShortcut({ callbackId: 'log_deal_shortcut' })))).toBeUndefined();
    expect(envelopeProblem(FORM, asPayload(viewSubmission({ callbackId: 'log_deal_modal', values: {} })))).toBeUndefined();
    // An app installed org-wide on Enterprise Grid: no team, the user's team_id names the workspace.
    expect(envelopeProblem(FORM, asPayload({ ...JSON.parse(fixture('block-actions.json')), team: null }))).toBeUndefined();
  });

  it('names the fields that are wrong, never their values', () => {
    expect(envelopeProblem(FORM, 'command=%2Flog-call&text=secret+words&team_id=T1')).toBe('user_id');
    expect(envelopeProblem(FORM, asPayload({ type: 'block_actions', team: { id: 'T1' }, user: { id: 'U1' }, actions: [{ action_id: 'a', value: 7 }] }))).toBe('actions.0.value');
    expect(envelopeProblem('application/json', '{"type":"event_callback","team_id":"T1","event":{"type":"app_home_opened"}}')).toBe('event.user');
    expect(envelopeProblem('application/json', 'null')).toBe('(body)');
  });

  it(`never throws, whatever the body and content type (${runs().numRuns} bodies)`, () => {
    const bodies = fc.oneof(
      anyText(200),
      mutated(fc.constantFrom(fixture('slash-command.form.txt'), asPayload(fixture('block-actions.json')), asPayload(fixture('view-submission.json')), fixture('event-app-home-opened.json')), 4),
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? ''),
      fc.jsonValue({ maxDepth: 3 }).map((v) => asPayload(JSON.stringify(v) ?? '')),
    );
    fc.assert(
      fc.property(bodies, fc.constantFrom(FORM, 'application/json', undefined, 'text/plain'), (body, contentType) => {
        const problem = envelopeProblem(contentType, body);
        expect(problem === undefined || (typeof problem === 'string' && problem !== '')).toBe(true);
      }),
      runs(),
    );
  });
});
