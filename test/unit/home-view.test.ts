import { describe, expect, it } from 'vitest';
import { BUILT_IN_ACTIVITY_TYPES, type ActivityTypeDef } from '../../src/entries/activity-types.js';
import {
  HOME_DIGEST_ACTION,
  HOME_LOG_ACTIVITY_ACTION,
  HOME_LOG_DEAL_ACTION,
  HOME_UNDO_ACTION_PATTERN,
  homeView,
  MAX_RECENT_SHOWN,
  type HomeInput,
  type HomeTarget,
  type RecentEntry,
} from '../../src/features/summary/home.view.js';
import { blockKitProblems } from '../helpers/fake-slack.js';

type Node = Record<string, any>;

const HOSTILE = '<!channel> <@U999> *bold* _x_ `code` & <https://evil.example|click> > quote';

function emptyInput(overrides: Partial<HomeInput> = {}): HomeInput {
  return {
    displayName: 'Ana',
    weekLabel: 'This week (Nov 23 – Nov 29)',
    stats: { activities: 0, activitiesByType: {}, won: 0, lost: 0, revenue: [] },
    progress: [],
    recent: [],
    digest: 'off',
    digestIsDefault: true,
    types: BUILT_IN_ACTIVITY_TYPES,
    ...overrides,
  };
}

function hugeInput(): HomeInput {
  const types: ActivityTypeDef[] = Array.from({ length: 50 }, (_, i) => ({
    key: `type_${i}`,
    label: `${HOSTILE} type ${i} ${'x'.repeat(200)}`,
    plural: `${HOSTILE} types ${i} ${'x'.repeat(200)}`,
    outcomes: [],
    emoji: i % 2 ? '<!here>' : undefined,
  }));
  const recent: RecentEntry[] = Array.from({ length: 25 }, (_, i) => ({
    kind: i % 3 === 0 ? 'deal' : 'activity',
    id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    text: `${i % 3 === 0 ? 'Won deal' : '3 calls'}: ${HOSTILE} ${'y'.repeat(3000)}`,
    when: 'yesterday',
    notes: `${HOSTILE}\n${'n'.repeat(3000)}`,
  }));
  const progress: HomeTarget[] = Array.from({ length: 20 }, (_, i) => ({
    label: `${HOSTILE} ${i}`,
    percent: i * 13,
    text: `${HOSTILE} ${'z'.repeat(3000)}`,
    status: ['done', 'ahead', 'on_pace', 'behind'][i % 4],
    periodLabel: i % 2 ? 'November 2026' : 'This week (Nov 23 – 29)',
  }));
  return {
    displayName: `${HOSTILE} ${'Ana'.repeat(100)}`,
    weekLabel: 'This week (Nov 23 – Nov 29)',
    stats: {
      activities: 123_456,
      activitiesByType: Object.fromEntries([...types.map((t, i) => [t.key, i + 1]), ['deleted_type', 4]]),
      won: 40,
      lost: 7,
      revenue: ['USD', 'EUR', 'JPY', 'KWD', 'GBP'].map((currency, i) => ({ currency, minor: 123_456_789_012_345n * BigInt(i + 1) })),
    },
    observations: [`${HOSTILE} ${'o'.repeat(1000)}`, ':seedling: keep going'],
    progress,
    recent,
    digest: 'weekly',
    digestIsDefault: false,
    types,
    notice: `${HOSTILE} ${'u'.repeat(1000)}`,
  };
}

/** Every element with an action_id, anywhere in the view. */
function elements(view: { blocks: unknown[] }): Node[] {
  const found: Node[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      if (typeof (node as Node).action_id === 'string') found.push(node as Node);
      Object.values(node).forEach(walk);
    }
  };
  walk(view.blocks);
  return found;
}

/** Every mrkdwn text in the view. */
function mrkdwnTexts(view: { blocks: unknown[] }): string[] {
  const found: string[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const n = node as Node;
      if (n.type === 'mrkdwn' && typeof n.text === 'string') found.push(n.text);
      Object.values(n).forEach(walk);
    }
  };
  walk(view.blocks);
  return found;
}

function expectValid(view: { type: string; blocks: unknown[] }) {
  expect(view.type).toBe('home');
  expect(view.blocks.length).toBeLessThanOrEqual(100);
  expect(blockKitProblems(view.blocks, '/view/blocks', 100)).toEqual([]);
  // Slack wants block and action ids unique within the whole view, not only within a block.
  const blockIds = (view.blocks as Node[]).map((b) => b.block_id).filter(Boolean);
  expect(new Set(blockIds).size).toBe(blockIds.length);
  const actionIds = elements(view).map((e) => e.action_id);
  expect(new Set(actionIds).size).toBe(actionIds.length);
  // No empty text objects anywhere, and the section/context text limits.
  for (const block of view.blocks as Node[]) {
    if (block.type === 'context') for (const e of block.elements) expect(e.text.length).toBeGreaterThan(0);
    if (block.type === 'section' && block.text) expect(block.text.text.trim().length).toBeGreaterThan(0);
  }
}

describe('homeView', () => {
  it('with no data: valid, the two log buttons, the digest choice, friendly empty states', () => {
    const view = homeView(emptyInput());
    expectValid(view);
    const ids = elements(view).map((e) => e.action_id);
    expect(ids).toEqual(expect.arrayContaining([HOME_LOG_ACTIVITY_ACTION, HOME_LOG_DEAL_ACTION, HOME_DIGEST_ACTION]));
    expect(ids.some((id) => HOME_UNDO_ACTION_PATTERN.test(id))).toBe(false);
    const text = JSON.stringify(view.blocks);
    expect(text).toContain('Hi Ana!');
    expect(text).toContain('This week (Nov 23 – Nov 29)');
    expect(text).toContain('Nothing logged yet this week');
    expect(text).toContain('No targets set for you yet');
    expect(text).toContain('/log-call Acme Corp 15m #connected -- asked for pricing');
    const select = elements(view).find((e) => e.action_id === HOME_DIGEST_ACTION)!;
    expect(select.type).toBe('static_select');
    expect(select.options.map((o: Node) => [o.value, o.text.text])).toEqual([
      ['off', 'Off'],
      ['weekly', 'Weekly (Fridays 16:00)'],
      ['daily', 'Daily (08:00)'],
    ]);
    expect(select.initial_option.value).toBe('off');
    expect(text).toContain('the workspace default');
  });

  it('shows the week: activities by type, revenue per currency (never added), won and lost', () => {
    const view = homeView(
      emptyInput({
        stats: {
          activities: 5,
          activitiesByType: { call: 3, email: 1, meeting: 1 },
          won: 2,
          lost: 1,
          revenue: [
            { currency: 'USD', minor: 1_250_000n },
            { currency: 'EUR', minor: 90_000n },
          ],
        },
      }),
    );
    expectValid(view);
    const text = mrkdwnTexts(view).join('\n');
    expect(text).toContain('*Activities*\n5');
    expect(text).toContain('$12,500.00 + €900.00');
    expect(text).toContain('2 won · 1 lost');
    expect(text).toContain('calls: *3*');
    expect(text).toContain('email: *1*');
    expect(text).not.toContain('demos');
  });

  it('draws each target as a 10-cell text bar with its words', () => {
    const view = homeView(
      emptyInput({
        progress: [
          { label: 'Calls', percent: 62, text: 'Calls: 31 of 50 (62%) with 2 of 5 days left: on pace', status: 'on_pace', periodLabel: 'This week (Nov 23 – 29)' },
          { label: 'Revenue', percent: 130, text: 'Revenue: $13,000.00 of $10,000.00 (130%) with 3 of 21 days left: done', status: 'done', periodLabel: 'November 2026' },
        ],
      }),
    );
    expectValid(view);
    const text = mrkdwnTexts(view).join('\n');
    expect(text).toContain('`▓▓▓▓▓▓░░░░` Calls: 31 of 50 (62%) with 2 of 5 days left: on pace');
    expect(text).toContain('`▓▓▓▓▓▓▓▓▓▓` Revenue: $13,000.00');
    expect(text).toContain('_November 2026_');
    expect(text).not.toContain('_This week (Nov 23 – 29)_');
  });

  it('lists recent entries newest first, each with its own Undo (unique action id, the entry id as value)', () => {
    const recent: RecentEntry[] = [
      { kind: 'deal', id: 'd1', text: 'Won deal: Acme Corp, $12,500.00', when: 'today' },
      { kind: 'activity', id: 'a1', text: '3 calls (connected) with Acme Corp', when: 'yesterday', notes: 'asked for pricing' },
      { kind: 'activity', id: 'a2', text: '1 email with Initech', when: 'Monday, Nov 23' },
    ];
    const view = homeView(emptyInput({ recent }));
    expectValid(view);
    const undo = elements(view).filter((e) => HOME_UNDO_ACTION_PATTERN.test(e.action_id));
    expect(undo.map((e) => [e.action_id, e.value])).toEqual([
      ['home_undo_deal_0', 'd1'],
      ['home_undo_activity_1', 'a1'],
      ['home_undo_activity_2', 'a2'],
    ]);
    expect(undo.every((e) => e.text.text === 'Undo' && e.confirm.confirm.text === 'Undo')).toBe(true);
    const text = mrkdwnTexts(view).join('\n');
    expect(text).toContain(':memo: 3 calls (connected) with Acme Corp · yesterday\n_asked for pricing_');
    expect(text.indexOf('Won deal')).toBeLessThan(text.indexOf('3 calls'));
  });

  it('shows the person’s own digest choice without the default note', () => {
    const view = homeView(emptyInput({ digest: 'daily', digestIsDefault: false }));
    const select = elements(view).find((e) => e.action_id === HOME_DIGEST_ACTION)!;
    expect(select.initial_option.value).toBe('daily');
    expect(JSON.stringify(view.blocks)).not.toContain('workspace default');
  });

  it('stays within 100 blocks and Slack’s limits for huge data: 25 recent entries with 3000-char notes, 20 targets, 50 types', () => {
    const input = hugeInput();
    const view = homeView(input);
    expectValid(view);
    expect(view.blocks.length).toBeLessThanOrEqual(60);
    const undo = elements(view).filter((e) => HOME_UNDO_ACTION_PATTERN.test(e.action_id));
    expect(undo).toHaveLength(MAX_RECENT_SHOWN);
    expect(undo.map((e) => e.value)).toEqual(input.recent.slice(0, MAX_RECENT_SHOWN).map((e) => e.id));
    expect(JSON.stringify(view.blocks)).toContain('…and 10 more targets');
    expect(JSON.stringify(view.blocks)).toContain('more types');
    // The header (plain text) holds the name as typed, cut to Slack's 150 characters.
    const header = (view.blocks as Node[])[0]!;
    expect(header.type).toBe('header');
    expect(header.text.text.length).toBeLessThanOrEqual(150);
  });

  it('escapes user text in every mrkdwn object: no mentions, broadcasts or links can be injected', () => {
    const view = homeView(hugeInput());
    for (const text of mrkdwnTexts(view)) {
      expect(text).not.toMatch(/<[!@#]/);
      expect(text).not.toContain('<https://');
      expect(text).not.toMatch(/&(?!amp;|lt;|gt;)/);
    }
    expect(mrkdwnTexts(view).join('\n')).toContain('&lt;!channel&gt;');
  });

  it('a blank name and empty words still give non-empty text objects', () => {
    const view = homeView(
      emptyInput({
        displayName: '   ',
        weekLabel: ' ',
        notice: '  ',
        observations: ['', ' '],
        progress: [{ label: '', percent: Number.NaN, text: '' }],
        recent: [{ kind: 'activity', id: 'a', text: '', when: '', notes: '   ' }],
        types: [],
      }),
    );
    expectValid(view);
    expect((view.blocks as Node[])[0]!.text.text).toBe('Sales Pulse');
  });
});
