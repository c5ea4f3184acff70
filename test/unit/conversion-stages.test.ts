/** The conversion stages editor's pure parts, and the personal funnel's: validation, list changes, views within Slack's limits, the median's privacy rule. */
import { describe, expect, it } from 'vitest';
import type { StoredConversionStage } from '../../src/db/schema/index.js';
import { BUILT_IN_ACTIVITY_TYPES, type ActivityTypeDef } from '../../src/entries/activity-types.js';
import { applyStageChange, conversionStagesSchema, defaultStages, validateStage, type StageInput } from '../../src/features/admin/conversion-stages.js';
import { conversionStageForm, conversionStagesView, outcomeOptions, parseStageOp, stageFormInput, stageOpValue } from '../../src/features/admin/settings/conversion-stages.view.js';
import { funnelLines } from '../../src/features/summary/personal-funnel.blocks.js';
import { personalFunnel } from '../../src/features/summary/personal-funnel.js';
import { conversionStagesOf, type UserStageCounts } from '../../src/metrics/index.js';
import { viewProblems } from '../../src/sandbox/block-kit-checks.js';

const SITE_VISIT: ActivityTypeDef = { key: 'site-visit', label: 'Site visit', plural: 'site visits', outcomes: ['walked-through', 'no-show'] };
const TYPES = [...BUILT_IN_ACTIVITY_TYPES, SITE_VISIT];
const input = (over: Partial<StageInput>): StageInput => ({ label: 'Visits', types: [], outcomes: [], ...over });

describe('validateStage', () => {
  it.each([
    [input({ label: '  Site   visits ', types: ['site-visit'], outcomes: ['#Walked-Through'] }), { label: 'Site visits', types: ['site-visit'], outcomes: ['walked-through'] }],
    [input({ label: 'Anything' }), { label: 'Anything' }],
    [input({ types: ['call', 'call'], outcomes: ['booked', 'BOOKED'] }), { label: 'Visits', types: ['call'], outcomes: ['booked'] }],
    [input({ outcomes: ['held'] }), { label: 'Visits', outcomes: ['held'] }],
    [input({ label: 'x'.repeat(40) }), { label: 'x'.repeat(40) }],
  ])('accepts %j', (given, value) => {
    expect(validateStage(given, { types: TYPES, others: defaultStages() })).toEqual({ ok: true, value });
  });

  it.each([
    [input({ label: '' }), 'label', 'Give the stage a name of 1 to 40 characters.'],
    [input({ label: '\n\t ' }), 'label', 'Give the stage a name of 1 to 40 characters.'],
    [input({ label: 'x'.repeat(41) }), 'label', 'Give the stage a name of 1 to 40 characters.'],
    [input({ label: 'TOUCHES' }), 'label', 'There is already a stage called Touches. Pick another name.'],
    [input({ types: ['nope'] }), 'types', '`nope` is not an activity type here. Pick from the list.'],
    [input({ types: ['email'], outcomes: ['connected'] }), 'outcomes', '#connected: not an outcome of emails. Pick outcomes of the chosen types, or leave the types empty.'],
    [input({ outcomes: ['teleported'] }), 'outcomes', '#teleported: no activity type has that outcome. Add it to a type first (Activity types).'],
    [input({ outcomes: ['two words'] }), 'outcomes', 'Outcomes are single words (letters, digits, dashes), like `booked` or `held`.'],
  ])('refuses %j under %s', (given, field, message) => {
    expect(validateStage(given, { types: TYPES, others: defaultStages() })).toEqual({ ok: false, errors: { [field]: message } });
  });

  it('deals won: only its name is asked', () => {
    expect(validateStage(input({ label: 'Signed', types: ['call'], outcomes: ['x y'] }), { types: TYPES, others: [], won: true })).toEqual({ ok: true, value: { label: 'Signed', won: true } });
  });
});

describe('conversionStagesSchema', () => {
  const won = { label: 'Won', won: true };
  it.each([
    [[{ label: 'A' }, won], true],
    [[won], false],
    [[...Array.from({ length: 8 }, (_, i) => ({ label: `S${i}` })), won], false],
    [[won, { label: 'A' }], false],
    [[{ label: 'A', won: true }, won], false],
    [[{ label: 'A' }, { label: 'a' }, won], false],
    [[{ label: 'A' }, { ...won, types: ['call'] }], false],
    [[{ label: 'A', extra: 1 }, won], false],
  ])('%j: %s', (list, ok) => {
    expect(conversionStagesSchema.safeParse(list).success).toBe(ok);
  });

  it('the defaults keep the rules', () => {
    expect(conversionStagesSchema.safeParse(defaultStages()).success).toBe(true);
  });
});

describe('applyStageChange', () => {
  const stages = defaultStages();
  const labels = (r: ReturnType<typeof applyStageChange>) => (r.ok && r.next ? r.next.map((s) => s.label) : r);

  it('adds before deals won, moves, removes; a stale index or label is refused', () => {
    expect(labels(applyStageChange(stages, { op: 'add', stage: input({ label: 'Demos' }) }, TYPES))).toEqual(['Touches', 'Conversations', 'Meetings booked', 'Meetings held', 'Demos', 'Deals won']);
    expect(labels(applyStageChange(stages, { op: 'up', index: 1, label: 'Conversations' }, TYPES))).toEqual(['Conversations', 'Touches', 'Meetings booked', 'Meetings held', 'Deals won']);
    expect(labels(applyStageChange(stages, { op: 'remove', index: 0, label: 'Touches' }, TYPES))).toEqual(['Conversations', 'Meetings booked', 'Meetings held', 'Deals won']);
    expect(applyStageChange(stages, { op: 'remove', index: 0, label: 'Conversations' }, TYPES)).toEqual({ ok: false, stale: true });
    expect(applyStageChange(stages, { op: 'remove', index: 7, label: 'Touches' }, TYPES)).toEqual({ ok: false, stale: true });
    expect(applyStageChange(stages, { op: 'reset' }, TYPES)).toEqual({ ok: true, next: null });
  });

  it('deals won never moves nor goes; nothing moves below it or above the first', () => {
    for (const change of [
      { op: 'remove', index: 4, label: 'Deals won' },
      { op: 'up', index: 4, label: 'Deals won' },
      { op: 'down', index: 3, label: 'Meetings held' },
      { op: 'up', index: 0, label: 'Touches' },
    ] as const) {
      expect(applyStageChange(stages, change, TYPES)).toMatchObject({ ok: false, error: expect.any(String) });
    }
  });

  it('2 to 8 stages', () => {
    const two: StoredConversionStage[] = [{ label: 'A' }, { label: 'Won', won: true }];
    expect(applyStageChange(two, { op: 'remove', index: 0, label: 'A' }, TYPES)).toMatchObject({ ok: false, error: expect.stringContaining('at least 2 stages') });
    const eight: StoredConversionStage[] = [...Array.from({ length: 7 }, (_, i) => ({ label: `S${i}` })), { label: 'Won', won: true }];
    expect(applyStageChange(eight, { op: 'add', stage: input({ label: 'Ninth' }) }, TYPES)).toEqual({ ok: false, errors: { label: 'A funnel has at most 8 stages, deals won included. Remove one first.' } });
  });
});

describe('stages views', () => {
  it('menu values carry the index and label, and parse back', () => {
    const value = stageOpValue('remove', 3, 'Meetings: held <b>');
    expect(parseStageOp(value)).toEqual({ op: 'remove', index: 3, label: 'Meetings: held <b>' });
    expect(parseStageOp('drop:1:X')).toBeUndefined();
    expect(parseStageOp('edit:12:X')).toBeUndefined();
    expect(parseStageOp(undefined)).toBeUndefined();
  });

  it('list and forms stay within Slack limits with 8 long stages, 45 types and long labels', () => {
    const types: ActivityTypeDef[] = [
      ...BUILT_IN_ACTIVITY_TYPES,
      ...Array.from({ length: 40 }, (_, i) => ({ key: `t${i}`, label: `${'Long type name '.repeat(3)}${i}`.slice(0, 40), plural: `t${i}s`, outcomes: Array.from({ length: 10 }, (_, j) => `o${i}-${j}`) })),
    ];
    const stages: StoredConversionStage[] = [
      ...Array.from({ length: 7 }, (_, i) => ({ label: `${'<Stage> & '.repeat(4)}`.slice(0, 38) + i, types: types.map((t) => t.key), outcomes: ['booked'] })),
      { label: 'Won', won: true },
    ];
    const list = conversionStagesView({ stored: stages, stages, types }, 'Saved.');
    expect(viewProblems(list, ['modal'])).toEqual([]);
    // Labels are escaped in mrkdwn (the menu values carry them raw: Slack never renders a value).
    expect((list.blocks as any[]).map((b) => b.text?.text ?? '').join('\n')).not.toContain('<Stage>');
    // Past 100 outcomes, they are typed.
    const form = conversionStageForm(types, { index: 0, stage: stages[0]! });
    expect(viewProblems(form, ['modal'])).toEqual([]);
    expect((form.blocks as any[]).find((b) => b.block_id === 'settings_stage_outcomes').element.type).toBe('plain_text_input');
    expect(viewProblems(conversionStageForm(TYPES), ['modal'])).toEqual([]);
    expect(viewProblems(conversionStageForm(TYPES, { index: 7, stage: stages[7]! }), ['modal'])).toEqual([]);
  });

  it('outcome options name the types that have them; the form reads picks and typed lists', () => {
    expect(outcomeOptions(TYPES).find((o) => o.value === 'held')!.text.text).toBe('#held (Meeting, Demo)');
    expect(stageFormInput({ settings_stage_label: { value: { value: 'A' } }, settings_stage_outcomes: { value: { value: ' held, #booked ,,' } } })).toEqual({ label: 'A', types: [], outcomes: ['held', '#booked'] });
    expect(stageFormInput({ settings_stage_types: { value: { selected_options: [{ value: 'call' }] } }, settings_stage_outcomes: { value: { selected_options: [] } } })).toEqual({ label: '', types: ['call'], outcomes: [] });
  });
});

describe('personal funnel', () => {
  const stages = conversionStagesOf([{ label: 'Calls', types: ['call'] }, { label: 'Booked', outcomes: ['booked'] }, { label: 'Won', won: true }]);
  const counts = (rows: Record<string, number[]>) => new Map<string, UserStageCounts>(Object.entries(rows).map(([u, current]) => [u, { current, previous: [0, 0, 0] }]));

  it('the median of a step is shown only with 3 or more reps with a rate there; reps with nothing are left out', () => {
    const f = personalFunnel(stages, counts({ me: [10, 2, 1], a: [20, 10, 0], b: [40, 0, 0], idle: [0, 0, 0] }), 'me', { kind: 'workspace' });
    expect(f.stages).toEqual([{ label: 'Calls', count: 10 }, { label: 'Booked', count: 2 }, { label: 'Won', count: 1 }]);
    expect(f.rates).toEqual([0.2, 0.5]);
    // Calls → booked: 3 reps (0.2, 0.5, 0) → 0.2. Booked → won: 2 reps → hidden. Touches per won: 1 rep → hidden.
    expect(f.median).toEqual({ rates: [0.2, null], touchesPerWon: null });
  });

  it('a person with nothing has no rates, never 0%', () => {
    const f = personalFunnel(stages, counts({ a: [1, 1, 1] }), 'me', { kind: 'team', name: 'East' });
    expect(f.rates).toEqual([null, null]);
    expect(funnelLines(f)).toEqual([
      '*Your funnel* · vs the median rep of East',
      'Calls *0*',
      'Booked *0* · no calls, no rate · median —',
      'Won *0* · no booked, no rate · median —',
      'End to end: no won deal yet · median —',
    ]);
  });
});
