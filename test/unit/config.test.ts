import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, isSocketMode, loadConfig, readEnvironment, resolveStartMode } from '../../src/config.js';

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

describe('resolveStartMode: what npm start runs', () => {
  const modeOf = (env: Record<string, string>) => {
    try {
      const mode = resolveStartMode(env);
      return mode.kind === 'sandbox' ? `sandbox (${mode.reason})` : 'slack';
    } catch (e) {
      if (e instanceof ConfigError) return `error: ${e.problems.join(' | ')}`;
      throw e;
    }
  };

  it.each([
    ['no Slack credentials at all', {}, 'sandbox (no-credentials)'],
    ['credentials set to the empty string count as unset', { SLACK_BOT_TOKEN: '', SLACK_SIGNING_SECRET: '', SLACK_APP_TOKEN: '' }, 'sandbox (no-credentials)'],
    ['other settings do not count as credentials', { PORT: '3001', DATA_DIR: '/tmp/x', DATABASE_URL: 'postgres://h/db' }, 'sandbox (no-credentials)'],
    ['every credential: Slack', base, 'slack'],
    ['Socket Mode credentials: Slack', { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' }, 'slack'],
    ['SALES_PULSE_SANDBOX=1 forces the sandbox even with credentials', { ...base, SALES_PULSE_SANDBOX: '1' }, 'sandbox (forced)'],
    ['SALES_PULSE_SANDBOX=true too', { SALES_PULSE_SANDBOX: 'true' }, 'sandbox (forced)'],
    ['SALES_PULSE_SANDBOX=0 changes nothing', { ...base, SALES_PULSE_SANDBOX: '0' }, 'slack'],
  ])('%s', (_name, env, expected) => {
    expect(modeOf(env as Record<string, string>)).toBe(expected);
  });

  it.each([
    ['a bot token without its signing secret stops with today’s error, never the sandbox', { SLACK_BOT_TOKEN: 'xoxb-1' }, 'SLACK_SIGNING_SECRET is required in HTTP mode'],
    ['a signing secret alone names the missing bot token', { SLACK_SIGNING_SECRET: 'shh' }, 'SLACK_BOT_TOKEN is required'],
    ['an app token alone names the missing bot token', { SLACK_APP_TOKEN: 'xapp-1' }, 'SLACK_BOT_TOKEN is required'],
    ['NODE_ENV=production without credentials refuses the sandbox and says why', { NODE_ENV: 'production' }, 'NODE_ENV=production'],
    ['a SALES_PULSE_SANDBOX that is not a yes or no', { SALES_PULSE_SANDBOX: 'maybe' }, 'SALES_PULSE_SANDBOX must be 1'],
  ])('%s', (_name, env, expected) => {
    expect(modeOf(env as Record<string, string>)).toMatch(/^error: /);
    expect(modeOf(env as Record<string, string>)).toContain(expected);
  });

  it('an empty SLACK_BOT_TOKEN beside other credentials is "required", not "must start with xoxb-"', () => {
    const problems = problemsOf({ SLACK_BOT_TOKEN: '', SLACK_SIGNING_SECRET: 'shh' });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('SLACK_BOT_TOKEN is required');
  });
});

describe('readEnvironment: the environment with .env read in', () => {
  const withDotEnv = (text: string, run: (file: string) => void) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sp-env-'));
    try {
      const file = path.join(dir, '.env');
      writeFileSync(file, text);
      run(file);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it('the environment wins over .env, except where it is empty: empty counts as unset there too', () => {
    withDotEnv('SLACK_BOT_TOKEN=xoxb-from-file\nPORT=4000\nDATA_DIR=/from/file\n', (file) => {
      const env = readEnvironment({ SLACK_BOT_TOKEN: '', PORT: '5000', LOG_LEVEL: '' }, file);
      expect(env.SLACK_BOT_TOKEN).toBe('xoxb-from-file');
      expect(env.PORT).toBe('5000');
      expect(env.DATA_DIR).toBe('/from/file');
      expect(env.LOG_LEVEL).toBe('');
    });
  });

  it('empty values in .env leave no credentials: the sandbox starts', () => {
    withDotEnv('SLACK_BOT_TOKEN=\nSLACK_SIGNING_SECRET=\n', (file) => {
      expect(resolveStartMode(readEnvironment({}, file))).toEqual({ kind: 'sandbox', reason: 'no-credentials' });
    });
  });

  it('no .env file is fine', () => {
    expect(readEnvironment({ PORT: '1' }, '/nonexistent/.env')).toEqual({ PORT: '1' });
  });
});
