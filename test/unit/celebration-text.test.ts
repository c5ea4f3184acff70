import { describe, expect, it } from 'vitest';
import { celebrationText } from '../../src/features/deals/celebrations.js';

const deal = (amount: bigint | null, account: string | null, currency: string | null = 'USD') => ({ userId: 'U1', amountMinor: amount, currency, account });

describe('celebrationText', () => {
  it.each([
    ['one deal', [deal(1_250_000n, 'Acme Corp')], ':tada: <@U1> closed $12,500.00 with Acme Corp!'],
    ['no account', [deal(100_000n, null)], ':tada: <@U1> closed $1,000.00!'],
    ['no amount', [deal(null, 'Acme', null)], ':tada: <@U1> closed a deal with Acme!'],
    ['account escaped for mrkdwn', [deal(100n, '<b>&Co*')], ':tada: <@U1> closed $1.00 with &lt;b&gt;&amp;Co*!'],
    ['two deals', [deal(100_000n, 'Alpha'), deal(200_000n, 'Bravo')], ':tada: <@U1> closed 2 deals: $1,000.00 with Alpha and $2,000.00 with Bravo!'],
    [
      'three, one without account',
      [deal(100_000n, 'Alpha'), deal(200_000n, null), deal(300_000n, 'Charlie', 'EUR')],
      ':tada: <@U1> closed 3 deals: $1,000.00 with Alpha, $2,000.00 and €3,000.00 with Charlie!',
    ],
    [
      'seven: five named, the rest counted',
      ['A', 'B', 'C', 'D', 'E', 'F', 'G'].map((a) => deal(100n, a)),
      ':tada: <@U1> closed 7 deals: $1.00 with A, $1.00 with B, $1.00 with C, $1.00 with D, $1.00 with E and 2 more!',
    ],
  ])('%s', (_name, deals, expected) => {
    expect(celebrationText(deals)).toBe(expected);
  });

  it('refuses an empty list', () => {
    expect(() => celebrationText([])).toThrow(/at least one deal/);
  });
});
