/**
 * The slash-command text every command parser shares: words, notes after ` -- `, Slack's escapes and mentions,
 * and the `Try:` error form.
 */
import { describe, expect, it } from 'vitest';
import {
  codeSafe,
  commandError,
  decodeEntities,
  MAX_COMMAND_TEXT_LENGTH,
  splitNotes,
  textTooLongProblem,
  tokenize,
  tryMessage,
  wordsAsText,
} from '../../src/slack/command-text.js';

describe('tokenize', () => {
  it.each([
    ['', []],
    ['   ', []],
    ['Acme  Corp\tx5', ['Acme', 'Corp', 'x5']],
    ['call <@U1|ann lee> 15m', ['call', '<@U1|ann lee>', '15m']],
    ['<#C123|connected> done', ['<#C123|connected>', 'done']],
    ['foo<@U1|a b>bar baz', ['foo<@U1|a b>bar', 'baz']],
  ])('%j', (text, want) => {
    expect(tokenize(text)).toEqual(want);
  });
});

describe('splitNotes', () => {
  it.each([
    ['Acme x5', { head: 'Acme x5', notes: null }],
    ['Acme -- asked for pricing', { head: 'Acme', notes: 'asked for pricing' }],
    ['-- only notes', { head: '', notes: 'only notes' }],
    ['Acme --', { head: 'Acme', notes: null }],
    ['Acme —  em dash ', { head: 'Acme', notes: 'em dash' }],
    ['Acme – en dash', { head: 'Acme', notes: 'en dash' }],
    ['Acme -- a -- b', { head: 'Acme', notes: 'a -- b' }],
    ['Acme--not-notes', { head: 'Acme--not-notes', notes: null }],
  ])('%j', (text, want) => {
    expect(splitNotes(text)).toEqual(want);
  });
});

describe('decodeEntities and wordsAsText', () => {
  it('decodes Slack’s three escapes in one pass', () => {
    expect(decodeEntities('R&amp;D &lt;b&gt; &amp;lt;')).toBe('R&D <b> &lt;');
  });

  it('turns user mentions into @name, and channels into #name only when asked', () => {
    const words = ['<@U1|ann>', 'at', '<#C1|acme>', 'R&amp;D'];
    expect(wordsAsText(words, { channels: false })).toBe('@ann at <#C1|acme> R&D');
    expect(wordsAsText(words, { channels: true })).toBe('@ann at #acme R&D');
    expect(wordsAsText([], { channels: true })).toBeNull();
  });
});

describe('the Try: error form', () => {
  it('states the problem, then a correct example in code', () => {
    expect(tryMessage('That is wrong.', '/log-call Acme')).toBe(':warning: That is wrong.\nTry: `/log-call Acme`');
    expect(commandError('missing_type', 'That is wrong.', '/log call')).toEqual({
      kind: 'error',
      error: { code: 'missing_type', message: ':warning: That is wrong.\nTry: `/log call`' },
    });
  });

  it('keeps user text from ending a code span, and names the limit for long text', () => {
    expect(codeSafe('a`b`')).toBe("a'b'");
    expect(textTooLongProblem(3001, '/log-deal')).toBe(
      `That's 3001 characters; the most a command can take is ${MAX_COMMAND_TEXT_LENGTH}. For long notes, send \`/log-deal\` alone to open the form.`,
    );
  });
});
