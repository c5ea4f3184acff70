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
const REFRESH = ['xoxe', '1', 'My0xMjM0NTY3ODkw', 'abcdef0123456789'].join('-');
const ROTATED = ['xoxe.xoxb', '1', 'MS0yLTEyMzQ1Njc4OTAtMTIz', 'abcdef'].join('-');
const WEBHOOK = ['spwh', '0123456789abcdef'.repeat(4)].join('_');

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

  it('every token kind, and secret-named keys at any depth, in fields, messages and errors', () => {
    const { logger, lines } = capture();
    logger.info({ install: { bot: { refreshToken: REFRESH, accessToken: ROTATED } } }, 'nested tokens');
    logger.info({ a: { b: { c: { d: { webhookSecret: 'plain-secret-1', encryptionKey: 'key-material-2', password: 'pw-3' } } } } }, 'deep keys');
    logger.info({ list: [{ clientSecret: 'cs-4' }] }, 'in an array');
    logger.warn(`rotating ${REFRESH} to ${ROTATED}; CRM signs with ${WEBHOOK}`);
    logger.error({ err: Object.assign(new Error(`refresh failed for ${REFRESH}`), { data: { token: 'tk-5' } }) }, 'boom');
    logger.info({ url: 'mysql://u:pw-6@h/db', teamId: 'T1' }, 'other URL');
    const all = lines.join('\n');
    expect(lines).toHaveLength(6);
    for (const secret of [REFRESH, ROTATED, WEBHOOK, 'plain-secret-1', 'key-material-2', 'pw-3', 'cs-4', 'tk-5', 'pw-6']) expect(all).not.toContain(secret);
    // What is not secret stays readable.
    expect(JSON.parse(lines[5]!)).toMatchObject({ teamId: 'T1', msg: 'other URL' });
    expect(JSON.parse(lines[4]!).err.message).toBe('refresh failed for xox?-[redacted]');
  });

  it('scrubSecrets masks tokens and URL passwords', () => {
    expect(scrubSecrets(`a ${BOT} b`)).toBe('a xox?-[redacted] b');
    expect(scrubSecrets('postgres://u:pw@h/db')).toBe('postgres://u:[redacted]@h/db');
  });
});
