import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dealConfirmation } from '../../src/features/deals/confirmation.blocks.js';
import { logDealModal } from '../../src/features/deals/modal.view.js';
import { renderBoard } from '../../src/features/leaderboard/render.blocks.js';
import { BUILT_IN_ACTIVITY_TYPES } from '../../src/entries/activity-types.js';
import { logActivityModal } from '../../src/features/logging/modal.view.js';
import { homeView, type HomeInput } from '../../src/features/summary/home.view.js';
import {
  actionPayload,
  applyViewState,
  decodeSlackEntities,
  emojiFor,
  escapeHtml,
  renderBlocks,
  renderMessageBody,
  renderMrkdwn,
  renderPlainText,
  renderView,
  viewStateValues,
  type FormInput,
  type RenderContext,
} from '../../src/sandbox/render/index.js';
import { makeBoard, makeReps } from '../helpers/board-fixture.js';

type Attrs = Record<string, string>;
type Block = Record<string, any>;

const EVIL = '<script>alert(1)</script>';

const ctx: RenderContext = {
  userName: (id) => ({ U1: 'Ana Lima', U2: 'Ben Carter', UEVIL: EVIL })[id],
  channelName: (id) => ({ C1: 'sales', C2: 'general' })[id],
  users: [
    { id: 'U1', name: 'Ana Lima' },
    { id: 'U2', name: 'Ben Carter' },
  ],
  channels: [
    { id: 'C1', name: 'sales' },
    { id: 'C2', name: 'general' },
  ],
  fileUrl: (id) => `/sandbox/files/${id}`,
};

// ---------------------------------------------------------------------------------------------
// Tiny HTML readers: attribute values are always escaped by the renderer, so `<tag …>` never holds a raw `>`.

function unescape(s: string): string {
  return s.replace(/&(amp|lt|gt|quot|#39);/g, (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e]!);
}

/** The attributes of every `<name …>` tag in the HTML, values unescaped; bare attributes are "". */
function tags(html: string, name: string): Attrs[] {
  return [...html.matchAll(new RegExp(`<${name}(\\s[^>]*)?>`, 'g'))].map((m) => {
    const out: Attrs = {};
    for (const a of (m[1] ?? '').matchAll(/([\w:-]+)(?:="([^"]*)")?/g)) out[a[1]!] = unescape(a[2] ?? '');
    return out;
  });
}

/** The one tag of this name matching the attributes (asserted unique). */
function tag(html: string, name: string, match: Attrs = {}): Attrs {
  const found = tags(html, name).filter((t) => Object.entries(match).every(([k, v]) => t[k] === v));
  expect(found, `<${name} ${JSON.stringify(match)}> in ${html}`).toHaveLength(1);
  return found[0]!;
}

/** The visible text: tags dropped, entities decoded. */
function text(html: string): string {
  return unescape(html.replace(/<br>/g, '\n').replace(/<[^>]*>/g, ''));
}

const VOID = new Set(['input', 'img', 'hr', 'br']);

/** Every opened tag is closed, in order. */
function expectBalanced(html: string): void {
  const stack: string[] = [];
  for (const m of html.matchAll(/<(\/?)([a-z][a-z0-9]*)[^>]*>/g)) {
    const [, closing, name] = m;
    if (VOID.has(name!)) continue;
    if (!closing) stack.push(name!);
    else expect(stack.pop(), `closing </${name}> in ${html}`).toBe(name);
  }
  expect(stack, `unclosed tags in ${html}`).toEqual([]);
}

/** No markup an attacker could have injected: no script or foreign tag, no event handler, no javascript: URL. */
function expectInert(html: string): void {
  expect(html).not.toMatch(/<script/i);
  for (const m of html.matchAll(/<([a-z][a-z0-9]*)(\s[^>]*)?>/g)) {
    const [, name, rest] = m;
    expect(['script', 'iframe', 'object', 'embed', 'svg', 'style', 'base', 'meta']).not.toContain(name);
    // Values never hold a raw quote (they are escaped), so this reads every attribute of the tag.
    for (const a of (rest ?? '').matchAll(/([^\s=]+)(?:="([^"]*)")?/g)) {
      expect(a[1]!.toLowerCase(), m[0]).not.toMatch(/^on/);
      if (['href', 'src', 'action', 'formaction'].includes(a[1]!)) expect(unescape(a[2] ?? '').trim()).toMatch(/^(https?:\/\/|mailto:|\/[^/\\])/i);
    }
  }
}

const pt = (t: string) => ({ type: 'plain_text', text: t });
const md = (t: string) => ({ type: 'mrkdwn', text: t });
const opt = (label: string, value: string) => ({ text: pt(label), value });
const OPTIONS = [opt('Won', 'won'), opt('Lost', 'lost'), opt('Open', 'open')];

// ---------------------------------------------------------------------------------------------

describe('escape', () => {
  it('escapes the five HTML characters', () => {
    expect(escapeHtml(`<a href="x">Tom & Jerry's</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;');
  });

  it("decodes Slack's three entities in one pass", () => {
    expect(decodeSlackEntities('&lt;b&gt; &amp; &amp;lt; &quot;')).toBe('<b> & &lt; &quot;');
  });
});

describe('renderMrkdwn', () => {
  const cases: [string, string, string][] = [
    ['bold', '*bold*', '<strong>bold</strong>'],
    ['italic', '_italic_', '<em>italic</em>'],
    ['strike', '~gone~', '<s>gone</s>'],
    ['code', '`x = 1`', '<code class="bk-code">x = 1</code>'],
    ['no formatting inside code', '`*not bold* _nor this_`', '<code class="bk-code">*not bold* _nor this_</code>'],
    ['bold around italic', '*_both_*', '<strong><em>both</em></strong>'],
    ['italic around bold', '_*both*_', '<em><strong>both</strong></em>'],
    ['bold inside a sentence', 'a *big* win, (*really*).', 'a <strong>big</strong> win, (<strong>really</strong>).'],
    ['bold then italic', '*Revenue* _this week_', '<strong>Revenue</strong> <em>this week</em>'],
    ['no bold mid-word', 'a*b*c', 'a*b*c'],
    ['no italic in snake_case', 'snake_case_name', 'snake_case_name'],
    ['no bold with inner spaces', '* not bold *', '* not bold *'],
    ['multiplication', '2 * 3 * 4', '2 * 3 * 4'],
    ['markers alone', '*** ___ ~~', '*** ___ ~~'],
    ['several spans on a line', '*a* and *b* _c_ *d*', '<strong>a</strong> and <strong>b</strong> <em>c</em> <strong>d</strong>'],
    ['entities', '&lt;b&gt; Tom &amp; Jerry', '&lt;b&gt; Tom &amp; Jerry'],
    ['quotes escaped', `"quoted" it's`, '&quot;quoted&quot; it&#39;s'],
    ['bold mention', '*<@U1>*', '<strong><span class="bk-mention" data-user-id="U1">@Ana Lima</span></strong>'],
    ['code is not a link', '`<https://x.com|x>`', '<code class="bk-code">&lt;https://x.com|x&gt;</code>'],
  ];
  it.each(cases)('%s', (_, input, html) => {
    expect(renderMrkdwn(input, ctx)).toBe(html);
  });

  const link = (href: string, label: string) => `<a class="bk-link" href="${href}" target="_blank" rel="noopener noreferrer">${label}</a>`;
  const links: [string, string, string][] = [
    ['link with label', '<https://example.com/a|Example>', link('https://example.com/a', 'Example')],
    ['bare <link>', '<https://example.com>', link('https://example.com', 'https://example.com')],
    ['mailto', '<mailto:ana@example.com|Mail Ana>', link('mailto:ana@example.com', 'Mail Ana')],
    ['no formatting inside the URL', '<https://x.com/a_b_c_d/*e*|docs>', link('https://x.com/a_b_c_d/*e*', 'docs')],
    ['ampersand in a URL', '<https://x.com/?a=1&amp;b=2|q>', link('https://x.com/?a=1&amp;b=2', 'q')],
    ['formatted label', '<https://x.com|*bold* :tada:>', link('https://x.com', '<strong>bold</strong> <span class="bk-emoji" role="img" aria-label="tada" title=":tada:">🎉</span>')],
    ['auto-linked URL', 'see https://x.com/_a_b_.', `see ${link('https://x.com/_a_b_', 'https://x.com/_a_b_')}.`],
  ];
  it.each(links)('%s', (_, input, html) => {
    expect(renderMrkdwn(input, ctx)).toBe(html);
  });

  const mentions: [string, string, string][] = [
    ['user through ctx', '<@U1>', '@Ana Lima'],
    ['ctx wins over the |name', '<@U1|old.name>', '@Ana Lima'],
    ['unknown user: |name', '<@U999|bob>', '@bob'],
    ['unknown user: id', '<@U999>', '@U999'],
    ['channel through ctx', '<#C1>', '#sales'],
    ['unknown channel: |name', '<#C999|random>', '#random'],
    ['unknown channel: id', '<#C999>', '#C999'],
    ['here', '<!here>', '@here'],
    ['channel', '<!channel>', '@channel'],
    ['everyone', '<!everyone>', '@everyone'],
    ['user group', '<!subteam^S123|@sales-team>', '@sales-team'],
  ];
  it.each(mentions)('%s', (_, input, shown) => {
    const html = renderMrkdwn(input, ctx);
    expect(html).toMatch(/^<span class="bk-mention[^"]*"[^>]*>[^<]*<\/span>$/);
    expect(text(html)).toBe(shown);
  });

  it('shows a date by its fallback, tagged with the moment', () => {
    const html = renderMrkdwn('Due <!date^1700000000^{date_short}|Nov 14, 2023>', ctx);
    expect(tag(html, 'time').datetime).toBe('2023-11-14T22:13:20.000Z');
    expect(text(html)).toBe('Due Nov 14, 2023');
  });

  it('shows known emoji and leaves unknown shortcodes and times as text', () => {
    const html = renderMrkdwn(':tada: :no_such_emoji: at 09:30:00 :trophy:', ctx);
    expect(tags(html, 'span').map((s) => s.title)).toEqual([':tada:', ':trophy:']);
    expect(text(html)).toBe('🎉 :no_such_emoji: at 09:30:00 🏆');
  });

  it('knows every emoji shortcode the bot uses', () => {
    const files = (dir: string): string[] =>
      readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : f.endsWith('.ts') ? [join(dir, f)] : []));
    const used = new Set<string>();
    for (const file of files('src').filter((f) => !f.includes(join('sandbox', 'render')))) {
      for (const m of readFileSync(file, 'utf8').matchAll(/(?<=^|[\s'"`(\[]):([a-z][a-z0-9_+-]*):(?=$|[\s'"`,.;)\]])/gm)) used.add(m[1]!);
    }
    expect(used.size).toBeGreaterThan(10);
    expect([...used].filter((name) => !emojiFor(name))).toEqual([]);
    for (const name of ['tada', 'chart_with_upwards_trend', 'first_place_medal', 'small_red_triangle_down', 'mailbox_with_mail']) {
      expect(emojiFor(name), name).toBeTruthy();
    }
  });

  it('keeps lines, and groups quotes, bulleted and numbered lines', () => {
    const html = renderMrkdwn('*Title*\nsecond line\n\n&gt; quoted *bold*\n• one\n- two\n1. first\n2. second\nafter', ctx);
    expectBalanced(html);
    expect(html).toBe(
      '<div class="bk-line"><strong>Title</strong></div><div class="bk-line">second line</div><div class="bk-line"><br></div>' +
        '<blockquote class="bk-quote"><div class="bk-line">quoted <strong>bold</strong></div></blockquote>' +
        '<ul class="bk-list"><li>one</li><li>two</li></ul>' +
        '<ol class="bk-list"><li>first</li><li>second</li></ol>' +
        '<div class="bk-line">after</div>',
    );
  });

  it('starts a numbered list at its first number', () => {
    expect(tag(renderMrkdwn('3. third\n4. fourth', ctx), 'ol').start).toBe('3');
  });

  it('quotes everything after &gt;&gt;&gt;', () => {
    expect(renderMrkdwn('before\n&gt;&gt;&gt; all\nof this', ctx)).toBe(
      '<div class="bk-line">before</div><blockquote class="bk-quote"><div class="bk-line">all</div><div class="bk-line">of this</div></blockquote>',
    );
  });

  it('renders ``` blocks literally', () => {
    const html = renderMrkdwn('Run:\n```\n/log-call *Acme* &lt;b&gt;\n  indented\n```\ndone', ctx);
    expect(html).toBe('<div class="bk-line">Run:</div><pre class="bk-pre">/log-call *Acme* &lt;b&gt;\n  indented</pre><div class="bk-line">done</div>');
  });

  describe('user text stays text', () => {
    const hostile: [string, string][] = [
      ['raw script tag', `hi ${EVIL}`],
      ['Slack-escaped script tag', 'hi &lt;script&gt;alert(1)&lt;/script&gt;'],
      ['raw img with onerror', '<img src=x onerror=alert(1)>'],
      ['javascript: link', '<javascript:alert(1)|click me>'],
      ['javascript: link without label', '<JavaScript:alert(1)>'],
      ['data: link', '<data:text/html;base64,PHNjcmlwdD4=|x>'],
      ['quote breaking out of an attribute', '<https://x.com/" onmouseover="alert(1)|x>'],
      ['entity-encoded javascript', '<&#106;avascript:alert(1)|x>'],
      ['bad unicode placeholder', '\uE0000\uE001 <@U1>'],
    ];
    it.each(hostile)('%s', (_, input) => {
      const html = renderMrkdwn(input, ctx);
      expectInert(html);
      expectBalanced(html);
    });

    it('shows script tags as their text', () => {
      expect(text(renderMrkdwn(`hi ${EVIL}`, ctx))).toBe(`hi ${EVIL}`);
      expect(text(renderMrkdwn('&lt;script&gt;', ctx))).toBe('<script>');
    });

    it('shows a non-web link as its label, not as a link', () => {
      const html = renderMrkdwn('<javascript:alert(1)|click me>', ctx);
      expect(html).toBe('click me');
      expect(tags(html, 'a')).toEqual([]);
    });

    it('escapes a display name from the directory', () => {
      const html = renderMrkdwn('<@UEVIL>', ctx);
      expectInert(html);
      expect(text(html)).toBe(`@${EVIL}`);
    });

    it('keeps a quote inside a link from breaking out of href', () => {
      const html = renderMrkdwn('<https://x.com/" onmouseover="alert(1)|x>', ctx);
      expect(tag(html, 'a').href).toBe('https://x.com/" onmouseover="alert(1)');
      expect(Object.keys(tag(html, 'a'))).toEqual(['class', 'href', 'target', 'rel']);
    });
  });
});

describe('renderPlainText', () => {
  it('is literal, keeps newlines and shows emoji unless emoji: false', () => {
    expect(renderPlainText('*not bold* &amp; <b>\n:tada:', ctx)).toBe(
      '*not bold* &amp;amp; &lt;b&gt;<br><span class="bk-emoji" role="img" aria-label="tada" title=":tada:">🎉</span>',
    );
    expect(renderPlainText(':tada:', ctx, { emoji: false })).toBe(':tada:');
  });
});

// ---------------------------------------------------------------------------------------------

describe('renderBlocks: blocks', () => {
  const cases: [string, Block, (html: string) => void][] = [
    [
      'header',
      { type: 'header', text: pt('Sales Pulse :trophy:') },
      (html) => expect(html).toMatch(/<h2 class="bk-block bk-header"[^>]*>Sales Pulse <span[^>]*>🏆<\/span><\/h2>/),
    ],
    [
      'section text',
      { type: 'section', block_id: 's1', text: md('*Hello* <@U1>') },
      (html) => {
        expect(tag(html, 'div', { class: 'bk-block bk-section' })['data-block']).toBe('s1');
        expect(html).toContain('<div class="bk-section-text"><strong>Hello</strong> <span');
      },
    ],
    [
      'section fields',
      { type: 'section', fields: [md('*Revenue*\n$1'), pt('Deals'), md('*Win rate*')] },
      (html) => {
        expect(html).toContain('<div class="bk-fields"><div class="bk-field">');
        expect(tags(html, 'div').filter((d) => d.class === 'bk-field')).toHaveLength(3);
        expect(text(html)).toContain('Revenue$1DealsWin rate');
      },
    ],
    [
      'section with an image accessory',
      { type: 'section', text: md('x'), accessory: { type: 'image', image_url: 'https://img.example/a.png', alt_text: 'A chart' } },
      (html) => expect(tag(html, 'img')).toMatchObject({ class: 'bk-accessory-image', src: 'https://img.example/a.png', alt: 'A chart' }),
    ],
    [
      'context with mrkdwn, plain_text and image',
      { type: 'context', elements: [md('*a*'), pt('b :x:'), { type: 'image', image_url: 'https://img.example/i.png', alt_text: 'icon' }] },
      (html) => {
        expect(html).toMatch(/^<div class="bk-blocks"><div class="bk-block bk-context"/);
        expect(html).toContain('<div class="bk-context-item"><strong>a</strong></div>');
        expect(text(html)).toContain('b ❌');
        expect(tag(html, 'img')).toMatchObject({ class: 'bk-context-image', alt: 'icon' });
      },
    ],
    ['divider', { type: 'divider' }, (html) => expect(html).toContain('<hr class="bk-block bk-divider" data-block="b0">')],
    [
      'image with title',
      { type: 'image', image_url: 'https://img.example/chart.png', alt_text: 'Leaderboard chart', title: pt('This week') },
      (html) => {
        expect(tag(html, 'img')).toMatchObject({ src: 'https://img.example/chart.png', alt: 'Leaderboard chart' });
        expect(html).toContain('<figcaption class="bk-image-title">This week</figcaption>');
      },
    ],
    [
      'image from a slack_file',
      { type: 'image', slack_file: { id: 'F42' }, alt_text: 'chart' },
      (html) => expect(tag(html, 'img').src).toBe('/sandbox/files/F42'),
    ],
    [
      'table',
      {
        type: 'table',
        column_settings: [{ align: 'right' }, { is_wrapped: true }],
        rows: [
          [{ type: 'raw_text', text: '#' }, { type: 'raw_text', text: 'Rep' }, { type: 'raw_text', text: 'Won' }],
          [{ type: 'raw_text', text: '1' }, { type: 'raw_text', text: `*Ana* ${EVIL}` }, { type: 'raw_number', value: 3, text: '3' }],
          [
            { type: 'raw_text', text: '2' },
            { type: 'rich_text', elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: 'Ben', style: { bold: true } }] }] },
            { type: 'raw_number', value: 1 },
          ],
        ],
      },
      (html) => {
        expectInert(html);
        expect(html).toContain('<table class="bk-table"><thead><tr><th class="bk-align-right" scope="col">#</th><th class="bk-wrap" scope="col">Rep</th><th scope="col">Won</th></tr></thead>');
        expect(html).toContain('<td class="bk-align-right">1</td><td class="bk-wrap">*Ana* &lt;script&gt;');
        expect(html).toContain('<td class="bk-wrap"><div class="bk-rt-section"><strong>Ben</strong></div></td><td>1</td>');
        expect(tags(html, 'td')).toHaveLength(6);
        expect(tags(html, 'th')).toHaveLength(3);
      },
    ],
    [
      'rich_text',
      {
        type: 'rich_text',
        elements: [
          {
            type: 'rich_text_section',
            elements: [
              { type: 'text', text: 'Hi ' },
              { type: 'user', user_id: 'U1' },
              { type: 'text', text: ' in ' },
              { type: 'channel', channel_id: 'C1' },
              { type: 'text', text: ' b', style: { bold: true, italic: true } },
              { type: 'text', text: 's', style: { strike: true } },
              { type: 'text', text: 'c', style: { code: true } },
              { type: 'link', url: 'https://x.com', text: 'site' },
              { type: 'link', url: 'javascript:alert(1)', text: 'bad' },
              { type: 'emoji', name: 'tada' },
              { type: 'emoji', name: 'custom', unicode: '1f680' },
              { type: 'broadcast', range: 'here' },
            ],
          },
          { type: 'rich_text_list', style: 'bullet', elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: 'item' }] }] },
          { type: 'rich_text_list', style: 'ordered', indent: 1, elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: 'n' }] }] },
          { type: 'rich_text_preformatted', elements: [{ type: 'text', text: 'pre\n  text' }] },
          { type: 'rich_text_quote', elements: [{ type: 'text', text: 'quoted' }] },
        ],
      },
      (html) => {
        expectInert(html);
        expect(html).toContain('<strong><em> b</em></strong><s>s</s><code class="bk-code">c</code>');
        expect(tag(html, 'a').href).toBe('https://x.com');
        expect(text(html)).toContain('Hi @Ana Lima in #sales bscsitebad🎉🚀@here');
        expect(html).toContain('<ul class="bk-list bk-rt-list bk-indent-0"><li>item</li></ul>');
        expect(html).toContain('<ol class="bk-list bk-rt-list bk-indent-1"><li>n</li></ol>');
        expect(html).toContain('<pre class="bk-pre">pre\n  text</pre>');
        expect(html).toContain('<blockquote class="bk-quote">quoted</blockquote>');
      },
    ],
    [
      'file',
      { type: 'file', external_id: 'EXT1', source: 'remote' },
      (html) => expect(tag(html, 'a', { class: 'bk-file-link' }).href).toBe('/sandbox/files/EXT1'),
    ],
    [
      'video',
      { type: 'video', title: pt('Demo'), video_url: 'https://video.example/embed', thumbnail_url: 'https://video.example/t.png', alt_text: 'Demo video' },
      (html) => {
        expect(tag(html, 'a')).toMatchObject({ href: 'https://video.example/embed', target: '_blank' });
        expect(tag(html, 'img')).toMatchObject({ src: 'https://video.example/t.png', alt: 'Demo video' });
      },
    ],
    [
      'unknown block type',
      { type: 'carousel_of_doom', block_id: 'x' },
      (html) => expect(html).toContain('<div class="bk-unsupported">Unsupported block: carousel_of_doom</div>'),
    ],
    [
      'unknown block type with markup in it',
      { type: EVIL },
      (html) => {
        expectInert(html);
        expect(text(html)).toBe(`Unsupported block: ${EVIL}`);
      },
    ],
  ];

  it.each(cases)('%s', (_, block, check) => {
    const html = renderBlocks([block], ctx);
    expectBalanced(html);
    check(html);
  });

  it('never throws on malformed blocks', () => {
    const junk: unknown[] = [null, 7, 'text', {}, { type: 'section' }, { type: 'section', text: 5, fields: 'x', accessory: 3 }, { type: 'actions', elements: [null, { type: 'mystery' }] }, { type: 'input' }, { type: 'table', rows: [[null]] }, { type: 'rich_text', elements: [{ type: 'rich_text_list', elements: 'x' }] }];
    const html = renderBlocks(junk, ctx);
    expectBalanced(html);
    expect(html).toContain('Unsupported element: mystery');
  });

  it('refuses image URLs that are not http(s) or a local path', () => {
    for (const url of ['javascript:alert(1)', 'data:image/svg+xml,<svg onload=alert(1)>', '//evil.example/x.png']) {
      const html = renderBlocks([{ type: 'image', image_url: url, alt_text: 'x' }], ctx);
      expectInert(html);
      expect(tags(html, 'img')).toEqual([]);
    }
  });
});

describe('renderBlocks: interactive elements in actions blocks and accessories', () => {
  it('renders buttons with the data contract, styles and values', () => {
    const html = renderBlocks(
      [
        {
          type: 'actions',
          block_id: 'confirmation_actions',
          elements: [
            { type: 'button', action_id: 'undo', text: pt('Undo'), value: 'id-1', style: 'danger' },
            { type: 'button', action_id: 'save', text: pt('Save'), value: 'say "hi" <b>', style: 'primary' },
            { type: 'button', action_id: 'plain', text: pt('Plain') },
          ],
        },
      ],
      ctx,
    );
    expectInert(html);
    expect(tag(html, 'button', { 'data-action-id': 'undo' })).toEqual({
      type: 'button',
      class: 'bk-button bk-danger',
      'data-value': 'id-1',
      'data-interactive': 'action',
      'data-block-id': 'confirmation_actions',
      'data-action-id': 'undo',
      'data-type': 'button',
    });
    expect(tag(html, 'button', { 'data-action-id': 'save' })).toMatchObject({ class: 'bk-button bk-primary', 'data-value': 'say "hi" <b>' });
    expect(html).toContain('data-value="say &quot;hi&quot; &lt;b&gt;"');
    expect(tag(html, 'button', { 'data-action-id': 'plain' })).not.toHaveProperty('data-value');
    expect(html).toMatch(/<button[^>]*data-action-id="undo"[^>]*>Undo<\/button>/);
  });

  it('renders a link button as a link that still dispatches the action', () => {
    const html = renderBlocks([{ type: 'actions', block_id: 'a', elements: [{ type: 'button', action_id: 'open', text: pt('Open'), url: 'https://example.com/x' }] }], ctx);
    expect(tag(html, 'a')).toMatchObject({
      href: 'https://example.com/x',
      target: '_blank',
      rel: 'noopener noreferrer',
      'data-interactive': 'action',
      'data-type': 'button',
      'data-action-id': 'open',
    });
  });

  it('renders a javascript: button URL as a plain button', () => {
    const html = renderBlocks([{ type: 'actions', elements: [{ type: 'button', action_id: 'x', text: pt('X'), url: 'javascript:alert(1)' }] }], ctx);
    expectInert(html);
    expect(tags(html, 'a')).toEqual([]);
    expect(tag(html, 'button')['data-action-id']).toBe('x');
  });

  it('carries a confirm dialog as JSON of plain strings', () => {
    const confirm = { title: pt('Undo this entry?'), text: md('*3 calls* with "Acme"'), confirm: pt('Undo'), deny: pt('Keep it') };
    const html = renderBlocks([{ type: 'section', block_id: 'r0', text: md('x'), accessory: { type: 'button', action_id: 'u', text: pt('Undo'), value: '1', confirm } }], ctx);
    const button = tag(html, 'button');
    expect(JSON.parse(button['data-confirm']!)).toEqual({ title: 'Undo this entry?', text: '*3 calls* with "Acme"', confirm: 'Undo', deny: 'Keep it' });
    expect(button['data-block-id']).toBe('r0');
  });

  it('generates block and action ids when the block has none', () => {
    const html = renderBlocks([{ type: 'divider' }, { type: 'actions', elements: [{ type: 'button', text: pt('A') }, { type: 'button', action_id: 'b', text: pt('B') }] }], ctx);
    expect(tags(html, 'button').map((b) => [b['data-block-id'], b['data-action-id']])).toEqual([
      ['b1', 'a0'],
      ['b1', 'b'],
    ]);
  });

  it('renders every element type an actions block can hold, each dispatching actions with an accessible name', () => {
    const elements = [
      { type: 'static_select', action_id: 'ss', placeholder: pt('Pick a result'), options: OPTIONS, initial_option: OPTIONS[1] },
      { type: 'multi_static_select', action_id: 'ms', options: OPTIONS, initial_options: [OPTIONS[0], OPTIONS[2]] },
      { type: 'users_select', action_id: 'us', placeholder: pt('Someone') },
      { type: 'channels_select', action_id: 'cs', initial_channel: 'C2' },
      { type: 'conversations_select', action_id: 'co' },
      { type: 'datepicker', action_id: 'dp', initial_date: '2026-11-27' },
      { type: 'overflow', action_id: 'ov', options: [opt('Edit', 'edit'), opt('Delete', 'delete')] },
      { type: 'radio_buttons', action_id: 'rb', options: OPTIONS, initial_option: OPTIONS[2] },
      { type: 'checkboxes', action_id: 'cb', options: OPTIONS, initial_options: [OPTIONS[0]] },
    ];
    const html = renderBlocks([{ type: 'actions', block_id: 'acts', elements }], ctx);
    expectBalanced(html);
    expect(html).not.toContain('bk-unsupported');

    const controls = [...tags(html, 'select'), ...tags(html, 'input')];
    for (const c of controls) {
      expect(c).toMatchObject({ 'data-interactive': 'action', 'data-block-id': 'acts' });
      expect(c['data-dispatch']).toBeUndefined();
    }
    expect(controls.map((c) => `${c['data-action-id']}:${c['data-type']}`)).toEqual([
      'ss:static_select',
      'ms:multi_static_select',
      'us:users_select',
      'cs:channels_select',
      'co:conversations_select',
      'ov:overflow',
      'dp:datepicker',
      'rb:radio_buttons',
      'rb:radio_buttons',
      'rb:radio_buttons',
      'cb:checkboxes',
      'cb:checkboxes',
      'cb:checkboxes',
    ]);
    for (const s of tags(html, 'select')) expect(s['aria-label']).toBeTruthy();
    expect(tag(html, 'select', { 'data-action-id': 'ss' })['aria-label']).toBe('Pick a result');
    expect(tag(html, 'input', { 'data-action-id': 'dp' })).toMatchObject({ type: 'date', value: '2026-11-27', 'aria-label': 'Pick a date' });
    expect(tag(html, 'select', { 'data-action-id': 'ms' })).toHaveProperty('multiple');
    expect(tags(html, 'input').filter((i) => i.checked !== undefined).map((i) => i.value)).toEqual(['open', 'won']);
    // Radios and checkboxes in an actions block are named by a hidden legend; their group names the element
    // (so a script can read every checked box) without being a control itself.
    expect(html).toContain('<legend class="bk-visually-hidden">Choose one</legend>');
    expect(tag(html, 'fieldset', { 'data-action-id': 'cb' })).toEqual({ class: 'bk-choices bk-checkboxes', 'data-block-id': 'acts', 'data-action-id': 'cb', 'data-type': 'checkboxes' });
    // Two messages may hold the same ids: controls in messages carry no id, and labels wrap their control.
    for (const c of controls) expect(c).not.toHaveProperty('id');
    for (const l of tags(html, 'label')) expect(l).not.toHaveProperty('for');
    expect(html).toMatch(/<select[^>]*data-action-id="ov"[^>]*><option value="" selected>⋯<\/option><option value="edit">Edit<\/option>/);
  });

  it('renders a static_select accessory with its initial option selected', () => {
    const html = renderBlocks(
      [{ type: 'section', block_id: 'home_digest', text: md('Digest'), accessory: { type: 'static_select', action_id: 'digest', options: OPTIONS, initial_option: OPTIONS[1] } }],
      ctx,
    );
    expect(tag(html, 'select')).toMatchObject({ name: 'home_digest/digest', 'data-interactive': 'action', 'data-type': 'static_select' });
    expect(html).toContain('<option value="won">Won</option><option value="lost" selected>Lost</option>');
    expect(html).not.toContain('<option value="">');
  });

  it('renders option_groups as optgroups', () => {
    const html = renderBlocks(
      [
        {
          type: 'actions',
          elements: [
            {
              type: 'static_select',
              action_id: 'g',
              option_groups: [
                { label: pt('Open'), options: [opt('Call', 'call')] },
                { label: pt('Closed <x>'), options: [opt('Won', 'won')] },
              ],
            },
          ],
        },
      ],
      ctx,
    );
    expect(html).toContain('<option value="">Select an item</option><optgroup label="Open"><option value="call">Call</option></optgroup><optgroup label="Closed &lt;x&gt;">');
  });

  it('accepts datepicker and overflow accessories', () => {
    for (const accessory of [
      { type: 'datepicker', action_id: 'd', initial_date: '2026-01-02' },
      { type: 'overflow', action_id: 'o', options: [opt('Edit', 'edit')] },
    ]) {
      const html = renderBlocks([{ type: 'section', block_id: 's', text: md('x'), accessory }], ctx);
      expect(html).toContain('<div class="bk-accessory">');
      expect(html).toContain(`data-type="${accessory.type}"`);
      expect(html).not.toContain('bk-unsupported');
    }
  });
});

// ---------------------------------------------------------------------------------------------

function input(blockId: string, element: Block, extra: Block = {}): Block {
  return { type: 'input', block_id: blockId, label: pt(`Label ${blockId}`), element: { action_id: `${blockId}_action`, ...element }, ...extra };
}

function modal(blocks: Block[]): Block {
  return { type: 'modal', callback_id: 'cb', title: pt('Test'), submit: pt('Save'), close: pt('Cancel'), blocks };
}

describe('renderView: input blocks', () => {
  const control = (html: string, blockId: string, name: 'input' | 'select' | 'textarea' = 'input') => tag(html, name, { 'data-block-id': blockId });

  const cases: [string, Block, (html: string) => void][] = [
    [
      'plain_text_input',
      input('t', { type: 'plain_text_input', initial_value: 'Acme "Corp"', placeholder: pt('Company'), min_length: 2, max_length: 200 }),
      (html) =>
        expect(control(html, 't')).toMatchObject({ type: 'text', value: 'Acme "Corp"', placeholder: 'Company', minlength: '2', maxlength: '200', name: 't/t_action' }),
    ],
    [
      'multiline plain_text_input',
      input('n', { type: 'plain_text_input', multiline: true, initial_value: `line 1\n${EVIL}` }),
      (html) => {
        expectInert(html);
        expect(control(html, 'n', 'textarea')['data-type']).toBe('plain_text_input');
        expect(html).toContain(`>line 1\n&lt;script&gt;alert(1)&lt;/script&gt;</textarea>`);
      },
    ],
    [
      'number_input',
      input('c', { type: 'number_input', is_decimal_allowed: false, min_value: '1', max_value: '100', initial_value: '3' }),
      (html) => expect(control(html, 'c')).toMatchObject({ type: 'number', step: '1', min: '1', max: '100', value: '3' }),
    ],
    ['decimal number_input', input('d', { type: 'number_input', is_decimal_allowed: true }), (html) => expect(control(html, 'd').step).toBe('any')],
    ['email_text_input', input('e', { type: 'email_text_input', initial_value: 'a@b.co' }), (html) => expect(control(html, 'e')).toMatchObject({ type: 'email', value: 'a@b.co' })],
    ['url_text_input', input('u', { type: 'url_text_input' }), (html) => expect(control(html, 'u').type).toBe('url')],
    [
      'static_select',
      input('s', { type: 'static_select', options: OPTIONS, initial_option: OPTIONS[1] }),
      (html) => expect(html).toMatch(/<select[^>]*data-block-id="s"[^>]*><option value="won">Won<\/option><option value="lost" selected>Lost<\/option>/),
    ],
    [
      'static_select with nothing selected',
      input('s', { type: 'static_select', options: OPTIONS, placeholder: pt('How did it go?') }),
      (html) => expect(html).toMatch(/<select[^>]*><option value="">How did it go\?<\/option><option value="won">/),
    ],
    [
      'multi_static_select',
      input('m', { type: 'multi_static_select', options: OPTIONS, initial_options: [OPTIONS[0], OPTIONS[2]] }),
      (html) => {
        expect(control(html, 'm', 'select')).toHaveProperty('multiple');
        expect(tags(html, 'option').filter((o) => 'selected' in o).map((o) => o.value)).toEqual(['won', 'open']);
      },
    ],
    ['datepicker', input('dp', { type: 'datepicker', initial_date: '2026-11-27' }), (html) => expect(control(html, 'dp')).toMatchObject({ type: 'date', value: '2026-11-27' })],
    ['timepicker', input('tp', { type: 'timepicker', initial_time: '09:30' }), (html) => expect(control(html, 'tp')).toMatchObject({ type: 'time', value: '09:30' })],
    [
      'users_select without initial user',
      input('us', { type: 'users_select' }),
      (html) => expect(tags(html, 'option').map((o) => o.value)).toEqual(['', 'U1', 'U2']),
    ],
    [
      'users_select with initial user',
      input('us', { type: 'users_select', initial_user: 'U2' }),
      (html) => {
        expect(tags(html, 'option').map((o) => o.value)).toEqual(['U1', 'U2']);
        expect(tag(html, 'option', { value: 'U2' })).toHaveProperty('selected');
        expect(html).toContain('>Ben Carter</option>');
      },
    ],
    [
      'multi_users_select',
      input('mu', { type: 'multi_users_select', initial_users: ['U1', 'U9'] }),
      (html) => {
        expect(control(html, 'mu', 'select')).toHaveProperty('multiple');
        expect(tags(html, 'option').filter((o) => 'selected' in o).map((o) => o.value)).toEqual(['U1', 'U9']);
      },
    ],
    [
      'channels_select',
      input('ch', { type: 'channels_select', initial_channel: 'C1' }),
      (html) => {
        expect(tag(html, 'option', { value: 'C1' })).toHaveProperty('selected');
        expect(html).toContain('>#sales</option>');
      },
    ],
    [
      'conversations_select',
      input('cv', { type: 'conversations_select', initial_conversation: 'C2' }),
      (html) => expect(tag(html, 'option', { value: 'C2' })).toHaveProperty('selected'),
    ],
    [
      'radio_buttons',
      input('rb', { type: 'radio_buttons', options: [opt('Won', 'won'), { ...opt('Lost', 'lost'), description: md('_sadly_') }], initial_option: opt('Lost', 'lost') }),
      (html) => {
        expect(html).toContain(
          '<fieldset class="bk-choices bk-radios" data-block-id="rb" data-action-id="rb_action" data-type="radio_buttons"><legend class="bk-label">Label rb</legend>',
        );
        const radios = tags(html, 'input');
        expect(radios.map((r) => [r.type, r.value, 'checked' in r])).toEqual([
          ['radio', 'won', false],
          ['radio', 'lost', true],
        ]);
        for (const r of radios) expect(tag(html, 'label', { for: r.id! })).toBeTruthy();
        expect(html).toContain('<span class="bk-choice-description"><em>sadly</em></span>');
      },
    ],
    [
      'checkboxes',
      input('cb', { type: 'checkboxes', options: OPTIONS, initial_options: [OPTIONS[1]] }, { optional: true }),
      (html) => {
        expect(html).toContain('<legend class="bk-label">Label cb <span class="bk-optional">(optional)</span></legend>');
        expect(tags(html, 'input').map((r) => [r.type, r.value, 'checked' in r, r.name])).toEqual([
          ['checkbox', 'won', false, 'cb/cb_action'],
          ['checkbox', 'lost', true, 'cb/cb_action'],
          ['checkbox', 'open', false, 'cb/cb_action'],
        ]);
      },
    ],
  ];

  it.each(cases)('%s', (_, block, check) => {
    const { body } = renderView(modal([block]), ctx);
    expectBalanced(body);
    expect(body).not.toContain('bk-unsupported');
    for (const c of [...tags(body, 'input'), ...tags(body, 'select'), ...tags(body, 'textarea')]) {
      expect(c).toMatchObject({ 'data-interactive': 'input', 'data-block-id': block.block_id, 'data-action-id': `${block.block_id}_action`, 'data-type': block.element.type });
      expect(c.name).toBe(`${block.block_id}/${block.block_id}_action`);
      // Every control has a label: <label for> (or a wrapping label for radios and checkboxes).
      expect(tag(body, 'label', { for: c.id! })).toBeTruthy();
    }
    check(body);
  });

  it('marks optional blocks, requires the others, and shows hints', () => {
    const { body } = renderView(
      modal([
        input('req', { type: 'plain_text_input' }, { hint: pt('Say something') }),
        input('opt', { type: 'plain_text_input' }, { optional: true }),
      ]),
      ctx,
    );
    expect(tag(body, 'input', { 'data-block-id': 'req' })).toMatchObject({ required: '', 'aria-describedby': 'bk-req-req_action-hint' });
    expect(tag(body, 'input', { 'data-block-id': 'opt' })).not.toHaveProperty('required');
    expect(body).toContain('<label class="bk-label" for="bk-opt-opt_action">Label opt <span class="bk-optional">(optional)</span></label>');
    expect(body).toContain('<p class="bk-hint" id="bk-req-req_action-hint">Say something</p>');
  });

  it('marks dispatching inputs', () => {
    const { body } = renderView(
      modal([
        input('a', { type: 'static_select', options: OPTIONS }, { dispatch_action: true }),
        input('b', { type: 'plain_text_input', dispatch_action_config: { trigger_actions_on: ['on_enter_pressed'] } }, { dispatch_action: true }),
        input('c', { type: 'plain_text_input' }),
      ]),
      ctx,
    );
    expect(tag(body, 'select', { 'data-block-id': 'a' })['data-dispatch']).toBe('true');
    expect(tag(body, 'input', { 'data-block-id': 'b' })['data-dispatch']).toBe('true');
    expect(tag(body, 'input', { 'data-block-id': 'c' })).not.toHaveProperty('data-dispatch');
  });

  it('shows errors right under the element of the named blocks', () => {
    const view = modal([
      input('amount', { type: 'plain_text_input' }, { hint: pt('12,500') }),
      input('notes', { type: 'plain_text_input' }),
      input('result', { type: 'radio_buttons', options: OPTIONS }),
    ]);
    const { body } = renderView(view, ctx, { errors: { amount: 'Enter an amount like 12,500', result: `Pick one ${EVIL}` } });
    expectInert(body);
    expectBalanced(body);
    expect(tag(body, 'div', { 'data-block': 'amount' }).class).toBe('bk-block bk-input bk-has-error');
    expect(tag(body, 'div', { 'data-block': 'notes' }).class).toBe('bk-block bk-input');
    expect(body).toMatch(
      /<input[^>]*data-block-id="amount"[^>]*><p class="bk-error" role="alert" id="bk-amount-amount_action-error">Enter an amount like 12,500<\/p><p class="bk-hint"/,
    );
    expect(tag(body, 'input', { 'data-block-id': 'amount' })).toMatchObject({ 'aria-invalid': 'true', 'aria-describedby': 'bk-amount-amount_action-error bk-amount-amount_action-hint' });
    expect(body).toMatch(/<\/fieldset><p class="bk-error" role="alert"[^>]*>Pick one &lt;script&gt;/);
    expect(tags(body, 'p').filter((p) => p.class === 'bk-error')).toHaveLength(2);
  });

  it('uses a distinct id prefix when asked', () => {
    const { body } = renderView(modal([input('t', { type: 'plain_text_input' })]), ctx, { idPrefix: 'm2' });
    expect(tag(body, 'input').id).toBe('m2-t-t_action');
    expect(tag(body, 'label').for).toBe('m2-t-t_action');
  });

  it('shows an unsupported input element as a box with its label', () => {
    const { body } = renderView(modal([input('f', { type: 'file_input' })]), ctx);
    expect(body).toContain('Label f');
    expect(body).toContain('Unsupported element: file_input');
  });
});

describe('renderView', () => {
  it('gives a modal its title, submit and close', () => {
    const view = logActivityModal({ types: BUILT_IN_ACTIVITY_TYPES, prefill: { typeKey: 'call', date: '2026-11-27' }, metadata: {} });
    const rendered = renderView(view, ctx);
    expect(rendered).toMatchObject({ title: 'Log activity', submit: 'Save', close: 'Cancel' });
    expect(rendered.body).toMatch(/^<div class="bk-view bk-modal"><div class="bk-blocks">/);
  });

  it('leaves out a missing submit and defaults close to Cancel', () => {
    expect(renderView({ type: 'modal', title: pt('Info <b>'), blocks: [] }, ctx)).toEqual({
      title: 'Info &lt;b&gt;',
      submit: undefined,
      close: 'Cancel',
      body: '<div class="bk-view bk-modal"><div class="bk-blocks"></div></div>',
    });
  });

  it('gives a Home tab a body only', () => {
    const rendered = renderView({ type: 'home', blocks: [{ type: 'divider' }] }, ctx);
    expect(Object.keys(rendered)).toEqual(['body']);
    expect(rendered.body).toMatch(/^<div class="bk-view bk-home">/);
  });

  it('shows current state in place of initial values', () => {
    const view = modal([
      input('t', { type: 'plain_text_input', initial_value: 'old' }),
      input('s', { type: 'static_select', options: OPTIONS, initial_option: OPTIONS[0] }),
      input('d', { type: 'datepicker', initial_date: '2026-01-01' }),
    ]);
    const state = viewStateValues(view, [
      { blockId: 't', actionId: 't_action', values: ['new'] },
      { blockId: 's', actionId: 's_action', values: ['open'] },
      { blockId: 'd', actionId: 'd_action', values: [''] },
    ]);
    const { body } = renderView(view, ctx, { state });
    expect(tag(body, 'input', { 'data-block-id': 't' }).value).toBe('new');
    expect(tag(body, 'option', { value: 'open' })).toHaveProperty('selected');
    expect(tag(body, 'input', { 'data-block-id': 'd' })).not.toHaveProperty('value');
  });
});

describe("the bot's own payloads", () => {
  const home: HomeInput = {
    displayName: `Ana ${EVIL}`,
    weekLabel: 'This week (Nov 23 – Nov 29)',
    stats: { activities: 4, activitiesByType: { call: 3, email: 1 }, won: 1, lost: 1, revenue: [] },
    observations: ['Great week :tada:'],
    progress: [{ label: 'Calls', percent: 62, text: 'Calls: 31 of 50 (62%)', status: 'on_pace' }],
    recent: [{ kind: 'deal', id: 'd1', text: `Won deal: ${EVIL}`, when: 'today', notes: '<img src=x onerror=alert(1)>' }],
    digest: 'weekly',
    digestIsDefault: false,
    types: BUILT_IN_ACTIVITY_TYPES,
  };
  const views: [string, unknown][] = [
    ['log activity modal', logActivityModal({ types: BUILT_IN_ACTIVITY_TYPES, prefill: { typeKey: 'call', date: '2026-11-27', notes: EVIL }, metadata: {} })],
    ['log deal modal', logDealModal({ prefill: { currency: 'USD', date: '2026-11-27', status: 'lost' }, metadata: {} })],
    ['home tab', homeView(home)],
  ];

  it.each(views)('renders the %s completely and inertly', (_, view) => {
    const { body } = renderView(view, ctx);
    expectBalanced(body);
    expectInert(body);
    expect(body).not.toContain('bk-unsupported');
  });

  it('renders the leaderboard (table included) and a deal confirmation', () => {
    const board = renderBoard(makeBoard(makeReps(3)), { insights: ['Rep 001 leads :trophy:'], postButtonValue: 'v1' });
    const deal = dealConfirmation({
      deal: { id: 'd1', status: 'won', amountMinor: 1250000n, currency: 'USD', account: EVIL, closedAt: new Date('2026-11-27T12:00:00Z'), notes: EVIL },
      totals: { won: 1, lost: 0, revenue: [{ minor: 1250000n, currency: 'USD' }] },
      now: new Date('2026-11-27T15:00:00Z'),
      timeZone: 'UTC',
    });
    for (const message of [board, deal]) {
      const html = renderMessageBody(message, ctx);
      expectBalanced(html);
      expectInert(html);
      expect(html).not.toContain('bk-unsupported');
    }
    const html = renderMessageBody(board, ctx);
    expect(tags(html, 'th').length).toBeGreaterThan(5);
    expect(tag(html, 'button')).toMatchObject({ 'data-action-id': 'leaderboard_post_to_channel', 'data-value': 'v1', class: 'bk-button bk-primary' });
  });
});

describe('renderMessageBody', () => {
  it('renders the blocks when there are any, else the mrkdwn text', () => {
    expect(renderMessageBody({ text: 'fallback', blocks: [{ type: 'divider' }] }, ctx)).not.toContain('fallback');
    expect(renderMessageBody({ text: '*hi* <@U1>', blocks: [] }, ctx)).toBe(
      '<div class="bk-message-text"><strong>hi</strong> <span class="bk-mention" data-user-id="U1">@Ana Lima</span></div>',
    );
    expect(renderMessageBody({ text: '*hi*' }, ctx)).toBe('<div class="bk-message-text"><strong>hi</strong></div>');
  });

  it('shows image files inline and other files as downloads', () => {
    const html = renderMessageBody(
      {
        text: 'files',
        files: [
          { id: 'F1', name: 'chart.png', title: 'This week', mimetype: 'image/png' },
          { id: 'F2', name: 'board "q4".csv', title: 'Leaderboard CSV', mimetype: 'text/csv' },
        ],
      },
      ctx,
    );
    expectBalanced(html);
    expect(html).toContain('<div class="bk-files"><figure class="bk-file bk-file-image">');
    expect(tag(html, 'img')).toMatchObject({ src: '/sandbox/files/F1', alt: 'This week' });
    expect(html).toContain('<figcaption class="bk-file-title">This week</figcaption>');
    // The image opens full size in a new tab; the CSV downloads.
    expect(tag(html, 'a', { href: '/sandbox/files/F1' })).toMatchObject({ target: '_blank', rel: 'noopener noreferrer' });
    expect(tag(html, 'a', { class: 'bk-file bk-file-download' })).toEqual({ class: 'bk-file bk-file-download', href: '/sandbox/files/F2', download: 'board "q4".csv' });
    expect(text(html)).toContain('📄board "q4".csvLeaderboard CSV');
  });
});

// ---------------------------------------------------------------------------------------------

describe('viewStateValues', () => {
  it('gives the shape Slack sends for the log activity modal', () => {
    const view = logActivityModal({ types: BUILT_IN_ACTIVITY_TYPES, prefill: { typeKey: 'call', date: '2026-11-27' }, metadata: {} });
    const inputs: FormInput[] = [
      { blockId: 'type_block', actionId: 'type_input', values: ['call'] },
      { blockId: 'account_block', actionId: 'account_input', values: ['Acme Corp'] },
      { blockId: 'notes_block', actionId: 'notes_input', values: [''] },
      { blockId: 'count_block', actionId: 'count_input', values: ['1'] },
    ];
    expect(viewStateValues(view, inputs)).toEqual({
      type_block: { type_input: { type: 'static_select', selected_option: { text: { type: 'plain_text', text: 'Call' }, value: 'call' } } },
      account_pick_block: { account_pick_input: { type: 'external_select', selected_option: null } },
      account_block: { account_input: { type: 'plain_text_input', value: 'Acme Corp' } },
      contact_block: { contact_input: { type: 'plain_text_input', value: null } },
      outcome_block__call: { outcome_input: { type: 'static_select', selected_option: null } },
      date_block: { date_input: { type: 'datepicker', selected_date: '2026-11-27' } },
      duration_block: { duration_input: { type: 'plain_text_input', value: null } },
      count_block: { count_input: { type: 'number_input', value: '1' } },
      notes_block: { notes_input: { type: 'plain_text_input', value: null } },
    });
  });

  // [element, posted values, state from them, state with nothing posted]
  const cases: [string, Block, string[], Block, Block][] = [
    ['plain_text_input', { type: 'plain_text_input', initial_value: 'x' }, ['typed'], { value: 'typed' }, { value: 'x' }],
    ['empty plain_text_input', { type: 'plain_text_input', initial_value: 'x' }, [''], { value: null }, { value: 'x' }],
    ['email_text_input', { type: 'email_text_input' }, ['a@b.co'], { value: 'a@b.co' }, { value: null }],
    ['url_text_input', { type: 'url_text_input' }, ['https://x.com'], { value: 'https://x.com' }, { value: null }],
    ['number_input', { type: 'number_input', initial_value: '1' }, ['12.5'], { value: '12.5' }, { value: '1' }],
    ['static_select', { type: 'static_select', options: OPTIONS, initial_option: OPTIONS[0] }, ['lost'], { selected_option: OPTIONS[1] }, { selected_option: OPTIONS[0] }],
    ['static_select, not an option', { type: 'static_select', options: OPTIONS, initial_option: OPTIONS[0] }, ['hacked'], { selected_option: null }, { selected_option: OPTIONS[0] }],
    [
      'static_select with option_groups',
      { type: 'static_select', option_groups: [{ label: pt('G'), options: OPTIONS }] },
      ['open'],
      { selected_option: OPTIONS[2] },
      { selected_option: null },
    ],
    ['radio_buttons', { type: 'radio_buttons', options: OPTIONS, initial_option: OPTIONS[2] }, ['won'], { selected_option: OPTIONS[0] }, { selected_option: OPTIONS[2] }],
    [
      'multi_static_select',
      { type: 'multi_static_select', options: OPTIONS, initial_options: [OPTIONS[1]] },
      ['open', 'nope', 'won'],
      { selected_options: [OPTIONS[2], OPTIONS[0]] },
      { selected_options: [OPTIONS[1]] },
    ],
    ['checkboxes', { type: 'checkboxes', options: OPTIONS }, ['won', 'lost'], { selected_options: [OPTIONS[0], OPTIONS[1]] }, { selected_options: [] }],
    ['datepicker', { type: 'datepicker', initial_date: '2026-01-01' }, ['2026-11-27'], { selected_date: '2026-11-27' }, { selected_date: '2026-01-01' }],
    ['datepicker, not a date', { type: 'datepicker' }, ['tomorrow'], { selected_date: null }, { selected_date: null }],
    ['timepicker', { type: 'timepicker', initial_time: '09:00' }, ['14:30:00'], { selected_time: '14:30' }, { selected_time: '09:00' }],
    ['users_select', { type: 'users_select', initial_user: 'U1' }, ['U2'], { selected_user: 'U2' }, { selected_user: 'U1' }],
    ['users_select, not a user', { type: 'users_select' }, ['<script>'], { selected_user: null }, { selected_user: null }],
    ['multi_users_select', { type: 'multi_users_select', initial_users: ['U1'] }, ['U1', 'U2'], { selected_users: ['U1', 'U2'] }, { selected_users: ['U1'] }],
    ['channels_select', { type: 'channels_select', initial_channel: 'C1' }, ['C2'], { selected_channel: 'C2' }, { selected_channel: 'C1' }],
    ['conversations_select', { type: 'conversations_select' }, ['C1'], { selected_conversation: 'C1' }, { selected_conversation: null }],
  ];

  it.each(cases)('%s', (_, element, values, posted, initial) => {
    const view = { blocks: [input('blk', element)] };
    const type = element.type;
    expect(viewStateValues(view, [{ blockId: 'blk', actionId: 'blk_action', values }])).toEqual({ blk: { blk_action: { type, ...posted } } });
    expect(viewStateValues(view, [])).toEqual({ blk: { blk_action: { type, ...initial } } });
  });

  it('copies the option text object from the view, whatever the page sends', () => {
    const withEmoji = { text: { type: 'plain_text', text: 'Won :tada:', emoji: true }, value: 'won' };
    const state = viewStateValues({ blocks: [input('s', { type: 'static_select', options: [withEmoji] })] }, [{ blockId: 's', actionId: 's_action', values: ['won'] }]);
    expect(state.s!.s_action!.selected_option).toEqual(withEmoji);
  });

  it('uses generated ids for blocks and elements without, and ignores inputs for unknown blocks', () => {
    const view = { blocks: [{ type: 'divider' }, { type: 'input', label: pt('x'), element: { type: 'plain_text_input' } }] };
    expect(
      viewStateValues(view, [
        { blockId: 'b1', actionId: 'a0', values: ['hello'] },
        { blockId: 'ghost', actionId: 'a0', values: ['boo'] },
      ]),
    ).toEqual({ b1: { a0: { type: 'plain_text_input', value: 'hello' } } });
  });

  it('includes stateful elements of actions blocks and accessories, not buttons or overflows', () => {
    const view = {
      blocks: [
        { type: 'actions', block_id: 'acts', elements: [{ type: 'button', action_id: 'go', text: pt('Go') }, { type: 'static_select', action_id: 'pick', options: OPTIONS }, { type: 'overflow', action_id: 'more', options: OPTIONS }] },
        { type: 'section', block_id: 'sec', text: md('x'), accessory: { type: 'datepicker', action_id: 'when', initial_date: '2026-02-03' } },
      ],
    };
    expect(viewStateValues(view, [{ blockId: 'acts', actionId: 'pick', values: ['won'] }])).toEqual({
      acts: { pick: { type: 'static_select', selected_option: OPTIONS[0] } },
      sec: { when: { type: 'datepicker', selected_date: '2026-02-03' } },
    });
  });

  it('round-trips through applyViewState', () => {
    const blocks = [input('t', { type: 'plain_text_input' }), input('m', { type: 'multi_static_select', options: OPTIONS }), input('u', { type: 'users_select' })];
    const state = viewStateValues({ blocks }, [
      { blockId: 't', actionId: 't_action', values: ['typed'] },
      { blockId: 'm', actionId: 'm_action', values: ['lost'] },
      { blockId: 'u', actionId: 'u_action', values: ['U2'] },
    ]);
    expect(viewStateValues({ blocks: applyViewState(blocks, state) }, [])).toEqual(state);
  });
});

describe('actionPayload', () => {
  const TS = '1733000012.123456';
  const blocks: Block[] = [
    {
      type: 'actions',
      block_id: 'confirmation_actions',
      elements: [
        { type: 'button', action_id: 'activity_undo', text: { type: 'plain_text', text: 'Undo', emoji: true }, value: '0b5c', style: 'danger' },
        { type: 'button', action_id: 'open', text: pt('Open'), url: 'https://x.com' },
        { type: 'static_select', action_id: 'ss', options: OPTIONS },
        { type: 'multi_static_select', action_id: 'ms', options: OPTIONS },
        { type: 'overflow', action_id: 'ov', options: [opt('Edit', 'edit'), opt('Delete', 'delete')] },
        { type: 'users_select', action_id: 'us' },
        { type: 'multi_users_select', action_id: 'mus' },
        { type: 'channels_select', action_id: 'cs' },
        { type: 'conversations_select', action_id: 'cv' },
        { type: 'datepicker', action_id: 'dp' },
        { type: 'timepicker', action_id: 'tp' },
        { type: 'radio_buttons', action_id: 'rb', options: OPTIONS },
        { type: 'checkboxes', action_id: 'cb', options: OPTIONS },
      ],
    },
    input('typed', { type: 'plain_text_input' }, { dispatch_action: true }),
    { type: 'section', text: md('x'), accessory: { type: 'button', text: pt('Go'), value: 'v' } },
  ];
  const head = (type: string, action_id: string, block_id = 'confirmation_actions') => ({ type, action_id, block_id });

  it('gives a button the shape of Slack\'s block_actions', () => {
    const sample = JSON.parse(readFileSync('test/fixtures/slack-payloads/block-actions.json', 'utf8')) as { actions: Block[] };
    const { style, ...payload } = actionPayload(blocks, 'confirmation_actions', 'activity_undo', [], TS)!;
    expect(style).toBe('danger');
    expect(Object.keys(payload).sort()).toEqual(Object.keys(sample.actions[0]!).sort());
    expect(payload).toEqual({ ...head('button', 'activity_undo'), text: { type: 'plain_text', text: 'Undo', emoji: true }, value: '0b5c', action_ts: TS });
  });

  const cases: [string, string, string[], Block][] = [
    ['link button', 'open', [], { text: pt('Open'), url: 'https://x.com' }],
    ['static_select', 'ss', ['lost'], { selected_option: OPTIONS[1] }],
    ['static_select, not an option', 'ss', ['nope'], { selected_option: null }],
    ['multi_static_select', 'ms', ['won', 'open'], { selected_options: [OPTIONS[0], OPTIONS[2]] }],
    ['overflow', 'ov', ['delete'], { selected_option: opt('Delete', 'delete') }],
    ['users_select', 'us', ['U1'], { selected_user: 'U1' }],
    ['multi_users_select', 'mus', ['U1', 'U2'], { selected_users: ['U1', 'U2'] }],
    ['channels_select', 'cs', ['C1'], { selected_channel: 'C1' }],
    ['conversations_select', 'cv', ['C2'], { selected_conversation: 'C2' }],
    ['datepicker', 'dp', ['2026-11-27'], { selected_date: '2026-11-27' }],
    ['timepicker', 'tp', ['08:15'], { selected_time: '08:15' }],
    ['radio_buttons', 'rb', ['open'], { selected_option: OPTIONS[2] }],
    ['checkboxes', 'cb', ['lost'], { selected_options: [OPTIONS[1]] }],
  ];
  it.each(cases)('%s', (_, actionId, values, fields) => {
    const type = (blocks[0]!.elements as Block[]).find((e) => e.action_id === actionId)!.type as string;
    expect(actionPayload(blocks, 'confirmation_actions', actionId, values, TS)).toEqual({ ...head(type, actionId), ...fields, action_ts: TS });
  });

  it('covers dispatching inputs and generated ids', () => {
    expect(actionPayload(blocks, 'typed', 'typed_action', ['hello'], TS)).toEqual({ ...head('plain_text_input', 'typed_action', 'typed'), value: 'hello', action_ts: TS });
    expect(actionPayload(blocks, 'b2', 'a0', [], TS)).toEqual({ ...head('button', 'a0', 'b2'), text: pt('Go'), value: 'v', action_ts: TS });
  });

  it('finds nothing for unknown blocks or actions', () => {
    expect(actionPayload(blocks, 'confirmation_actions', 'nope', [], TS)).toBeUndefined();
    expect(actionPayload(blocks, 'nope', 'activity_undo', [], TS)).toBeUndefined();
    expect(actionPayload([null, 3], 'b0', 'a0', [], TS)).toBeUndefined();
  });

  it('matches what the renderer puts on the page', () => {
    const html = renderBlocks(blocks, ctx);
    for (const control of [...tags(html, 'button'), ...tags(html, 'select'), ...tags(html, 'input'), ...tags(html, 'a')]) {
      expect(actionPayload(blocks, control['data-block-id']!, control['data-action-id']!, [], TS), JSON.stringify(control)).toBeDefined();
    }
  });
});
