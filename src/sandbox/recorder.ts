/**
 * What the sandbox's Web API was asked, for tests to assert on: every call recorded, `waitFor` a call still
 * to come, and failures injected into the next calls to a method.
 */
import type { Answer } from './api-http.js';
import { isObject, type Json } from './json-args.js';

export interface RecordedCall {
  /** Web API method name, or 'response_url' / 'file_upload' for those endpoints. */
  method: string;
  /** Arguments as received; JSON-valued form fields (blocks, view, attachments, ...) are parsed. */
  args: Json;
  /** Date.now() when the request arrived. */
  at: number;
  /** True when the fake answered with success (HTTP 200 and, for the Web API, `ok: true`). */
  ok: boolean;
  /** HTTP status the fake answered with. */
  status: number;
  /** Slack error code when refused (e.g. 'missing_scope', 'ratelimited', 'expired_url'). */
  error?: string;
  /** The body the fake answered with (parsed JSON for the Web API, text otherwise). */
  response?: unknown;
  /** For 'response_url' calls: the id the URL was made with. */
  responseUrlId?: string;
  /** The team of the token the call came with (for response_url, the team the URL was made for); undefined without a valid token. */
  teamId?: string;
}


export interface FailureSpec {
  /** Slack error code: answered as HTTP 200 `{ok:false, error}` (for response_url/file_upload: HTTP 400 with that text). */
  error?: string;
  /** HTTP status: 429 answers with a Retry-After header; 5xx answers with that status. */
  status?: number;
  /** Seconds for the Retry-After header of a 429. Default 1. */
  retryAfter?: number;
  /** How many consecutive calls fail. Default 1. */
  times?: number;
  /**
   * Web API methods: the call takes effect first (the message is posted, as Slack does when it fails only to
   * answer), then the failure is answered. Default false: refused before anything happens.
   */
  afterEffect?: boolean;
}

export interface DelaySpec {
  /** The call is handled at once (it takes effect and is recorded), its answer sent this much later. */
  ms: number;
  /** How many consecutive calls are answered late. Default 1. */
  times?: number;
}

export interface WaitForOptions {
  /** Also match calls the fake refused. By default only successful calls match. */
  includeFailed?: boolean;
  /** Only calls made with a token of this team. */
  teamId?: string;
}

interface PendingFailure extends FailureSpec {
  remaining: number;
}

interface PendingDelay {
  ms: number;
  remaining: number;
}

interface Waiter {
  method: string;
  predicate?: (call: RecordedCall) => boolean;
  includeFailed: boolean;
  teamId?: string;
  resolve: (call: RecordedCall) => void;
}

function matches(waiter: Pick<Waiter, 'method' | 'predicate' | 'includeFailed' | 'teamId'>, call: RecordedCall): boolean {
  if (call.method !== waiter.method || (!call.ok && !waiter.includeFailed)) return false;
  if (waiter.teamId !== undefined && call.teamId !== waiter.teamId) return false;
  try {
    return waiter.predicate ? waiter.predicate(call) : true;
  } catch {
    return false;
  }
}

function describeCall(call: RecordedCall, index: number): string {
  const outcome = call.ok ? 'ok' : `refused ${call.error ?? `HTTP ${call.status}`}`;
  const extra = !call.ok && isObject(call.response) && call.response.needed ? ` (needed ${call.response.needed})` : '';
  const shown = Object.fromEntries(
    Object.entries(call.args).map(([key, value]) => [key, Buffer.isBuffer(value) ? `<${value.length} bytes>` : value]),
  );
  let args = JSON.stringify(shown);
  if (args.length > 200) args = `${args.slice(0, 200)}…`;
  const team = call.teamId ? ` in ${call.teamId}` : '';
  return `  #${index + 1} ${call.method}: ${outcome}${extra}${team} ${args}`;
}

/** The calls one server received, the waiters for calls to come, and the failures queued for the next ones. */
export class CallRecorder {
  /** Every call, in arrival order (none kept when not recording; waiters still see them). */
  readonly calls: RecordedCall[] = [];
  private readonly waiters = new Set<Waiter>();
  private readonly failures = new Map<string, PendingFailure[]>();
  private readonly delays = new Map<string, PendingDelay[]>();
  /** method \u0001 teamId \u0001 status -> calls: what a benchmark reads when not every call is kept. */
  private readonly tally = new Map<string, number>();

  constructor(private readonly recording: boolean) {}

  record(call: RecordedCall): void {
    if (this.recording) this.calls.push(call);
    const key = `${call.method}\u0001${call.teamId ?? ''}\u0001${call.status}`;
    this.tally.set(key, (this.tally.get(key) ?? 0) + 1);
    for (const waiter of [...this.waiters]) {
      if (matches(waiter, call)) {
        this.waiters.delete(waiter);
        waiter.resolve(call);
      }
    }
  }

  callsTo(method: string, teamId?: string): RecordedCall[] {
    return this.calls.filter((call) => call.method === method && (teamId === undefined || call.teamId === teamId));
  }

  counts(): { method: string; teamId: string; status: number; count: number }[] {
    return [...this.tally].map(([key, count]) => {
      const [method, teamId, status] = key.split('\u0001');
      return { method: method!, teamId: teamId!, status: Number(status), count };
    });
  }

  count(filter: { method?: string; teamId?: string; status?: number } = {}): number {
    let total = 0;
    for (const entry of this.counts()) {
      if (filter.method !== undefined && entry.method !== filter.method) continue;
      if (filter.teamId !== undefined && entry.teamId !== filter.teamId) continue;
      if (filter.status !== undefined && entry.status !== filter.status) continue;
      total += entry.count;
    }
    return total;
  }

  waitFor(method: string, predicate?: (call: RecordedCall) => boolean, timeoutMs = 5000, options: WaitForOptions = {}): Promise<RecordedCall> {
    const waiter = { method, predicate, includeFailed: options.includeFailed ?? false, teamId: options.teamId };
    const already = this.calls.find((call) => matches(waiter, call));
    if (already) return Promise.resolve(already);
    return new Promise<RecordedCall>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(entry);
        const seen = this.calls.length ? this.calls.map(describeCall).join('\n') : '  (none)';
        const inTeam = options.teamId ? ` in team ${options.teamId}` : '';
        const what = `${options.includeFailed ? 'a' : 'a successful'} ${method} call${inTeam}${predicate ? ' matching the predicate' : ''}`;
        reject(new Error(`Fake Slack: timed out after ${timeoutMs}ms waiting for ${what}. Calls seen:\n${seen}`));
      }, timeoutMs);
      const entry: Waiter = {
        ...waiter,
        resolve: (call) => {
          clearTimeout(timer);
          resolve(call);
        },
      };
      this.waiters.add(entry);
    });
  }

  /** Forget recorded calls, counts, pending failures and delays (waiters stay). */
  reset(): void {
    this.calls.length = 0;
    this.tally.clear();
    this.failures.clear();
    this.delays.clear();
  }

  delayNext(method: string, delay: DelaySpec): void {
    const queue = this.delays.get(method) ?? [];
    queue.push({ ms: delay.ms, remaining: delay.times ?? 1 });
    this.delays.set(method, queue);
  }

  /** How late to answer this call to `method` (spending one of its `times`); 0 for at once. */
  takeDelay(method: string): number {
    const queue = this.delays.get(method);
    const delay = queue?.[0];
    if (!delay) return 0;
    delay.remaining -= 1;
    if (delay.remaining <= 0) queue!.shift();
    return delay.ms;
  }

  failNext(method: string, response: FailureSpec): void {
    const queue = this.failures.get(method) ?? [];
    queue.push({ ...response, remaining: response.times ?? 1 });
    this.failures.set(method, queue);
  }

  /** The failure injected for this call to `method`, if any (spending one of its `times`). */
  takeFailure(method: string): PendingFailure | undefined {
    const queue = this.failures.get(method);
    const failure = queue?.[0];
    if (!failure) return undefined;
    failure.remaining -= 1;
    if (failure.remaining <= 0) queue!.shift();
    return failure;
  }
}

/** An injected failure, as Slack's Web API would answer it. */
export function apiFailure(failure: FailureSpec): Answer {
  const status = failure.status ?? 200;
  if (status === 429) {
    return {
      status,
      body: { ok: false, error: failure.error ?? 'ratelimited' },
      headers: { 'retry-after': String(failure.retryAfter ?? 1) },
    };
  }
  return { status, body: { ok: false, error: failure.error ?? (status === 200 ? 'internal_error' : 'fatal_error') } };
}

/** An injected failure for the non-API endpoints (plain-text answers). */
export function hookFailure(failure: FailureSpec): Answer {
  const status = failure.status ?? 400;
  const headers: Record<string, string> = status === 429 ? { 'retry-after': String(failure.retryAfter ?? 1) } : {};
  return { status, body: failure.error ?? (status === 429 ? 'rate_limited' : 'error'), headers };
}
