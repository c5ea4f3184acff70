import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CommitOutcomeUnknown, DeadlineExceeded } from '../../src/db/commit-before.js';
import { createLogger } from '../../src/lib/logger.js';
import { MAYBE_SAVED_FIELD_TEXT, NOT_SAVED_FIELD_TEXT, notSavedSubmission } from '../../src/slack/command-ack.js';

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
