import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, scrubSecrets } from '../../src/lib/logger.js';

function capture() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _e, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { logger: createLogger('debug', sink), lines };
}

// Token-shaped test values, assembled at run time so no token-like literal sits in the repository.
const BOT = ['xoxb', '1234567890', '0987654321', 'AbCdEfGhIjKlMnOp'].join('-');
const APP = ['xapp', '1', 'A0123456789', '1234567890', 'abcdef0123456789'].join('-');

describe('logger', () => {
  it('writes structured JSON', () => {
    const { logger, lines } = capture();
    logger.info({ teamId: 'T1' }, 'hello');
    const line = JSON.parse(lines[0]!);
    expect(line).toMatchObject({ level: 30, msg: 'hello', teamId: 'T1', app: 'sales-pulse' });
  });

  it('never writes a token or secret, whether in a field, a message or an error', () => {
    const { logger, lines } = capture();
    logger.info({ token: BOT, config: { SLACK_SIGNING_SECRET: 'sekrit', SLACK_BOT_TOKEN: BOT }, headers: { authorization: `Bearer ${BOT}` } }, 'fields');
    logger.warn(`calling Slack with ${BOT} and ${APP}`);
    logger.error({ err: new Error(`An API error occurred: invalid_auth for ${BOT}`) }, 'boom');
    logger.info({ url: 'postgres://sp:hunter2@db:5432/sp' }, 'connect');
    logger.info(`connecting to postgres://sp:hunter2@db:5432/sp`);
    const all = lines.join('\n');
    expect(lines).toHaveLength(5);
    expect(all).not.toContain(BOT);
    expect(all).not.toContain(APP);
    expect(all).not.toContain('sekrit');
    expect(all).not.toContain('hunter2');
  });

  it('scrubSecrets masks tokens and URL passwords', () => {
    expect(scrubSecrets(`a ${BOT} b`)).toBe('a xox?-[redacted] b');
    expect(scrubSecrets('postgres://u:pw@h/db')).toBe('postgres://u:[redacted]@h/db');
  });
});
