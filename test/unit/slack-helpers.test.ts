import { describe, expect, it } from 'vitest';
import { requireTeamId, teamIdOf } from '../../src/slack/team-id.js';
import { cannotPostCode, platformCode } from '../../src/slack/web-api-errors.js';

/** What @slack/web-api rejects with when Slack answers `ok: false`. */
function platformError(error: string) {
  return Object.assign(new Error(`An API error occurred: ${error}`), { code: 'slack_webapi_platform_error', data: { ok: false, error } });
}

describe('teamIdOf / requireTeamId', () => {
  it('reads the team, or the user’s team_id when the team is null (an org-wide app on Enterprise Grid)', () => {
    expect(teamIdOf({ type: 'block_actions', team: { id: 'T1' }, user: { team_id: 'T2' } })).toBe('T1');
    expect(teamIdOf({ type: 'block_actions', team: null, user: { team_id: 'T2' } })).toBe('T2');
    expect(teamIdOf({ type: 'view_submission', team: null, user: {} })).toBeUndefined();
    expect(requireTeamId({ type: 'shortcut', team: null, user: { team_id: 'T2' } })).toBe('T2');
  });

  it('requireTeamId names the kind of payload that came without one', () => {
    expect(() => requireTeamId({ type: 'view_submission', team: null, user: {} })).toThrow('view_submission without a team id');
    expect(() => requireTeamId({ type: 'block_actions', user: {} })).toThrow('block_actions without a team id');
  });
});

describe('platformCode / cannotPostCode', () => {
  it('platformCode is the Slack error code, and nothing for other errors', () => {
    expect(platformCode(platformError('not_in_channel'))).toBe('not_in_channel');
    expect(platformCode(new Error('boom'))).toBeUndefined();
    expect(platformCode(null)).toBeUndefined();
    expect(platformCode({ data: { error: 42 } })).toBeUndefined();
  });

  it('cannotPostCode is the code only when the bot cannot post in that channel', () => {
    for (const code of ['not_in_channel', 'channel_not_found', 'is_archived']) expect(cannotPostCode(platformError(code))).toBe(code);
    for (const code of ['ratelimited', 'restricted_action', 'user_not_in_channel', 'invalid_auth']) expect(cannotPostCode(platformError(code))).toBeUndefined();
    expect(cannotPostCode(new Error('socket hang up'))).toBeUndefined();
  });
});
