/**
 * What the metrics see of the requests Slack sends (metrics.ts counts them): which listener a command,
 * interaction or event went to, with label values bounded by what the app registers, and how long its ack took.
 *
 * Wired by app.ts: recordListenerNames before the features register, the middleware first among Bolt's global
 * middleware, ackTiming on the HTTP server's requests.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { App, Middleware, AnyMiddlewareArgs } from '@slack/bolt';
import { observeApiCalls } from '../slack/clients.js';
import type { Metrics, RequestKind } from './metrics.js';

/** The kinds of listener Bolt registers, each with its own names. */
export type ListenerKind = 'command' | 'action' | 'view' | 'shortcut' | 'event' | 'options';

/** The label of anything no listener is registered for: a name the app does not know stays out of the metrics. */
export const OTHER = 'other';

/**
 * The family of an id built with a variable part (`home_undo_activity_42`, `settings_open:teams`): the id without
 * it (`home_undo_activity`, `settings_open`), so a label names the kind of button, never one row.
 */
export function idFamily(id: string): string {
  return id.replace(/:.*$/s, '').replace(/[_-]?\d+$/, '') || OTHER;
}

/** The names the app listens for, by kind: exact names, and patterns (a family per match). */
export class ListenerNames {
  private readonly exact = new Map<ListenerKind, Set<string>>();
  private readonly patterns = new Map<ListenerKind, RegExp[]>();
  /** Kinds with a listener for any name (a constraint object without the id): every name is its family there. */
  private readonly anyName = new Set<ListenerKind>();

  add(kind: ListenerKind, constraint: string | RegExp | undefined): void {
    if (constraint === undefined) this.anyName.add(kind);
    else if (typeof constraint === 'string') this.exact.set(kind, (this.exact.get(kind) ?? new Set()).add(constraint));
    else this.patterns.set(kind, [...(this.patterns.get(kind) ?? []), new RegExp(constraint.source, constraint.flags.replace(/[gy]/g, ''))]);
  }

  /** `name` when a listener is registered for it exactly, its family when a pattern matches it, else 'other'. */
  label(kind: ListenerKind, name: string): string {
    if (this.exact.get(kind)?.has(name)) return name;
    if (this.anyName.has(kind) || this.patterns.get(kind)?.some((p) => p.test(name))) return idFamily(name);
    return OTHER;
  }
}

type Registrar = (...args: unknown[]) => unknown;

/** The id a constraint object names (action_id, callback_id), if any. */
function constraintId(constraint: unknown, field: 'action_id' | 'callback_id'): string | RegExp | undefined {
  if (typeof constraint === 'string' || constraint instanceof RegExp) return constraint;
  const id = (constraint as Record<string, unknown> | undefined)?.[field];
  return typeof id === 'string' || id instanceof RegExp ? id : undefined;
}

/**
 * Note the name of every listener registered on `app` from now on (call it before the features register): the one
 * list of what the app handles, so a label value is one of them or 'other'. Wraps the instance's registration
 * methods only; what they register is unchanged.
 */
export function recordListenerNames(app: App): ListenerNames {
  const names = new ListenerNames();
  const wrap = (method: 'command' | 'event' | 'action' | 'view' | 'shortcut' | 'options', kind: ListenerKind, id: (first: unknown) => string | RegExp | undefined) => {
    const target = app as unknown as Record<string, Registrar>;
    const register = target[method]!.bind(app);
    target[method] = (...args: unknown[]) => {
      names.add(kind, id(args[0]));
      return register(...args);
    };
  };
  wrap('command', 'command', (c) => constraintId(c, 'callback_id'));
  wrap('event', 'event', (c) => constraintId(c, 'callback_id'));
  wrap('action', 'action', (c) => constraintId(c, 'action_id'));
  wrap('options', 'options', (c) => constraintId(c, 'action_id'));
  wrap('view', 'view', (c) => constraintId(c, 'callback_id'));
  wrap('shortcut', 'shortcut', (c) => constraintId(c, 'callback_id'));
  return names;
}

/** What one request from Slack is: its kind for the ack latency, and the listener kind and name it goes to. */
export interface DescribedRequest {
  kind: RequestKind;
  listener?: ListenerKind;
  name?: string;
}

type Body = Record<string, unknown> & { type?: unknown };
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Reads the few fields Bolt routes on (the request guard has checked they are there). */
export function describeRequest(body: unknown): DescribedRequest {
  const b = (body ?? {}) as Body;
  if (typeof b.command === 'string') return { kind: 'command', listener: 'command', name: b.command };
  switch (b.type) {
    case 'event_callback':
      return { kind: 'event', listener: 'event', name: str((b.event as Body | undefined)?.type) };
    case 'block_actions':
      return { kind: 'interaction', listener: 'action', name: str((b.actions as Body[] | undefined)?.[0]?.action_id) };
    case 'interactive_message':
      return { kind: 'interaction', listener: 'action', name: str(b.callback_id) };
    case 'view_submission':
    case 'view_closed':
      return { kind: 'interaction', listener: 'view', name: str((b.view as Body | undefined)?.callback_id) };
    case 'shortcut':
    case 'message_action':
      return { kind: 'interaction', listener: 'shortcut', name: str(b.callback_id) };
    case 'block_suggestion':
      return { kind: 'interaction', listener: 'options', name: str(b.action_id) };
    default:
      return { kind: 'interaction' };
  }
}

/** Set on a /slack/events request by ackTiming, filled in by the middleware once Bolt has parsed the body. */
export interface RequestNote {
  kind?: RequestKind;
}

/** The context property (Bolt's customPropertiesExtractor) the note travels in. */
export const REQUEST_NOTE_PROPERTY = 'metricsNote';

/**
 * The first global middleware: counts each command, interaction and event by its listener's name and outcome
 * (error: the listener threw, the app's error handler answered), notes the request's kind for the ack latency,
 * and reports the Web API calls of the client Bolt hands the handlers (once per client: it is marked).
 */
export function countRequests(metrics: Metrics, names: ListenerNames): Middleware<AnyMiddlewareArgs> {
  return async ({ body, client, context, next }) => {
    observeApiCalls(client, metrics.apiCall);
    const request = describeRequest(body);
    const note = (context as Record<string, unknown>)[REQUEST_NOTE_PROPERTY] as RequestNote | undefined;
    if (note) note.kind = request.kind;
    const type = request.listener && request.name !== undefined ? names.label(request.listener, request.name) : OTHER;
    try {
      await next();
    } catch (error) {
      metrics.handled(request.kind, type, 'error');
      throw error;
    }
    metrics.handled(request.kind, type, 'ok');
  };
}

/**
 * The ack latency of requests to `path` (HTTP mode): `request` is called for each request the server receives,
 * with its arrival on the monotonic clock; once Bolt has noted what it is (`note`, for the customPropertiesExtractor),
 * the time to its response's end is observed. Requests refused before Bolt (bad signature, replays) are not acks.
 */
export function ackTiming(metrics: Metrics, path: string) {
  const notes = new WeakMap<IncomingMessage, RequestNote>();
  return {
    request(req: IncomingMessage, res: ServerResponse, arrivedAt: number): void {
      if (req.url !== path && !req.url?.startsWith(`${path}?`)) return;
      const note: RequestNote = {};
      notes.set(req, note);
      res.once('finish', () => {
        if (note.kind) metrics.acknowledged(note.kind, (performance.now() - arrivedAt) / 1000);
      });
    },
    note: (req: IncomingMessage): RequestNote | undefined => notes.get(req),
  };
}
