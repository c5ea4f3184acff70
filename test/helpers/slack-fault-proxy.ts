/**
 * A faulty network in front of the fake Slack Web API: an HTTP proxy, owned by a test, that fails a share of the
 * Web API calls passing through it, at random but reproducibly, the way Slack fails:
 *
 * - `429`: refused for rate limits, with `Retry-After` (nothing happened);
 * - `500` / `503`: a server error before anything happened;
 * - `500-after` / `503-after`: the call took effect (the message was posted), then Slack answered 5xx;
 * - `slow-after`: the call took effect, and the answer comes `slowMs` later (past the caller's timeout).
 *
 * Each call's fate is a hash of the seed, the method, the call's subject (the channel posted to, the user looked up)
 * and how many calls with that subject came before, so it does not depend on the order in which concurrent calls
 * arrive: the same seed fails the same calls of every subject in every run. Everything not failed, and every call
 * of a method not in `methods`, is passed through unchanged. Point the app's `slackApiUrl` at `apiUrl`; the fake's
 * recorder still sees exactly what took effect (a call failed before its effect never reaches it).
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FaultKind = '429' | '500' | '503' | '500-after' | '503-after' | 'slow-after';

export interface FaultPlan {
  seed: number;
  /** Share of the calls to `methods` that fail, 0..1. */
  rate: number;
  /** Relative weights of the kinds of failure (only those listed happen). */
  weights: Partial<Record<FaultKind, number>>;
  /** Web API methods that may fail; the others always pass. */
  methods: ReadonlySet<string>;
  /** How late a `slow-after` call is answered, in ms. */
  slowMs: number;
  /** Retry-After of a 429, in seconds. Default 1. */
  retryAfterSeconds?: number;
}

export interface InjectedFault {
  method: string;
  subject: string;
  /** Calls with this method and subject before this one. */
  n: number;
  kind: FaultKind;
}

export interface FaultProxy {
  /** 'http://127.0.0.1:PORT/api/', for `slackApiUrl`. */
  apiUrl: string;
  /** Every failure injected, in order of arrival. */
  injected: InjectedFault[];
  /** Calls passed through untouched, by method. */
  passed: Map<string, number>;
  /** Calls to `method` about `subject` (failed or not) so far. */
  seenCount(method: string, subject: string): number;
  close(): Promise<void>;
}

/** What a call is about, for its fate: the channel, the user(s), the file's channel; '' when none. */
function subjectOf(args: Record<string, string>): string {
  return args.channel ?? args.users ?? args.user ?? args.channel_id ?? '';
}

function readArgs(body: Buffer, contentType: string): Record<string, string> {
  const text = body.toString('utf8');
  if (contentType.includes('application/json')) {
    try {
      const parsed = JSON.parse(text) as Record<string, unknown>;
      return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
    } catch {
      return {};
    }
  }
  return Object.fromEntries(new URLSearchParams(text));
}

/** A number in [0, 1) from the seed and the call's identity. */
function uniform(seed: number, method: string, subject: string, n: number): number {
  const digest = createHash('sha256').update(`${seed}\u0000${method}\u0000${subject}\u0000${n}`).digest();
  return digest.readUInt32BE(0) / 0x1_0000_0000;
}

/** The kind of failure for a call, or undefined for none. */
export function faultFor(plan: FaultPlan, method: string, subject: string, n: number): FaultKind | undefined {
  if (!plan.methods.has(method)) return undefined;
  const u = uniform(plan.seed, method, subject, n);
  if (u >= plan.rate) return undefined;
  const entries = Object.entries(plan.weights).filter(([, w]) => (w ?? 0) > 0) as [FaultKind, number][];
  const total = entries.reduce((sum, [, w]) => sum + w, 0);
  let pick = (u / plan.rate) * total;
  for (const [kind, weight] of entries) {
    if (pick < weight) return kind;
    pick -= weight;
  }
  return entries.at(-1)?.[0];
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Headers passed on to the fake, and back to the caller. */
const REQUEST_HEADERS = ['content-type', 'authorization'];
const RESPONSE_HEADERS = ['content-type', 'retry-after', 'x-oauth-scopes', 'x-accepted-oauth-scopes'];

export async function startFaultProxy(targetBaseUrl: string, plan: FaultPlan): Promise<FaultProxy> {
  const injected: InjectedFault[] = [];
  const passed = new Map<string, number>();
  const seen = new Map<string, number>();
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  const forward = async (req: IncomingMessage, body: Buffer) => {
    const headers: Record<string, string> = {};
    for (const name of REQUEST_HEADERS) {
      const value = req.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const res = await fetch(`${targetBaseUrl}${req.url ?? '/'}`, { method: req.method, headers, body: req.method === 'GET' ? undefined : new Uint8Array(body) });
    const answerHeaders: Record<string, string> = {};
    for (const name of RESPONSE_HEADERS) {
      const value = res.headers.get(name);
      if (value !== null) answerHeaders[name] = value;
    }
    return { status: res.status, headers: answerHeaders, body: Buffer.from(await res.arrayBuffer()) };
  };

  const server: Server = createServer((req, res) => {
    const send = (status: number, headers: Record<string, string>, body: Buffer | string) => {
      if (res.destroyed || res.writableEnded) return; // the caller gave up waiting (its timeout)
      res.writeHead(status, headers);
      res.end(body);
    };
    void (async () => {
      const body = await readBody(req);
      const url = new URL(req.url ?? '/', 'http://proxy.local');
      const [, area, method = ''] = url.pathname.split('/');
      const subject = area === 'api' ? subjectOf(readArgs(body, String(req.headers['content-type'] ?? ''))) : '';
      const key = `${method}\u0000${subject}`;
      const n = seen.get(key) ?? 0;
      seen.set(key, n + 1);
      const kind = area === 'api' ? faultFor(plan, method, subject, n) : undefined;
      if (!kind) {
        passed.set(method, (passed.get(method) ?? 0) + 1);
        const answer = await forward(req, body);
        return send(answer.status, answer.headers, answer.body);
      }
      injected.push({ method, subject, n, kind });
      const json = { 'content-type': 'application/json; charset=utf-8' };
      switch (kind) {
        case '429':
          return send(429, { ...json, 'retry-after': String(plan.retryAfterSeconds ?? 1) }, JSON.stringify({ ok: false, error: 'ratelimited' }));
        case '500':
        case '503':
          return send(Number(kind), json, JSON.stringify({ ok: false, error: 'fatal_error' }));
        case '500-after':
        case '503-after':
          await forward(req, body);
          return send(Number(kind.slice(0, 3)), json, JSON.stringify({ ok: false, error: 'fatal_error' }));
        case 'slow-after': {
          const answer = await forward(req, body);
          await sleep(plan.slowMs);
          return send(answer.status, answer.headers, answer.body);
        }
      }
    })().catch((error: unknown) => {
      if (!res.headersSent && !res.destroyed) send(502, { 'content-type': 'text/plain' }, `fault proxy: ${String(error)}`);
      else res.destroy();
    });
  });
  server.on('clientError', (_error, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    apiUrl: `http://127.0.0.1:${port}/api/`,
    injected,
    passed,
    seenCount: (method, subject) => seen.get(`${method}\u0000${subject}`) ?? 0,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
