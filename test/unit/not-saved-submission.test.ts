import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CommitOutcomeUnknown, DeadlineExceeded } from '../../src/db/commit-before.js';
import { createLogger } from '../../src/lib/logger.js';
import { failedCommandReply, MAYBE_SAVED_FIELD_TEXT, NOT_SAVED_FIELD_TEXT, notSavedSubmission } from '../../src/slack/command-ack.js';
import { GENERIC_ERROR_TEXT } from '../../src/slack/errors.js';

function capture() {
  const lines: Array<{ level: number; msg: string }> = [];
  const out = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as { level: number; msg: string });
      done();
    },
  });
  return { logger: createLogger('debug', out), lines };
}

describe('notSavedSubmission: what a form says when its entry could not be stored', () => {
  it.each([
    ['a missed deadline', new DeadlineExceeded(), NOT_SAVED_FIELD_TEXT, 40],
    ['another failure', new Error('boom'), NOT_SAVED_FIELD_TEXT, 50],
    ['a connection lost during the commit: it may be stored, and saving again stores it once', new CommitOutcomeUnknown(new Error('ECONNRESET')), MAYBE_SAVED_FIELD_TEXT, 40],
  ])('%s', async (_what, error, text, level) => {
    const { logger, lines } = capture();
    expect(notSavedSubmission(error, 'type_block', 'log activity', logger)).toEqual({ response_action: 'errors', errors: { type_block: text } });
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines.map((l) => l.level)).toEqual([level]);
  });
});

describe('failedCommandReply: what a command says in its ack when answering it failed', () => {
  /** A failed query as Drizzle reports it: the driver's error as its cause. */
  const failedQuery = (code: string, message: string) => Object.assign(new Error('Failed query: select 1'), { cause: Object.assign(new Error(message), { code }) });
  it.each([
    ['a missed deadline: not saved', new DeadlineExceeded(), 'not saved'],
    ['the database unreachable: not saved', failedQuery('ECONNREFUSED', 'connect ECONNREFUSED'), 'not saved'],
    ['a read cancelled by a stray cancel request (57014): nothing was stored, not saved', failedQuery('57014', 'canceling statement due to user request'), 'not saved'],
    ['a connection lost during the commit: it may be stored, so never "not saved"', new CommitOutcomeUnknown(failedQuery('ECONNRESET', 'read ECONNRESET')), 'generic'],
    ['a bug: the generic apology', new Error('boom'), 'generic'],
  ])('%s', (_what, error, expected) => {
    const { logger } = capture();
    const text = JSON.stringify(failedCommandReply(error, '/log-call', 'Acme 5m', logger));
    if (expected === 'not saved') {
      expect(text).toContain('Not saved');
      expect(text).toContain('/log-call Acme 5m');
    } else {
      expect(text).toContain(GENERIC_ERROR_TEXT.slice(0, 40));
      expect(text).not.toContain('Not saved');
    }
  });
});
