/**
 * The effort behind each win where people see it (pure builders): the deal confirmation, the celebration, the Home
 * tab, the board's "Effort per win" section and CSV; and the account field (its blocks, reading a submission, and
 * the sandbox rendering and reading an external_select, and building a block_suggestion).
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { accountFieldBlocks, BOTH_ACCOUNTS_ERROR, readAccountField, type AccountFieldIds } from '../../src/entries/account-field.js';
import { celebrationText } from '../../src/features/deals/celebrations.js';
import { dealConfirmation } from '../../src/features/deals/confirmation.blocks.js';
import { effortBlocks, effortPerWinWords } from '../../src/features/leaderboard/effort.blocks.js';
import { boardCsv, renderBoard } from '../../src/features/leaderboard/render.blocks.js';
import { homeView, type HomeInput } from '../../src/features/summary/home.view.js';
import { blockSuggestion } from '../../src/sandbox/index.js';
import { renderView, viewStateValues, withSuggestedOptions, type RenderContext } from '../../src/sandbox/render/index.js';
import { makeBoard } from '../helpers/board-fixture.js';

const EFFORT = 'won after 14 activities over 21 days (6 calls, 5 emails, 2 meetings, 1 demo)';
const SENTENCE = 'Won after 14 activities over 21 days (6 calls, 5 emails, 2 meetings, 1 demo).';

describe('the deal confirmation', () => {
  const base = {
    totals: { revenue: [{ minor: 1_250_000n, currency: 'USD' }], won: 1, lost: 0 },
    now: new Date('2026-11-27T15:00:00Z'),
    timeZone: 'UTC',
  };
  const deal = (status: 'won' | 'lost') => ({ id: 'D1', status, amountMinor: status === 'won' ? 1_250_000n : null, currency: status === 'won' ? 'USD' : null, account: 'Acme', closedAt: base.now, notes: null });

  it('says the effort behind a win under the headline, and in the text fallback', () => {
    const m = dealConfirmation({ ...base, deal: deal('won'), effort: EFFORT });
    expect(m.blocks![0]).toMatchObject({ text: { text: `:moneybag: Logged a won deal: Acme, $12,500.00\n:chart_with_upwards_trend: ${SENTENCE}` } });
    expect(m.text).toContain(SENTENCE);
  });

  it('says nothing of it without an effort, or for a lost deal', () => {
    expect(JSON.stringify(dealConfirmation({ ...base, deal: deal('won') }))).not.toMatch(/won after/i);
    expect(JSON.stringify(dealConfirmation({ ...base, deal: deal('lost'), effort: EFFORT }))).not.toMatch(/won after/i);
  });

  it('escapes a custom type’s label for mrkdwn', () => {
    const m = dealConfirmation({ ...base, deal: deal('won'), effort: 'won after 1 activity over 2 days (1 <b>&visit)' });
    expect(m.blocks![0]).toMatchObject({ text: { text: expect.stringContaining('(1 &lt;b&gt;&amp;visit).') } });
  });
});

describe('the celebration', () => {
  const deal = (id: string, account: string | null) => ({ id, userId: 'U1', amountMinor: 100_000n, currency: 'USD', account });

  it('one win: the effort under it', () => {
    expect(celebrationText([deal('D1', 'Acme')], new Map([['D1', EFFORT]]))).toBe(`:tada: <@U1> closed $1,000.00 with Acme!\n:chart_with_upwards_trend: ${SENTENCE}`);
  });

  it('several wins: a line per named win that has an effort', () => {
    const text = celebrationText([deal('D1', 'Alpha'), deal('D2', 'Bravo'), deal('D3', null)], new Map([['D2', 'won after 2 activities the same day (2 calls)']]));
    expect(text).toBe(':tada: <@U1> closed 3 deals: $1,000.00 with Alpha, $1,000.00 with Bravo and $1,000.00!\n• $1,000.00 with Bravo: won after 2 activities the same day (2 calls)');
  });

  it('without efforts, as before', () => {
    expect(celebrationText([deal('D1', 'Acme')])).toBe(':tada: <@U1> closed $1,000.00 with Acme!');
  });
});

describe('the Home tab', () => {
  const input = (effort?: string): HomeInput => ({
    weekLabel: 'This week',
    stats: { activities: 0, activitiesByType: {}, won: 1, lost: 0, revenue: [] },
    progress: [],
    recent: [{ kind: 'deal', id: 'D1', text: 'Won deal: Acme, $12,500.00', when: 'today', ...(effort ? { effort } : {}) }],
    digest: 'off',
    digestIsDefault: true,
    types: [],
  });
  it('shows a recent win’s effort line', () => {
    const block = homeView(input(SENTENCE)).blocks.find((b) => b.block_id === 'home_recent_0') as { text: { text: string } };
    expect(block.text.text).toBe(`:moneybag: Won deal: Acme, $12,500.00 · today\n:chart_with_upwards_trend: ${SENTENCE}`);
    const without = homeView(input()).blocks.find((b) => b.block_id === 'home_recent_0') as { text: { text: string } };
    expect(without.text.text).toBe(':moneybag: Won deal: Acme, $12,500.00 · today');
  });
});

describe('the board’s effort per win', () => {
  it.each([
    [{ activities: 12, days: 18, deals: 4 }, '12 activities over 18 days per win (median of 4 wins)'],
    [{ activities: 2.5, days: 1.5, deals: 2 }, '2.5 activities over 1.5 days per win (median of 2 wins)'],
    [{ activities: 1, days: 0, deals: 1 }, '1 activity the same day per win (1 win)'],
    [{ activities: 1200, days: 1, deals: 3 }, '1,200 activities over 1 day per win (median of 3 wins)'],
  ])('%o -> %s', (effort, words) => {
    expect(effortPerWinWords(effort)).toBe(words);
  });

  it('a plain_text section listing the shown reps with an effort, names literal; none when nobody has one', () => {
    const board = makeBoard([
      { name: 'Ana *Lima* <@U9>', activities: 30, revenue: 5000 },
      { name: 'Bo', activities: 3, revenue: 1000 },
    ]);
    expect(effortBlocks(board.reps)).toEqual([]);
    board.reps[0]!.effort = { activities: 12, days: 18, deals: 4 };
    const message = renderBoard(board, { insights: [] });
    const section = message.blocks.find((b) => b.block_id === 'leaderboard_effort') as { text: { type: string; text: string } };
    expect(section.text).toEqual({
      type: 'plain_text',
      emoji: true,
      text: 'Effort per win: activities on the account before each won deal (median)\n• Ana *Lima* <@U9>: 12 activities over 18 days per win (median of 4 wins)',
    });
  });

  it('stays one block within 3,000 characters for 20 reps with long names', () => {
    const board = makeBoard(Array.from({ length: 25 }, (_, i) => ({ name: `${'N'.repeat(300)} ${i}`, activities: 10 + i, revenue: 100 * (i + 1) })));
    for (const rep of board.reps) rep.effort = { activities: 10, days: 5, deals: 2 };
    const blocks = effortBlocks(board.reps.slice(0, 20));
    expect(blocks).toHaveLength(1);
    expect((blocks[0] as { text: { text: string } }).text.text.length).toBeLessThanOrEqual(3000);
    expect(renderBoard(board, { insights: [] }).blocks.length).toBeLessThanOrEqual(50);
  });

  it('the CSV gets three effort columns when some rep has an effort, empty for the others', () => {
    const board = makeBoard([
      { name: 'Ana', activities: 30, revenue: 5000 },
      { name: 'Bo', activities: 3, revenue: 1000 },
    ]);
    expect((parse(boardCsv(board)) as string[][])[0]).not.toContain('Median activities per win');
    board.reps[0]!.effort = { activities: 2.5, days: 4, deals: 2 };
    const [header, ana, bo] = parse(boardCsv(board)) as string[][];
    expect(header!.slice(-3)).toEqual(['Median activities per win', 'Median days per win', 'Wins with effort']);
    expect(ana!.slice(-3)).toEqual(['2.5', '4', '2']);
    expect(bo!.slice(-3)).toEqual(['', '', '']);
  });
});

describe('the account field', () => {
  const ids: AccountFieldIds = { pick: { blockId: 'pick_b', actionId: 'pick_a' }, typed: { blockId: 'typed_b', actionId: 'typed_a' } };
  const values = (picked: string | null, typed: string | null) => ({
    pick_b: { pick_a: { type: 'external_select', selected_option: picked === null ? null : { text: { type: 'plain_text', text: picked }, value: picked } } },
    typed_b: { typed_a: { type: 'plain_text_input', value: typed } },
  });

  it.each([
    ['picked only', 'Acme Corp', null, { ok: true, account: 'Acme Corp' }],
    ['typed only, trimmed', null, '  Globex  ', { ok: true, account: 'Globex' }],
    ['neither: no account', null, '', { ok: true, account: null }],
    ['both', 'Acme Corp', 'Globex', { ok: false, errors: { typed_b: BOTH_ACCOUNTS_ERROR } }],
    ['both, even the same name', 'Acme Corp', 'Acme Corp', { ok: false, errors: { typed_b: BOTH_ACCOUNTS_ERROR } }],
    ['typed too long', null, 'x'.repeat(201), { ok: false, errors: { typed_b: 'Keep the account name under 200 characters.' } }],
  ])('%s', (_name, picked, typed, expected) => {
    expect(readAccountField(values(picked, typed), ids)).toEqual(expected);
  });

  it('two optional inputs: an external_select (options from the app) and a text input carrying an edited entry’s account', () => {
    const [pick, typed] = accountFieldBlocks(ids, { initialTyped: 'Acme Corp' }) as Array<Record<string, any>>;
    expect(pick).toMatchObject({ type: 'input', block_id: 'pick_b', optional: true, element: { type: 'external_select', action_id: 'pick_a', min_query_length: 0 } });
    expect(pick!.element.options).toBeUndefined();
    expect(typed).toMatchObject({ type: 'input', block_id: 'typed_b', optional: true, element: { type: 'plain_text_input', action_id: 'typed_a', max_length: 200, initial_value: 'Acme Corp' } });
  });
});

describe('the sandbox and an external_select', () => {
  const ctx: RenderContext = { userName: () => undefined, channelName: () => undefined, users: [], channels: [], fileUrl: (id) => id };
  const ids: AccountFieldIds = { pick: { blockId: 'pick_b', actionId: 'pick_a' }, typed: { blockId: 'typed_b', actionId: 'typed_a' } };
  const view = { type: 'modal', blocks: accountFieldBlocks(ids) };

  it('renders a search box (not a form value) and a select that is', () => {
    const html = renderView(view, ctx).body;
    expect(html).not.toContain('Unsupported');
    expect(html).toMatch(/<input[^>]*class="bk-text-input bk-external-search"[^>]*data-suggest-block-id="pick_b"[^>]*data-suggest-action-id="pick_a"[^>]*data-min-query-length="0"/);
    expect(html).not.toMatch(/<input[^>]*bk-external-search[^>]*data-interactive/);
    expect(html).toMatch(/<select[^>]*data-interactive="input"[^>]*data-block-id="pick_b"[^>]*data-action-id="pick_a"[^>]*data-type="external_select"/);
  });

  it('reads a pick among the suggested options back as Slack reports it; an unknown value as nothing', () => {
    const suggested = { 'pick_b/pick_a': [{ text: { type: 'plain_text', text: 'Acme Corp' }, value: 'Acme Corp' }] };
    const state = viewStateValues(withSuggestedOptions(view, suggested), [{ blockId: 'pick_b', actionId: 'pick_a', values: ['Acme Corp'] }]);
    expect(state.pick_b).toEqual({ pick_a: { type: 'external_select', selected_option: { text: { type: 'plain_text', text: 'Acme Corp' }, value: 'Acme Corp' } } });
    const forged = viewStateValues(withSuggestedOptions(view, suggested), [{ blockId: 'pick_b', actionId: 'pick_a', values: ['Never Suggested'] }]);
    expect(forged.pick_b).toEqual({ pick_a: { type: 'external_select', selected_option: null } });
  });

  it('builds a block_suggestion as Slack sends it', () => {
    expect(blockSuggestion({ teamId: 'T1', actionId: 'pick_a', blockId: 'pick_b', value: 'acm', view: { id: 'V1' } })).toMatchObject({
      type: 'block_suggestion',
      action_id: 'pick_a',
      block_id: 'pick_b',
      value: 'acm',
      team: { id: 'T1' },
      user: { id: expect.any(String), team_id: 'T1' },
      container: { type: 'view', view_id: 'V1' },
      view: { id: 'V1' },
    });
  });
});
