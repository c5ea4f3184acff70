/**
 * The sandbox page's HTML: the shell (sidebar, conversation, composer, controls) and the regions the page
 * asks for as the workspace changes (a conversation's messages, a thread, the Home tab, the open modal).
 * Pure: data in, HTML out. Block Kit itself is drawn by ./render; everything a person typed is escaped there
 * and here.
 */
import { TZDate } from '@date-fns/tz';
import { escapeHtml, renderMessageBody, renderView, type RenderContext } from './render/index.js';
import { MODAL_ERROR_KEY, SLACKBOT_ID, type ManifestCommand, type ManifestShortcut } from './people-actions.js';
import { dmChannelId, SANDBOX_BOT, SANDBOX_TEAM_NAME, type SandboxChannel, type SandboxPerson } from './people.js';
import type { StoredMessage, StoredView, Workspace } from './workspace.js';

export interface PageData {
  people: readonly SandboxPerson[];
  channels: readonly SandboxChannel[];
  commands: ManifestCommand[];
  shortcuts: ManifestShortcut[];
  /** The workspace's own zone: clock presets are in it. */
  timeZone: string;
}

/** Where the person is looking: a channel, or the app (its Home tab or its Messages tab, the DM). */
export interface Location {
  as: string;
  conv: string;
  tab: 'messages' | 'home';
  thread?: string;
}

export const APP_CONVERSATION = 'app';

export function renderContext(data: PageData): RenderContext {
  return {
    userName: (id) => (id === SANDBOX_BOT.userId ? SANDBOX_BOT.name : data.people.find((p) => p.id === id)?.realName),
    channelName: (id) => data.channels.find((c) => c.id === id)?.name,
    users: data.people.map((p) => ({ id: p.id, name: p.realName })),
    channels: data.channels.map((c) => ({ id: c.id, name: c.name })),
    fileUrl: (id) => `/sandbox/files/${encodeURIComponent(id)}`,
  };
}

const initials = (name: string) =>
  name
    .split(/\s+/)
    .map((w) => w[0] ?? '')
    .join('')
    .slice(0, 2)
    .toUpperCase();

/** "9:05 AM" in the viewer's zone. */
function timeOfDay(ts: string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-US', { timeZone, hour: 'numeric', minute: '2-digit' }).format(new Date(Number(ts) * 1000));
}

/** "Monday, November 30" in the viewer's zone: the day separators. */
function dayLabel(ts: string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'long', month: 'long', day: 'numeric', year: 'numeric' }).format(new Date(Number(ts) * 1000));
}

/** The sandbox clock as a person reads it: "Mon, Nov 30, 9:00 AM (New York)". */
export function clockLabel(now: Date, timeZone: string, city: string): string {
  const text = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' }).format(now);
  return `${text} (${city})`;
}

/** `YYYY-MM-DDTHH:MM` in `timeZone`: the value of the clock's datetime-local input. */
export function localInputValue(now: Date, timeZone: string): string {
  const local = new TZDate(now.getTime(), timeZone);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${local.getFullYear()}-${pad(local.getMonth() + 1)}-${pad(local.getDate())}T${pad(local.getHours())}:${pad(local.getMinutes())}`;
}

function author(message: StoredMessage, data: PageData): { name: string; avatar: string; app: boolean } {
  if (message.user === SANDBOX_BOT.userId) return { name: SANDBOX_BOT.name, avatar: 'SP', app: true };
  if (message.user === SLACKBOT_ID) return { name: 'Slackbot', avatar: 'SB', app: true };
  const person = data.people.find((p) => p.id === message.user);
  return { name: person?.realName ?? message.user, avatar: initials(person?.realName ?? '?'), app: false };
}

function renderMessage(message: StoredMessage, workspace: Workspace, data: PageData, viewer: SandboxPerson, inThread: boolean): string {
  const who = author(message, data);
  const ctx = renderContext(data);
  const replies = inThread ? 0 : workspace.replyCount(message.channel, message.ts);
  const ephemeral = message.ephemeralTo !== undefined;
  const body = renderMessageBody({ text: message.text, blocks: message.blocks as unknown[] | undefined, files: message.files }, ctx);
  return `<article class="msg${ephemeral ? ' msg-ephemeral' : ''}" data-channel="${escapeHtml(message.channel)}" data-ts="${escapeHtml(message.ts)}">
  <div class="avatar${who.app ? ' avatar-app' : ''}" aria-hidden="true">${escapeHtml(who.avatar)}</div>
  <div class="msg-main">
    <div class="msg-head"><span class="msg-author">${escapeHtml(who.name)}</span>${who.app ? '<span class="app-badge">APP</span>' : ''}<time datetime="${new Date(Number(message.ts) * 1000).toISOString()}">${timeOfDay(message.ts, viewer.tz)}</time>${message.edited ? '<span class="msg-edited">(edited)</span>' : ''}</div>
    <div class="msg-body">${body}</div>
    ${ephemeral ? '<div class="ephemeral-note"><span aria-hidden="true">👁</span> Only visible to you</div>' : ''}
    ${replies > 0 ? `<button type="button" class="thread-link" data-open-thread="${escapeHtml(message.ts)}">${replies} ${replies === 1 ? 'reply' : 'replies'}</button>` : ''}
  </div>
</article>`;
}

function messageList(messages: StoredMessage[], workspace: Workspace, data: PageData, viewer: SandboxPerson, inThread: boolean): string {
  const parts: string[] = [];
  let lastDay = '';
  for (const message of messages) {
    const day = dayLabel(message.ts, viewer.tz);
    if (!inThread && day !== lastDay) {
      parts.push(`<div class="day-divider" role="separator"><span>${escapeHtml(day)}</span></div>`);
      lastDay = day;
    }
    parts.push(renderMessage(message, workspace, data, viewer, inThread));
  }
  return parts.join('\n');
}

/** The conversation's id in the workspace for a location (the app's Messages tab is the person's DM with the bot). */
export function conversationId(location: Location): string {
  return location.conv === APP_CONVERSATION ? dmChannelId(location.as) : location.conv;
}

export interface Regions {
  title: string;
  body: string;
  thread: string | null;
  modal: { key: string; html: string } | null;
  composer: { enabled: boolean; placeholder: string };
}

/** Everything the page shows for one person at one location. */
export function renderRegions(workspace: Workspace, data: PageData, location: Location): Regions {
  const viewer = data.people.find((p) => p.id === location.as) ?? data.people[0]!;
  const ctx = renderContext(data);
  const channel = data.channels.find((c) => c.id === location.conv);
  const isApp = location.conv === APP_CONVERSATION;
  const conv = conversationId({ ...location, as: viewer.id });

  let title: string;
  if (isApp) {
    const tab = (name: 'home' | 'messages', label: string) =>
      `<button type="button" role="tab" class="tab${location.tab === name ? ' tab-active' : ''}" aria-selected="${location.tab === name}" data-tab="${name}">${label}</button>`;
    title = `<div class="conv-title"><span class="avatar avatar-app avatar-small" aria-hidden="true">SP</span><h1>${escapeHtml(SANDBOX_BOT.name)}</h1></div><div class="tabs" role="tablist">${tab('home', 'Home')}${tab('messages', 'Messages')}</div>`;
  } else {
    title = `<div class="conv-title"><h1># ${escapeHtml(channel?.name ?? location.conv)}</h1><span class="conv-topic">${escapeHtml(channel?.topic ?? '')}</span></div>`;
  }

  let body: string;
  if (isApp && location.tab === 'home') {
    const home = workspace.homeViews.get(viewer.id);
    body = home
      ? `<section class="home-view" data-view-id="${escapeHtml(home.id)}" aria-label="Home tab">${viewFailure(home)}${renderView(home.view, ctx, {}).body}</section>`
      : '<p class="empty">Opening the Home tab…</p>';
  } else {
    const messages = workspace.visibleMessages(conv, viewer.id);
    body = messages.length
      ? messageList(messages, workspace, data, viewer, false)
      : `<p class="empty">${isApp ? 'This is your direct message with Sales Pulse. Try <code>/my-stats</code>.' : `This is the very beginning of <b>#${escapeHtml(channel?.name ?? '')}</b>. Try <code>/log-call Acme 15m #connected</code>.`}</p>`;
  }

  let thread: string | null = null;
  if (location.thread && !(isApp && location.tab === 'home')) {
    const messages = workspace.thread(conv, location.thread, viewer.id);
    if (messages.length) {
      thread = `<header class="thread-head"><h2>Thread</h2><button type="button" class="icon-button" data-close-thread aria-label="Close thread">×</button></header><div class="thread-messages">${messageList(messages, workspace, data, viewer, true)}</div>`;
    }
  }

  const top = workspace.topModal(viewer.id);
  const modal = top ? { key: `${top.id}:${top.hash}:${JSON.stringify(top.errors ?? {})}`, html: renderModal(top, data) } : null;
  const composing = !(isApp && location.tab === 'home');
  return {
    title,
    body,
    thread,
    modal,
    composer: { enabled: composing, placeholder: isApp ? 'Message Sales Pulse (type / for commands)' : `Message #${channel?.name ?? ''} (type / for commands)` },
  };
}

function viewFailure(view: StoredView): string {
  const problem = view.errors?.[MODAL_ERROR_KEY];
  return problem ? `<div class="modal-alert" role="alert">${escapeHtml(problem)}</div>` : '';
}

function renderModal(stored: StoredView, data: PageData): string {
  const { [MODAL_ERROR_KEY]: _modalError, ...errors } = stored.errors ?? {};
  const view = renderView(stored.view, renderContext(data), { errors });
  const canGoBack = stored.previousViewId !== null;
  return `<div class="modal-backdrop">
<form class="modal" role="dialog" aria-modal="true" aria-labelledby="modal-title" data-view-id="${escapeHtml(stored.id)}" novalidate>
  <header class="modal-head">${canGoBack ? '<button type="button" class="icon-button" data-modal-close aria-label="Back">←</button>' : ''}<h2 id="modal-title">${view.title}</h2><button type="button" class="icon-button" data-modal-close aria-label="Close">×</button></header>
  ${viewFailure(stored)}
  <div class="modal-body">${view.body}</div>
  <footer class="modal-foot"><button type="button" class="bk-button" data-modal-close>${view.close || 'Cancel'}</button>${view.submit ? `<button type="submit" class="bk-button bk-primary">${view.submit}</button>` : ''}</footer>
</form></div>`;
}

/** The page itself: the regions are filled in by the page's script from /sandbox/ui. */
export function renderShell(data: PageData): string {
  const person = (p: SandboxPerson) =>
    `<option value="${escapeHtml(p.id)}">${escapeHtml(p.realName)} · ${escapeHtml(p.role === 'rep' ? 'rep' : p.role)} · ${escapeHtml(p.city)}</option>`;
  const channel = (c: SandboxChannel) =>
    `<li><a href="#" class="nav-item" data-conv="${escapeHtml(c.id)}"><span aria-hidden="true">#</span> ${escapeHtml(c.name)}</a></li>`;
  const boot = {
    people: data.people.map((p) => ({ id: p.id, name: p.realName, role: p.role, city: p.city, tz: p.tz })),
    channels: data.channels,
    commands: data.commands.map((c) => ({ command: c.command, description: c.description, usage: c.usage_hint ?? '' })),
    shortcuts: data.shortcuts.map((s) => ({ name: s.name, callbackId: s.callback_id, description: s.description })),
  };
  // </script> inside JSON would end the script element: escape '<' in the embedded JSON.
  const bootJson = JSON.stringify(boot).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sales Pulse sandbox</title>
<link rel="stylesheet" href="/sandbox/assets/blocks.css">
<link rel="stylesheet" href="/sandbox/assets/page.css">
</head>
<body>
<div class="sandbox-banner" role="note"><b>Local sandbox.</b> A Slack-like workspace on this machine, with the real Sales Pulse bot behind it. Nothing here reaches Slack. To connect a real Slack workspace, see “Connect to Slack” in README.md.</div>
<div class="app">
  <nav class="sidebar" aria-label="Workspace">
    <div class="team-name">${escapeHtml(SANDBOX_TEAM_NAME)}</div>
    <label class="who"><span>Acting as</span><select id="person" aria-label="Acting as">${data.people.map(person).join('')}</select></label>
    <h2 class="nav-heading">Channels</h2>
    <ul class="nav-list">${data.channels.map(channel).join('')}</ul>
    <h2 class="nav-heading">Apps</h2>
    <ul class="nav-list"><li><a href="#" class="nav-item" data-conv="${APP_CONVERSATION}"><span class="avatar avatar-app avatar-tiny" aria-hidden="true">SP</span> Sales Pulse</a></li></ul>
    <section class="controls" aria-label="Sandbox controls">
      <h2 class="nav-heading">Sandbox</h2>
      <p class="clock"><span aria-hidden="true">🕘</span> <span id="clock-label">…</span></p>
      <form id="clock-form" class="clock-form">
        <label for="clock-input">Set the clock (${escapeHtml(data.timeZone)})</label>
        <div class="row"><input id="clock-input" type="datetime-local" required><button type="submit" class="ctl">Set</button></div>
      </form>
      <div class="ctl-grid">
        <button type="button" class="ctl" data-clock-preset="next-monday-0900" title="The weekly leaderboard's slot">Next Monday 09:00</button>
        <button type="button" class="ctl" data-clock-preset="next-friday-1600" title="The weekly digests' slot">Next Friday 16:00</button>
        <button type="button" class="ctl" data-clock-preset="plus-1-hour">+1 hour</button>
        <button type="button" class="ctl" data-clock-preset="plus-1-day">+1 day</button>
        <button type="button" class="ctl" data-clock-reset>Real time</button>
        <button type="button" class="ctl" id="run-due">Run what's due</button>
      </div>
      <button type="button" class="ctl ctl-wide" id="load-demo">Load demo data</button>
      <p id="notice" class="notice" role="status" aria-live="polite"></p>
    </section>
  </nav>
  <main class="conversation" aria-live="polite">
    <header class="conv-head" id="conv-head"></header>
    <div class="messages" id="messages" tabindex="-1"></div>
    <form class="composer" id="composer" autocomplete="off">
      <div class="completions" id="completions" role="listbox" aria-label="Slash commands" hidden></div>
      <div class="composer-row">
        <button type="button" class="icon-button" id="shortcuts-button" aria-haspopup="menu" aria-expanded="false" title="Shortcuts">⚡</button>
        <label for="composer-input" class="visually-hidden">Message</label>
        <textarea id="composer-input" rows="1" placeholder="Message" aria-autocomplete="list" aria-controls="completions"></textarea>
        <button type="submit" class="send" aria-label="Send">Send</button>
      </div>
      <div class="shortcuts-menu" id="shortcuts-menu" role="menu" hidden>${data.shortcuts
        .map((s) => `<button type="button" role="menuitem" data-shortcut="${escapeHtml(s.callback_id)}"><b>${escapeHtml(s.name)}</b><span>${escapeHtml(s.description)}</span></button>`)
        .join('')}</div>
      <p class="composer-hint" id="composer-hint"></p>
    </form>
  </main>
  <aside class="thread" id="thread" aria-label="Thread" hidden></aside>
</div>
<div id="modal-root"></div>
<script id="boot" type="application/json">${bootJson}</script>
<script src="/sandbox/assets/client.js" defer></script>
</body>
</html>`;
}
