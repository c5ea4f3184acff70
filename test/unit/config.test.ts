import { describe, expect, it } from 'vitest';
import { ConfigError, isSocketMode, loadConfig } from '../../src/config.js';

const base = { SLACK_BOT_TOKEN: 'xoxb-1-abc', SLACK_SIGNING_SECRET: 'shh' };

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const c = loadConfig(base);
    expect(c.PORT).toBe(3000);
    expect(c.SLACK_API_URL).toBe('https://slack.com/api/');
    expect(c.DATA_DIR).toBe('./data');
    expect(c.LOG_LEVEL).toBe('info');
    expect(c.DATABASE_URL).toBeUndefined();
    expect(isSocketMode(c)).toBe(false);
  });

  it('reads every variable', () => {
    const c = loadConfig({
      ...base,
      SLACK_APP_TOKEN: 'xapp-1-A1-1-abc',
      PORT: '8080',
      SLACK_API_URL: 'https://slack-gov.com/api',
      DATABASE_URL: 'postgres://u:p@db:5432/sp',
      DATA_DIR: '/var/lib/sp',
      LOG_LEVEL: 'WARN',
    });
    expect(c).toMatchObject({ PORT: 8080, SLACK_API_URL: 'https://slack-gov.com/api/', DATABASE_URL: 'postgres://u:p@db:5432/sp', DATA_DIR: '/var/lib/sp', LOG_LEVEL: 'warn' });
    expect(isSocketMode(c)).toBe(true);
  });

  it('treats empty values in .env as unset', () => {
    const c = loadConfig({ ...base, DATABASE_URL: '', SLACK_APP_TOKEN: '', PORT: '' });
    expect(c.DATABASE_URL).toBeUndefined();
    expect(isSocketMode(c)).toBe(false);
    expect(c.PORT).toBe(3000);
  });

  it('Socket Mode needs no signing secret', () => {
    expect(problemsOf({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' })).toEqual([]);
  });

  it.each([
    [{}, ['SLACK_BOT_TOKEN is required', 'SLACK_SIGNING_SECRET is required in HTTP mode']],
    [{ ...base, SLACK_BOT_TOKEN: 'xoxp-user-token' }, ['SLACK_BOT_TOKEN must be a bot token starting with "xoxb-"']],
    [{ ...base, SLACK_APP_TOKEN: 'abc' }, ['SLACK_APP_TOKEN must be an app-level token starting with "xapp-"']],
    [{ ...base, PORT: 'eighty' }, ['PORT must be a port number']],
    [{ ...base, PORT: '70000' }, ['PORT must be a port number from 0 to 65535']],
    [{ ...base, SLACK_API_URL: 'not a url' }, ['SLACK_API_URL must be a URL']],
    [{ ...base, DATABASE_URL: 'mysql://x' }, ['DATABASE_URL must be a PostgreSQL URL']],
    [{ ...base, LOG_LEVEL: 'loud' }, ['LOG_LEVEL must be one of']],
    [{ SLACK_BOT_TOKEN: 'xoxb-1' }, ['SLACK_SIGNING_SECRET is required in HTTP mode']],
  ])('names the variable and the fix: %j', (env, expected) => {
    const problems = problemsOf(env as Record<string, string>);
    expect(problems).toHaveLength(expected.length);
    expected.forEach((start, i) => expect(problems[i]).toContain(start));
  });

  it('never echoes a value, which may be a secret', () => {
    const secret = ['xoxp', '123456789012', 'secret-value'].join('-'); // assembled: no token-like literal in the repo
    const error = (() => {
      try {
        loadConfig({ SLACK_BOT_TOKEN: secret });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error?.message).toContain('SLACK_BOT_TOKEN');
    expect(error?.message).not.toContain(secret);
    expect(error?.message).toContain('.env');
  });
});
