// The sandbox page's script: it shows the regions the server renders (/sandbox/ui), refreshes them when the
// workspace changes (server-sent events on /sandbox/stream), and turns what the person does into requests to
// /sandbox/api/…, which the server sends to the bot as Slack would. Plain browser JavaScript, no build step.
(() => {
  'use strict';
  const boot = JSON.parse(document.getElementById('boot').textContent);
  const $ = (id) => document.getElementById(id);
  const els = {
    person: $('person'),
    head: $('conv-head'),
    messages: $('messages'),
    thread: $('thread'),
    modalRoot: $('modal-root'),
    composer: $('composer'),
    input: $('composer-input'),
    completions: $('completions'),
    hint: $('composer-hint'),
    notice: $('notice'),
    clockLabel: $('clock-label'),
    clockInput: $('clock-input'),
    shortcutsButton: $('shortcuts-button'),
    shortcutsMenu: $('shortcuts-menu'),
  };

  // ---------------------------------------------------------------------------------------------
  // where the person is: kept in the address (so a reload or a shared link comes back to it)

  const saved = new URLSearchParams(location.hash.slice(1));
  const state = {
    as: boot.people.some((p) => p.id === saved.get('as')) ? saved.get('as') : boot.people[0].id,
    conv: saved.get('conv') || boot.channels[0].id,
    tab: saved.get('tab') === 'messages' ? 'messages' : 'home',
    thread: saved.get('thread') || null,
    version: -1,
    modalKey: null,
    modalViewId: null,
    ready: false,
  };
  const onHome = () => state.conv === 'app' && state.tab === 'home';

  function remember() {
    const params = new URLSearchParams({ as: state.as, conv: state.conv, tab: state.tab });
    if (state.thread) params.set('thread', state.thread);
    history.replaceState(null, '', `#${params}`);
  }

  // ---------------------------------------------------------------------------------------------
  // talking to the server

  function notice(text, isError) {
    els.notice.textContent = text || '';
    els.notice.classList.toggle('notice-error', Boolean(isError));
  }

  async function post(verb, body) {
    let response;
    try {
      response = await fetch(`/sandbox/api/${verb}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    } catch {
      notice('The sandbox is not answering. Is npm start still running?', true);
      return undefined;
    }
    const answer = await response.json().catch(() => ({ ok: false, error: `HTTP ${response.status}` }));
    if (!answer.ok) notice(answer.error || 'That did not work.', true);
    else if (answer.notice) notice(answer.notice, false);
    scheduleRefresh();
    return answer;
  }

  let refreshing = false;
  let again = false;
  async function refresh() {
    if (refreshing) {
      again = true;
      return;
    }
    refreshing = true;
    try {
      const params = new URLSearchParams({ as: state.as, conv: state.conv, tab: state.tab });
      if (state.thread) params.set('thread', state.thread);
      const response = await fetch(`/sandbox/ui?${params}`, { cache: 'no-store' });
      if (response.ok) apply(await response.json());
    } catch {
      // The stream reconnects and asks again.
    } finally {
      refreshing = false;
      if (again) {
        again = false;
        void refresh();
      }
    }
  }

  let refreshTimer = null;
  function scheduleRefresh() {
    if (refreshTimer) return;
    refreshTimer = setTimeout(() => {
      refreshTimer = null;
      void refresh();
    }, 20);
  }

  function connect() {
    const events = new EventSource('/sandbox/stream');
    events.addEventListener('change', scheduleRefresh);
  }

  // ---------------------------------------------------------------------------------------------
  // showing what the server rendered

  function nearBottom(el) {
    return el.scrollHeight - el.scrollTop - el.clientHeight < 80;
  }

  let lastPlace = '';
  function apply(ui) {
    const place = `${state.as}|${state.conv}|${state.tab}`;
    const moved = place !== lastPlace;
    lastPlace = place;
    const stick = moved || nearBottom(els.messages);
    state.version = ui.version;
    state.ready = ui.ready;
    document.body.classList.toggle('starting', !ui.ready);
    els.clockLabel.textContent = ui.clock.label + (ui.clock.moved ? ' · moved' : '');
    if (document.activeElement !== els.clockInput) els.clockInput.value = ui.clock.input;
    els.head.innerHTML = ui.title;
    els.messages.innerHTML = ui.body;
    els.messages.classList.toggle('home', onHome());
    if (stick && !onHome()) els.messages.scrollTop = els.messages.scrollHeight;
    if (ui.thread) {
      els.thread.innerHTML = ui.thread;
      els.thread.hidden = false;
      const list = els.thread.querySelector('.thread-messages');
      if (list) list.scrollTop = list.scrollHeight;
    } else {
      els.thread.hidden = true;
      els.thread.innerHTML = '';
    }
    // The Home tab has no composer, as in Slack.
    els.composer.hidden = !ui.composer.enabled;
    els.input.placeholder = ui.composer.placeholder;
    for (const item of document.querySelectorAll('.nav-item')) {
      item.classList.toggle('nav-active', item.dataset.conv === state.conv);
      if (item.dataset.conv === state.conv) item.setAttribute('aria-current', 'page');
      else item.removeAttribute('aria-current');
    }
    applyModal(ui.modal);
  }

  function applyModal(modal) {
    if (!modal) {
      if (state.modalKey) {
        els.modalRoot.innerHTML = '';
        state.modalKey = null;
        state.modalViewId = null;
        els.input.focus();
      }
      return;
    }
    if (modal.key === state.modalKey) return;
    const form = els.modalRoot.querySelector('form.modal');
    // The same modal again (field errors, an update): keep what the person typed, as Slack does.
    const keep = form ? snapshot(form) : null;
    const sameView = form && modal.key.split(':')[0] === state.modalViewId;
    els.modalRoot.innerHTML = modal.html;
    state.modalKey = modal.key;
    const next = els.modalRoot.querySelector('form.modal');
    state.modalViewId = next ? next.dataset.viewId : null;
    if (next && sameView) for (const select of next.querySelectorAll('.bk-external select')) fillExternalSelect(select, suggestedOptions.get(select.name) || []);
    if (next && !sameView) suggestedOptions.clear();
    if (next && sameView && keep) restore(next, keep);
    const firstError = els.modalRoot.querySelector('.bk-has-error input, .bk-has-error textarea, .bk-has-error select');
    const first = firstError || els.modalRoot.querySelector('input, textarea, select, button[type=submit]');
    if (first) first.focus();
  }

  function snapshot(form) {
    const values = new Map();
    for (const el of form.querySelectorAll('input, textarea, select')) {
      if (!el.name) continue;
      if (el.type === 'radio' || el.type === 'checkbox') values.set(`${el.name}=${el.value}`, el.checked);
      else if (el.multiple) values.set(el.name, [...el.selectedOptions].map((o) => o.value));
      else values.set(el.name, el.value);
    }
    return values;
  }

  function restore(form, values) {
    for (const el of form.querySelectorAll('input, textarea, select')) {
      if (!el.name) continue;
      if (el.type === 'radio' || el.type === 'checkbox') {
        const key = `${el.name}=${el.value}`;
        if (values.has(key)) el.checked = values.get(key);
      } else if (el.multiple && values.has(el.name)) {
        const picked = values.get(el.name);
        for (const option of el.options) option.selected = picked.includes(option.value);
      } else if (values.has(el.name)) el.value = values.get(el.name);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Block Kit elements: what the person picked, in the form the server turns into Slack's payloads

  /** Every input element of a modal, grouped per block and action id: [{ blockId, actionId, values }]. */
  function collectInputs(root) {
    const groups = new Map();
    for (const el of root.querySelectorAll('[data-interactive="input"]')) {
      const key = `${el.dataset.blockId}\u0000${el.dataset.actionId}`;
      if (!groups.has(key)) groups.set(key, { blockId: el.dataset.blockId, actionId: el.dataset.actionId, values: [] });
      groups.get(key).values.push(...valuesOf(el));
    }
    return [...groups.values()];
  }

  function valuesOf(el) {
    if (el.tagName === 'FIELDSET' || el.tagName === 'DIV') {
      return [...el.querySelectorAll('input:checked')].map((i) => i.value);
    }
    if (el.type === 'radio' || el.type === 'checkbox') return el.checked ? [el.value] : [];
    if (el.tagName === 'SELECT') return [...el.selectedOptions].map((o) => o.value).filter((v) => v !== '');
    if (el.tagName === 'BUTTON' || el.tagName === 'A') return el.dataset.value !== undefined ? [el.dataset.value] : [];
    return el.value === '' ? [] : [el.value];
  }

  function confirmed(el) {
    if (!el.dataset.confirm) return true;
    try {
      const c = JSON.parse(el.dataset.confirm);
      return window.confirm([c.title, c.text].filter(Boolean).join('\n\n'));
    } catch {
      return true;
    }
  }

  /** A click or a pick on an element that dispatches an action, wherever it is (message, Home tab, modal). */
  function dispatchAction(el) {
    if (!confirmed(el)) return;
    const target = el.closest('[data-interactive]') || el;
    const source = target.tagName === 'INPUT' && (target.type === 'radio' || target.type === 'checkbox') ? target.closest('fieldset') || target : target;
    const base = { as: state.as, blockId: target.dataset.blockId, actionId: target.dataset.actionId, values: valuesOf(source.dataset && source.dataset.blockId ? source : target) };
    const form = el.closest('form.modal');
    const view = el.closest('[data-view-id]');
    const message = el.closest('article.msg');
    if (form) return post('action', { ...base, viewId: form.dataset.viewId, inputs: collectInputs(form) });
    if (view) return post('action', { ...base, viewId: view.dataset.viewId, inputs: collectInputs(view) });
    if (message) return post('action', { ...base, conv: message.dataset.channel, messageTs: message.dataset.ts });
    return undefined;
  }

  document.addEventListener('click', (event) => {
    const el = event.target.closest('button, a, [data-open-thread], [data-close-thread], [data-modal-close], .nav-item, [data-tab]');
    if (!el) return;
    if (el.matches('.nav-item')) {
      event.preventDefault();
      go(el.dataset.conv, el.dataset.conv === 'app' ? 'home' : 'messages');
      return;
    }
    if (el.dataset.tab) return go('app', el.dataset.tab);
    if (el.dataset.openThread) {
      state.thread = el.dataset.openThread;
      remember();
      return void refresh();
    }
    if (el.hasAttribute('data-close-thread')) {
      state.thread = null;
      remember();
      return void refresh();
    }
    if (el.hasAttribute('data-modal-close')) return closeModal();
    if (el.dataset.interactive === 'action' && (el.tagName === 'BUTTON' || el.tagName === 'A')) {
      // A link button opens its page and still tells the app, as Slack does.
      if (el.tagName !== 'A') event.preventDefault();
      return void dispatchAction(el);
    }
  });

  document.addEventListener('change', (event) => {
    const el = event.target;
    const holder = el.closest('[data-interactive]');
    if (!holder) return;
    if (holder.dataset.interactive === 'action' || holder.dataset.dispatch === 'true') void dispatchAction(el);
  });

  // ---------------------------------------------------------------------------------------------
  // external_select: as the person types in its search box, the sandbox asks the app for options (a block_suggestion)
  // and they fill the select under it. The last options per select are kept, so a re-rendered modal keeps them.

  const suggestedOptions = new Map(); // select name -> [{ value, text }]
  let suggestTimer = null;

  function fillExternalSelect(select, options) {
    const picked = select.value;
    const keep = [...select.options].filter((o) => o.value === '' || o.value === picked);
    select.replaceChildren(...keep);
    for (const option of options) {
      if (option.value === picked) continue;
      const el = document.createElement('option');
      el.value = option.value;
      el.textContent = option.text;
      select.append(el);
    }
  }

  async function suggest(search) {
    const form = search.closest('form.modal') || search.closest('[data-view-id]');
    const select = search.parentElement && search.parentElement.querySelector('select');
    if (!form || !select) return;
    const min = Number(search.dataset.minQueryLength || '3');
    if (search.value.length < min) return;
    let answer;
    try {
      const response = await fetch('/sandbox/api/suggest', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ as: state.as, viewId: form.dataset.viewId, blockId: search.dataset.suggestBlockId, actionId: search.dataset.suggestActionId, value: search.value }),
      });
      answer = await response.json();
    } catch {
      return notice('The sandbox is not answering. Is npm start still running?', true);
    }
    if (!answer || !answer.ok) return notice((answer && answer.error) || 'No suggestions.', true);
    const options = (answer.options || []).map((o) => ({ value: String(o.value), text: (o.text && o.text.text) || String(o.value) }));
    suggestedOptions.set(select.name, options);
    fillExternalSelect(select, options);
    notice(options.length ? `${options.length} suggestion${options.length === 1 ? '' : 's'}: pick one in the list.` : 'No matches.', false);
  }

  function suggestSoon(search) {
    clearTimeout(suggestTimer);
    suggestTimer = setTimeout(() => void suggest(search), 200);
  }

  document.addEventListener('input', (event) => {
    if (event.target.matches && event.target.matches('.bk-external-search')) suggestSoon(event.target);
  });
  document.addEventListener('focusin', (event) => {
    if (event.target.matches && event.target.matches('.bk-external-search') && event.target.value === '') suggestSoon(event.target);
  });

  // ---------------------------------------------------------------------------------------------
  // modals

  function closeModal() {
    const form = els.modalRoot.querySelector('form.modal');
    if (form) void post('close', { as: state.as, viewId: form.dataset.viewId });
  }

  els.modalRoot.addEventListener('submit', (event) => {
    event.preventDefault();
    const form = event.target.closest('form.modal');
    if (!form) return;
    const submit = form.querySelector('button[type=submit]');
    if (submit) submit.disabled = true;
    void post('submit', { as: state.as, viewId: form.dataset.viewId, inputs: collectInputs(form) }).finally(() => {
      if (submit) submit.disabled = false;
    });
  });

  document.addEventListener('keydown', (event) => {
    const form = els.modalRoot.querySelector('form.modal');
    if (!form) return;
    if (event.key === 'Escape') {
      event.preventDefault();
      closeModal();
    } else if (event.key === 'Tab') {
      // Keep the keyboard inside the modal.
      const focusable = [...form.querySelectorAll('button, input, select, textarea, a[href]')].filter((el) => !el.disabled);
      if (!focusable.length) return;
      const first = focusable[0];
      const last = focusable[focusable.length - 1];
      if (event.shiftKey && document.activeElement === first) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && document.activeElement === last) {
        event.preventDefault();
        first.focus();
      }
    }
  });

  // ---------------------------------------------------------------------------------------------
  // navigation and the person switcher

  function go(conv, tab) {
    state.conv = conv;
    state.tab = conv === 'app' ? tab : 'messages';
    state.thread = null;
    remember();
    void refresh();
    // Opening the Home tab is an event Slack sends every time.
    if (onHome()) void post('home', { as: state.as });
    if (!onHome()) els.input.focus();
  }

  els.person.value = state.as;
  els.person.addEventListener('change', () => {
    state.as = els.person.value;
    state.modalKey = null;
    els.modalRoot.innerHTML = '';
    notice('');
    go(state.conv, state.tab);
  });

  // ---------------------------------------------------------------------------------------------
  // the composer: slash commands with completion and usage hints from manifest.yml

  let choices = [];
  let chosen = 0;

  function showCompletions() {
    const text = els.input.value;
    const match = /^\/(\S*)$/.exec(text);
    const typed = /^(\/\S+)\s/.exec(text);
    const command = typed && boot.commands.find((c) => c.command === typed[1]);
    els.hint.textContent = command ? `${command.command} ${command.usage}` : '';
    if (!match) return hideCompletions();
    choices = boot.commands.filter((c) => c.command.startsWith(text));
    if (!choices.length) return hideCompletions();
    chosen = Math.min(chosen, choices.length - 1);
    els.completions.innerHTML = '';
    choices.forEach((c, i) => {
      const option = document.createElement('div');
      option.className = `completion${i === chosen ? ' completion-active' : ''}`;
      option.id = `completion-${i}`;
      option.setAttribute('role', 'option');
      option.setAttribute('aria-selected', String(i === chosen));
      const name = document.createElement('b');
      name.textContent = c.command;
      const usage = document.createElement('span');
      usage.className = 'completion-usage';
      usage.textContent = c.usage;
      const description = document.createElement('span');
      description.className = 'completion-description';
      description.textContent = c.description;
      option.append(name, usage, description);
      option.addEventListener('mousedown', (event) => {
        event.preventDefault();
        pick(i);
      });
      els.completions.append(option);
    });
    els.completions.hidden = false;
    els.input.setAttribute('aria-expanded', 'true');
    els.input.setAttribute('aria-activedescendant', `completion-${chosen}`);
  }

  function hideCompletions() {
    choices = [];
    chosen = 0;
    els.completions.hidden = true;
    els.input.setAttribute('aria-expanded', 'false');
    els.input.removeAttribute('aria-activedescendant');
  }

  function pick(i) {
    els.input.value = `${choices[i].command} `;
    hideCompletions();
    showCompletions();
    els.input.focus();
  }

  els.input.addEventListener('input', () => {
    chosen = 0;
    showCompletions();
  });

  els.input.addEventListener('keydown', (event) => {
    if (choices.length && !els.completions.hidden) {
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        chosen = (chosen + (event.key === 'ArrowDown' ? 1 : choices.length - 1)) % choices.length;
        return showCompletions();
      }
      if (event.key === 'Tab' || (event.key === 'Enter' && !event.shiftKey)) {
        event.preventDefault();
        return pick(chosen);
      }
      if (event.key === 'Escape') return hideCompletions();
    }
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      els.composer.requestSubmit();
    }
  });

  els.composer.addEventListener('submit', async (event) => {
    event.preventDefault();
    const text = els.input.value.trim();
    if (!text || els.composer.hidden) return;
    els.input.value = '';
    hideCompletions();
    els.hint.textContent = '';
    const conv = state.conv;
    const answer = text.startsWith('/') ? await post('command', { as: state.as, conv, text }) : await post('message', { as: state.as, conv, text });
    if (!answer || !answer.ok) els.input.value = text;
  });

  els.shortcutsButton.addEventListener('click', () => {
    const open = els.shortcutsMenu.hidden;
    els.shortcutsMenu.hidden = !open;
    els.shortcutsButton.setAttribute('aria-expanded', String(open));
    if (open) els.shortcutsMenu.querySelector('button')?.focus();
  });
  els.shortcutsMenu.addEventListener('click', (event) => {
    const item = event.target.closest('[data-shortcut]');
    if (!item) return;
    els.shortcutsMenu.hidden = true;
    els.shortcutsButton.setAttribute('aria-expanded', 'false');
    void post('shortcut', { as: state.as, callbackId: item.dataset.shortcut, conv: state.conv });
  });

  // ---------------------------------------------------------------------------------------------
  // the sandbox's own controls: the clock, what is due, demo data

  $('clock-form').addEventListener('submit', (event) => {
    event.preventDefault();
    notice('Moving the clock…');
    void post('clock', { at: els.clockInput.value });
  });
  for (const button of document.querySelectorAll('[data-clock-preset]')) {
    button.addEventListener('click', () => {
      notice('Moving the clock…');
      void post('clock', { preset: button.dataset.clockPreset });
    });
  }
  document.querySelector('[data-clock-reset]').addEventListener('click', () => void post('clock', { reset: true }));
  $('run-due').addEventListener('click', () => {
    notice('Running what is due…');
    void post('run-due', {});
  });
  $('load-demo').addEventListener('click', async (event) => {
    const button = event.currentTarget;
    button.disabled = true;
    notice('Loading six weeks of demo history…');
    await post('demo', {});
    button.disabled = false;
  });

  remember();
  connect();
  go(state.conv, state.tab);
})();
