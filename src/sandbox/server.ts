/**
 * The sandbox page's HTTP routes, served by the sandbox's Web API server beside /api/: the page, its
 * assets, the regions it shows (/sandbox/ui), live updates (server-sent events on /sandbox/stream), the
 * files the bot uploaded, and what a person does (/sandbox/api/…), turned into Slack requests by
 * PeopleActions. Listens on 127.0.0.1 only.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { Logger } from '../lib/logger.js';
import { packagePath } from '../lib/package-root.js';
import { CLOCK_PRESETS, localDateTimeInstant, presetInstant, type SandboxClock } from './clock.js';
import { APP_CONVERSATION, clockLabel, conversationId, localInputValue, renderRegions, renderShell, type PageData } from './page.js';
import { PeopleActions, SandboxRequestError } from './people-actions.js';
import { BadRequest, readBody } from './api-http.js';
import type { Workspace } from './workspace.js';

const ASSETS: Record<string, { file: string; type: string }> = {
  'client.js': { file: packagePath('src/sandbox/assets/client.js'), type: 'text/javascript; charset=utf-8' },
  'page.css': { file: packagePath('src/sandbox/assets/page.css'), type: 'text/css; charset=utf-8' },
  'blocks.css': { file: packagePath('src/sandbox/render/blocks.css'), type: 'text/css; charset=utf-8' },
};


/** What the page's controls do beyond Slack: provided by whoever runs the bot (see start.ts). */
export interface SandboxControls {
  /** Resolves when the bot answers requests; the page says "starting" until then. */
  ready(): boolean;
  /** One scheduler tick at the sandbox clock's now; a line saying what ran. */
  runDue(): Promise<string>;
  /** Fill the sandbox with demo history; a line saying what was loaded. */
  loadDemo(): Promise<string>;
}

export interface PageRoutesOptions {
  workspace: Workspace;
  data: PageData;
  actions: PeopleActions;
  clock: SandboxClock;
  controls: SandboxControls;
  logger: Logger;
}

const MAX_BODY_BYTES = 1024 * 1024;

const person = z.string().regex(/^U[A-Z0-9]+$/);
const conversation = z.string().regex(/^([CDG][A-Z0-9]+|app)$/);
const formInputs = z
  .array(z.object({ blockId: z.string().max(255), actionId: z.string().max(255), values: z.array(z.string().max(10_000)).max(200) }))
  .max(100);

const requests = {
  command: z.object({ as: person, conv: conversation, text: z.string().min(1).max(4000) }),
  message: z.object({ as: person, conv: conversation, text: z.string().min(1).max(40_000), thread: z.string().optional() }),
  action: z.object({
    as: person,
    conv: conversation.optional(),
    messageTs: z.string().optional(),
    viewId: z.string().optional(),
    blockId: z.string().max(255),
    actionId: z.string().max(255),
    values: z.array(z.string().max(2000)).max(100),
    inputs: formInputs.default([]),
  }),
  submit: z.object({ as: person, viewId: z.string(), inputs: formInputs }),
  /** Typing in an external_select: its options, from the app (answered with `options`, not a notice). */
  suggest: z.object({ as: person, viewId: z.string(), blockId: z.string().max(255), actionId: z.string().max(255), value: z.string().max(2000) }),
  close: z.object({ as: person, viewId: z.string() }),
  home: z.object({ as: person }),
  shortcut: z.object({ as: person, callbackId: z.string().max(255), conv: conversation }),
  clock: z.union([z.object({ preset: z.enum(CLOCK_PRESETS) }), z.object({ at: z.string() }), z.object({ reset: z.literal(true) })]),
  'run-due': z.object({}),
  demo: z.object({}),
};

type Verb = keyof typeof requests;

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  let body: Buffer;
  try {
    body = await readBody(req, MAX_BODY_BYTES);
  } catch (error) {
    if (error instanceof BadRequest) throw new SandboxRequestError('The request is too large');
    throw error;
  }
  try {
    return JSON.parse(body.toString('utf8') || '{}');
  } catch {
    throw new SandboxRequestError('The request is not JSON');
  }
}

/** The page's routes, for the Web API server's `routes` option. */
export function pageRoutes(opts: PageRoutesOptions): (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean> {
  const { workspace, data, actions, clock, controls, logger } = opts;
  const shell = renderShell(data);
  const admin = data.people[0]!;
  const assetCache = new Map<string, Buffer>();

  const clockState = () => {
    const now = clock.now();
    const workspaceCity = data.people.find((p) => p.tz === data.timeZone)?.city ?? data.timeZone;
    return { iso: now.toISOString(), label: clockLabel(now, data.timeZone, workspaceCity), input: localInputValue(now, data.timeZone), moved: clock.offsetMs !== 0 };
  };

  async function act(verb: Verb, body: unknown): Promise<string | undefined> {
    switch (verb) {
      case 'command': {
        const r = requests.command.parse(body);
        await actions.command(r.as, conversationFor(r.as, r.conv), r.text);
        return undefined;
      }
      case 'message': {
        const r = requests.message.parse(body);
        actions.postMessage(r.as, conversationFor(r.as, r.conv), r.text, r.thread);
        return undefined;
      }
      case 'action': {
        const r = requests.action.parse(body);
        if (r.viewId) await actions.viewAction(r.as, { viewId: r.viewId, blockId: r.blockId, actionId: r.actionId, values: r.values, inputs: r.inputs });
        else if (r.conv && r.messageTs) {
          await actions.messageAction(r.as, { channel: conversationFor(r.as, r.conv), messageTs: r.messageTs, blockId: r.blockId, actionId: r.actionId, values: r.values });
        } else throw new SandboxRequestError('An action needs a message or a view');
        return undefined;
      }
      case 'submit': {
        const r = requests.submit.parse(body);
        await actions.submitView(r.as, r.viewId, r.inputs);
        return undefined;
      }
      case 'close': {
        const r = requests.close.parse(body);
        await actions.closeView(r.as, r.viewId);
        return undefined;
      }
      case 'home': {
        const r = requests.home.parse(body);
        await actions.openHome(r.as);
        return undefined;
      }
      case 'shortcut': {
        const r = requests.shortcut.parse(body);
        await actions.shortcut(r.as, r.callbackId, conversationFor(r.as, r.conv));
        return undefined;
      }
      case 'clock': {
        const r = requests.clock.parse(body);
        if ('reset' in r) clock.reset();
        else if ('preset' in r) clock.set(presetInstant(r.preset, clock.now(), data.timeZone));
        else {
          const at = localDateTimeInstant(r.at, data.timeZone);
          if (!at) throw new SandboxRequestError(`“${r.at}” is not a date and time like 2026-12-07T09:00`);
          clock.set(at);
        }
        workspace.changed({ kind: 'workspace' });
        // Moving the clock is how a person sees scheduled posts arrive: run what became due.
        const ran = await controls.runDue();
        return `Clock set to ${clockState().label}. ${ran}`;
      }
      case 'run-due':
        return controls.runDue();
      case 'suggest':
        throw new SandboxRequestError('Suggestions are answered with options (see the POST route)');
      case 'demo': {
        const loaded = await controls.loadDemo();
        workspace.changed({ kind: 'workspace' });
        return loaded;
      }
    }
  }

  function ui(url: URL): unknown {
    const as = url.searchParams.get('as') ?? admin.id;
    const known = data.people.some((p) => p.id === as) ? as : admin.id;
    const conv = url.searchParams.get('conv') ?? data.channels[0]!.id;
    const tab = url.searchParams.get('tab') === 'home' ? 'home' : 'messages';
    const thread = url.searchParams.get('thread') ?? undefined;
    const validConv = conv === APP_CONVERSATION || data.channels.some((c) => c.id === conv) ? conv : data.channels[0]!.id;
    return { version: workspace.version, ready: controls.ready(), clock: clockState(), ...renderRegions(workspace, data, { as: known, conv: validConv, tab, thread }) };
  }

  function stream(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write(`retry: 1000\n\nevent: change\ndata: ${workspace.version}\n\n`);
    let pending: NodeJS.Timeout | undefined;
    // Many changes in a burst (a board and its uploads) become one notice.
    const off = workspace.onChange(() => {
      if (pending) return;
      pending = setTimeout(() => {
        pending = undefined;
        res.write(`event: change\ndata: ${workspace.version}\n\n`);
      }, 30);
    });
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 20_000);
    heartbeat.unref();
    req.on('close', () => {
      off();
      clearInterval(heartbeat);
      if (pending) clearTimeout(pending);
    });
  }

  function file(res: ServerResponse, id: string, download: boolean): void {
    const stored = workspace.files.get(id);
    const bytes = stored ? workspace.readFile(id) : undefined;
    if (!stored || !bytes) return sendJson(res, 404, { ok: false, error: 'file_not_found' });
    const safeName = stored.name.replace(/[^\w.-]+/g, '_');
    res.writeHead(200, {
      'content-type': stored.mimetype,
      'content-length': bytes.length,
      'content-disposition': `${download || !stored.mimetype.startsWith('image/') ? 'attachment' : 'inline'}; filename="${safeName}"`,
      'x-content-type-options': 'nosniff',
      'cache-control': 'private, max-age=3600',
    });
    res.end(bytes);
  }

  function asset(res: ServerResponse, name: string): boolean {
    const spec = ASSETS[name];
    if (!spec) return false;
    let bytes = assetCache.get(name);
    if (!bytes) {
      bytes = readFileSync(spec.file);
      assetCache.set(name, bytes);
    }
    res.writeHead(200, { 'content-type': spec.type, 'cache-control': 'no-cache' });
    res.end(bytes);
    return true;
  }

  return async (req, res, url) => {
    const path = url.pathname;
    // DNS rebinding: a foreign name resolving to 127.0.0.1 sends its own Host (and a matching Origin).
    if (!/^(127\.0\.0\.1|localhost)(:\d+)?$/.test(req.headers.host ?? '')) {
      sendJson(res, 403, { ok: false, error: 'The sandbox answers only at 127.0.0.1 or localhost' });
      return true;
    }
    if (req.method === 'GET') {
      if (path === '/' || path === '/index.html') {
        res.writeHead(200, {
          'content-type': 'text/html; charset=utf-8',
          'cache-control': 'no-store',
          // Only this page's own script and styles; no inline script runs (the boot data is JSON, not script).
          'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'",
        });
        res.end(shell);
        return true;
      }
      if (path === '/healthz') {
        sendJson(res, 200, { status: 'ok', sandbox: true, bot: controls.ready() ? 'ready' : 'starting' });
        return true;
      }
      if (path.startsWith('/sandbox/assets/')) return asset(res, path.slice('/sandbox/assets/'.length));
      if (path === '/sandbox/ui') {
        sendJson(res, 200, ui(url));
        return true;
      }
      if (path === '/sandbox/stream') {
        stream(req, res);
        return true;
      }
      if (path.startsWith('/sandbox/files/')) {
        file(res, decodeURIComponent(path.slice('/sandbox/files/'.length)), url.searchParams.has('download'));
        return true;
      }
      return false;
    }
    if (req.method === 'POST' && path.startsWith('/sandbox/api/')) {
      const verb = path.slice('/sandbox/api/'.length);
      if (!(verb in requests)) {
        sendJson(res, 404, { ok: false, error: `No such sandbox action: ${verb}` });
        return true;
      }
      // Same-origin only: another site open in the browser must not act in the sandbox.
      const origin = req.headers.origin;
      if (origin !== undefined && origin !== `http://${req.headers.host}`) {
        sendJson(res, 403, { ok: false, error: 'Cross-origin requests are refused' });
        return true;
      }
      if (!controls.ready() && verb !== 'clock') {
        sendJson(res, 503, { ok: false, error: 'Sales Pulse is still starting; try again in a moment.' });
        return true;
      }
      try {
        const body = await readJson(req);
        if (verb === 'suggest') {
          const r = requests.suggest.parse(body);
          sendJson(res, 200, { ok: true, options: await actions.suggest(r.as, { viewId: r.viewId, blockId: r.blockId, actionId: r.actionId, value: r.value }) });
          return true;
        }
        const notice = await act(verb as Verb, body);
        sendJson(res, 200, { ok: true, ...(notice ? { notice } : {}) });
      } catch (error) {
        if (error instanceof z.ZodError || error instanceof SandboxRequestError) {
          const issue = error instanceof z.ZodError ? error.issues[0] : undefined;
          const problem = issue ? `That request was not understood: ${issue.path.join('.') || 'the body'} ${issue.message}.` : (error as Error).message;
          sendJson(res, 400, { ok: false, error: problem });
        } else {
          logger.error({ err: error, verb }, 'sandbox action failed');
          sendJson(res, 500, { ok: false, error: 'Something went wrong in the sandbox; the log has the details.' });
        }
      }
      return true;
    }
    return false;
  };
}

/** The page names the app's DM "app"; in the workspace it is the person's DM with the bot. */
const conversationFor = (as: string, conv: string) => conversationId({ as, conv, tab: 'messages' });
