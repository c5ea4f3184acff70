/** The settings modal's pure parts: validators, form readers and view builders within Slack's limits. */
import { describe, expect, it } from 'vitest';
import { BUILT_IN_ACTIVITY_TYPES } from '../../src/entries/activity-types.js';
import { parseTypeOp, activityTypeForm, activityTypesView, type ListedType } from '../../src/features/admin/settings/activity-types.view.js';
import { calendarFormInput, calendarView, describeCalendarChange } from '../../src/features/admin/settings/calendar.view.js';
import { settingsHomeView, sectionModal } from '../../src/features/admin/settings/home.view.js';
import { notificationsFormInput, notificationsView } from '../../src/features/admin/settings/notifications.view.js';
import { typeKeyOf, validateTypeInput } from '../../src/features/admin/activity-types.js';
import { teamNameOf } from '../../src/features/admin/notifications.js';
import { isIanaTimeZone, validateCalendarSettings } from '../../src/features/admin/workspace-settings.js';
import { defaultWeeklySince } from '../../src/features/summary/digest-job.js';
import { viewProblems } from '../../src/sandbox/block-kit-checks.js';

describe('calendar settings validation', () => {
  it.each([
    [{ backdateDays: '0' }, { backdateDays: 0 }],
    [{ backdateDays: ' 90 ' }, { backdateDays: 90 }],
    [{ backdateDays: 14 }, { backdateDays: 14 }],
    [{ weekStartsOn: '0', fiscalYearStartMonth: '12' }, { weekStartsOn: 0, fiscalYearStartMonth: 12 }],
    [{ defaultTimeZone: 'Asia/Kolkata' }, { defaultTimeZone: 'Asia/Kolkata' }],
    [{ defaultTimeZone: 'UTC' }, { defaultTimeZone: 'UTC' }],
  ])('accepts %j', (input, value) => {
    expect(validateCalendarSettings(input)).toEqual({ ok: true, value });
  });

  it.each([
    [{ backdateDays: '91' }, 'backdateDays'],
    [{ backdateDays: '-1' }, 'backdateDays'],
    [{ backdateDays: '1.5' }, 'backdateDays'],
    [{ backdateDays: 1.5 }, 'backdateDays'],
    [{ backdateDays: '' }, 'backdateDays'],
    [{ weekStartsOn: '7' }, 'weekStartsOn'],
    [{ fiscalYearStartMonth: '0' }, 'fiscalYearStartMonth'],
    [{ fiscalYearStartMonth: '13' }, 'fiscalYearStartMonth'],
    [{ defaultTimeZone: 'Europe/Atlantis' }, 'defaultTimeZone'],
    [{ defaultTimeZone: 'GMT+2' }, 'defaultTimeZone'],
    [{ defaultTimeZone: '../etc/passwd' }, 'defaultTimeZone'],
  ])('refuses %j under %s', (input, field) => {
    const result = validateCalendarSettings(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(Object.keys(result.errors)).toEqual([field]);
  });

  it.each([
    ['Europe/Paris', true],
    ['America/Argentina/Buenos_Aires', true],
    ['UTC', true],
    ['Mars/Olympus', false],
    ['+02:00', false],
    ['', false],
  ])('isIanaTimeZone(%j) is %s', (zone, ok) => {
    expect(isIanaTimeZone(zone)).toBe(ok);
  });

  it('reads the form, and says what changed', () => {
    const view = calendarView({ backdateDays: 30, weekStartsOn: 1, fiscalYearStartMonth: 1, defaultTimeZone: 'UTC' });
    expect(viewProblems(view, ['modal'])).toEqual([]);
    expect(calendarFormInput({ settings_calendar_backdate: { value: { value: '7' } }, settings_calendar_week_start: { value: { selected_option: { value: '0' } } } })).toEqual({
      backdateDays: '7',
      weekStartsOn: '0',
      fiscalYearStartMonth: '',
      defaultTimeZone: '',
    });
    expect(describeCalendarChange(['backdateDays'], { backdateDays: 1, weekStartsOn: 1, fiscalYearStartMonth: 1, defaultTimeZone: 'UTC' })).toBe(
      ':white_check_mark: Saved: backdating window 1 day. It applies from now on.',
    );
  });
});

describe('custom type validation', () => {
  const existing = BUILT_IN_ACTIVITY_TYPES;
  const base = { name: 'Site visit', plural: 'Site Visits', emoji: ':car:', outcomes: 'held, #no-show', weight: '1.50' };

  it('accepts a full type: plural in lower case, outcomes without #, the weight written plainly', () => {
    expect(validateTypeInput(base, existing)).toEqual({ ok: true, value: { label: 'Site visit', plural: 'site visits', emoji: ':car:', outcomes: ['held', 'no-show'], weight: '1.5' } });
    expect(validateTypeInput({ name: 'Lunch', plural: 'lunches' }, existing)).toEqual({ ok: true, value: { label: 'Lunch', plural: 'lunches', emoji: null, outcomes: [], weight: null } });
  });

  it.each([
    [{ name: '' }, 'name'],
    [{ name: 'x'.repeat(41) }, 'name'],
    [{ name: 'Demo' }, 'name'],
    [{ name: 'demos' }, 'name'],
    [{ plural: 'meetings' }, 'plural'],
    [{ emoji: 'car' }, 'emoji'],
    [{ outcomes: 'a, b, c, d, e, f, g, h, i, j, k' }, 'outcomes'],
    [{ outcomes: 'two words' }, 'outcomes'],
    [{ weight: '0' }, 'weight'],
    [{ weight: '0.00' }, 'weight'],
    [{ weight: '101' }, 'weight'],
    [{ weight: '1e2' }, 'weight'],
    [{ weight: '2.345' }, 'weight'],
  ])('refuses %j under %s', (change, field) => {
    const result = validateTypeInput({ ...base, ...change }, existing);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(Object.keys(result.errors)).toContain(field);
  });

  it('editing a type may keep its own name', () => {
    const mine = [...existing, { key: 'site-visit', label: 'Site visit', plural: 'site visits', outcomes: [] }];
    expect(validateTypeInput(base, mine, 'site-visit').ok).toBe(true);
    expect(validateTypeInput(base, mine).ok).toBe(false);
  });

  it.each([
    ['Site visit', 'site-visit'],
    ['  Ride--along ', 'ride-along'],
    ['QBR 2', 'qbr-2'],
  ])('typeKeyOf(%j) = %j', (label, key) => {
    expect(typeKeyOf(label)).toBe(key);
  });

  it.each([
    ['edit:site-visit', { op: 'edit', key: 'site-visit' }],
    ['hide:call', { op: 'hide', key: 'call' }],
    ['delete:x', { op: 'delete', key: 'x' }],
    ['drop:call', undefined],
    ['hide:../x', undefined],
    [undefined, undefined],
  ])('parseTypeOp(%j)', (value, parsed) => {
    expect(parseTypeOp(value)).toEqual(parsed);
  });
});

describe('views within Slack limits', () => {
  it('the home: one button per section with unique ids, at most 100 blocks, a short title', () => {
    const items = Array.from({ length: 150 }, (_, i) => ({ id: `s${i}`, title: `Section ${i}`, summary: '' }));
    const view = settingsHomeView(items);
    expect(view.blocks.length).toBe(100);
    expect(viewProblems(view, ['modal'])).toEqual([]);
    expect(viewProblems(settingsHomeView([]), ['modal'])).toEqual([]);
  });

  it('a section modal refuses private_metadata over 3000 characters and cuts a long title', () => {
    expect(() => sectionModal({ callbackId: 'x', title: 't', blocks: [], privateMetadata: 'x'.repeat(3001) })).toThrow();
    expect(sectionModal({ callbackId: 'x', title: 'A very long section title indeed', blocks: [] }).title.text.length).toBeLessThanOrEqual(24);
  });

  it('the types list with many custom types, and the form', () => {
    const custom: ListedType[] = Array.from({ length: 40 }, (_, i) => ({ key: `t-${i}`, label: `Type ${i}`, plural: `types ${i}`, outcomes: ['a'], builtIn: false, hidden: i % 2 === 0 }));
    const view = activityTypesView([...BUILT_IN_ACTIVITY_TYPES.map((t) => ({ ...t, builtIn: true })), ...custom], 'Saved.');
    expect(viewProblems(view, ['modal'])).toEqual([]);
    expect(viewProblems(activityTypeForm(), ['modal'])).toEqual([]);
    expect(viewProblems(activityTypeForm({ key: 'k', label: 'K', plural: 'ks', outcomes: ['x'], weight: '2' }), ['modal'])).toEqual([]);
  });

  it('notifications: the secret shown once; the form read', () => {
    const view = notificationsView({ celebrationsChannel: 'C1', digestDefault: 'weekly', secretSince: new Date('2026-01-01T00:00:00Z') }, { secret: 'spwh_abc', notice: 'Rotated.' });
    expect(viewProblems(view, ['modal'])).toEqual([]);
    expect(JSON.stringify(view)).toContain('spwh_abc');
    expect(JSON.stringify(notificationsView({ celebrationsChannel: null, digestDefault: 'off', secretSince: null }))).not.toContain('spwh_');
    expect(notificationsFormInput({ settings_notify_celebrations: { value: { selected_conversation: 'C0WINS' } }, settings_notify_digest: { value: { selected_option: { value: 'weekly' } } } })).toEqual({
      ok: true,
      celebrationsChannel: 'C0WINS',
      digestDefault: 'weekly',
    });
    expect(notificationsFormInput({ settings_notify_digest: { value: { selected_option: { value: 'daily' } } } }).ok).toBe(false);
  });
});

describe('team digests', () => {
  const t = (iso: string) => new Date(iso);
  it.each([
    ['workspace weekly, no team default', { workspaceDefault: 'weekly', workspaceSince: t('2026-11-02T00:00:00Z'), teamWeeklySince: null, teamDefaultSet: false }, t('2026-11-02T00:00:00Z')],
    ['workspace off, no team default', { workspaceDefault: 'off', workspaceSince: null, teamWeeklySince: null, teamDefaultSet: false }, undefined],
    ['a weekly team', { workspaceDefault: 'off', workspaceSince: null, teamWeeklySince: t('2026-11-20T00:00:00Z'), teamDefaultSet: true }, t('2026-11-20T00:00:00Z')],
    ['a team set to off overrides the workspace', { workspaceDefault: 'weekly', workspaceSince: null, teamWeeklySince: null, teamDefaultSet: true }, undefined],
    ['never before first seen', { workspaceDefault: 'off', workspaceSince: null, teamWeeklySince: t('2026-10-01T00:00:00Z'), teamDefaultSet: true }, t('2026-11-01T00:00:00Z')],
  ] as const)('%s', (_name, p, since) => {
    expect(defaultWeeklySince({ ...p, joinedAt: t('2026-11-01T00:00:00Z') })).toEqual(since);
  });

  it.each([
    [['"East', 'AEs"'], 'East AEs'],
    [['“East', 'AEs”'], 'East AEs'],
    [['East', 'AEs'], 'East AEs'],
    [[], ''],
  ])('teamNameOf(%j) = %j', (words, name) => {
    expect(teamNameOf(words)).toBe(name);
  });
});
