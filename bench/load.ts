/**
 * A small load generator on node:http for the ack-load and shutdown benchmarks: signed `/log-call` slash commands
 * (form-encoded, as Slack sends them, signed with the sandbox's signSlackRequest) with varied text from several
 * users, sent over keep-alive connections either open-loop at a fixed rate (latency from each request's scheduled
 * start, so a slow server cannot slow the load down and hide its own queueing) or closed-loop with N in flight.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { newTriggerId, signSlackRequest } from '../src/sandbox/index.js';
import { seededRandom } from '../src/lib/random.js';
import { BENCH_USERS, TEAM_ID } from './processes.js';

/** Slack gives up on an acknowledgement after 3 seconds; a later answer counts as late (an error). */
export const SLACK_ACK_TIMEOUT_MS = 3_000;
/** The client gives up on a request after this long (a timeout error). */
const REQUEST_TIMEOUT_MS = 10_000;
const VERIFICATION_TOKEN = 'gIkuvaNzQIHg97ATvDxqgjtO';

export interface Command {
  triggerId: string;
  userId: string;
  text: string;
  /** What the stored row should say. */
  expected: { account: string; quantity: number; outcome: string | null; durationMinutes: number | null };
}

const ACCOUNTS = ['Acme Corp', 'Globex', 'Initech', 'Umbrella Health', 'Hooli', 'Stark Industries', 'Wayne Enterprises', 'Soylent', 'Wonka Foods', 'Tyrell Systems', 'Cyberdyne', 'Vandelay Imports'];
const DURATIONS: [string, number][] = [['15m', 15], ['30m', 30], ['45min', 45], ['1h', 60], ['1h30m', 90], ['5m', 5]];
const OUTCOMES = ['connected', 'voicemail', 'no-answer', 'booked'];
const NOTES = ['asked for pricing', 'follow up next week', 'wants a demo with the CFO', 'gatekeeper, try again Friday', 'renewal in Q3, budget approved'];

/** Varied `/log-call` texts from the bench's five users: accounts, counts, durations, outcomes, dates, notes. */
export function commandSource(seed: number): () => Command {
  const rnd = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  return () => {
    const account = pick(ACCOUNTS);
    const parts: string[] = [account];
    let quantity = 1;
    let durationMinutes: number | null = null;
    let outcome: string | null = null;
    if (rnd() < 0.1) {
      quantity = 2 + Math.floor(rnd() * 9);
      parts.push(`x${quantity}`);
    }
    if (rnd() < 0.6) {
      const [text, minutes] = pick(DURATIONS);
      parts.push(text);
      durationMinutes = minutes;
    }
    if (rnd() < 0.7) {
      outcome = pick(OUTCOMES);
      parts.push(`#${outcome}`);
    }
    if (rnd() < 0.1) parts.push('yesterday');
    // The account stays first (its words must stay together); the other parts in any order.
    const rest = parts.slice(1).sort(() => rnd() - 0.5);
    let text = [account, ...rest].join(' ');
    if (rnd() < 0.4) text += ` -- ${pick(NOTES)}`;
    return { triggerId: newTriggerId(), userId: pick(BENCH_USERS).id, text, expected: { account, quantity, outcome, durationMinutes } };
  };
}

/** The form body Slack sends for a slash command, fields in Slack's order (as slackSender builds it). */
export function commandBody(cmd: Command, responseUrl: string): string {
  return new URLSearchParams({
    token: VERIFICATION_TOKEN,
    team_id: TEAM_ID,
    team_domain: 'bench',
    enterprise_id: '',
    enterprise_name: '',
    channel_id: 'C0BENCHSALES',
    channel_name: 'sales',
    user_id: cmd.userId,
    user_name: cmd.userId.toLowerCase(),
    command: '/log-call',
    text: cmd.text,
    api_app_id: 'A123456',
    is_enterprise_install: 'false',
    response_url: responseUrl,
    trigger_id: cmd.triggerId,
  }).toString();
}

/**
 * How a request ended. For the bot, `ok` is a 200 whose body is the stored entry's confirmation; for the bare
 * app (which answers an empty 200) any 200 is `ok`.
 */
export type Kind = 'ok' | 'not-saved' | 'other-200' | 'http-error' | 'timeout' | 'refused' | 'reset' | 'conn-error';

export interface Outcome {
  cmd: Command;
  kind: Kind;
  status?: number;
  /** performance.now() of the scheduled start (open loop) or of the send (closed loop). */
  scheduledAt: number;
  /** When the request got its connection (a new or a kept-alive one). */
  sentAt: number;
  endAt: number;
  /** endAt - scheduledAt, ms. */
  latencyMs: number;
  /** The body when it was not a confirmation (first 300 characters), or the error's code/message. */
  detail?: string;
}

export interface Target {
  baseUrl: string;
  signingSecret: string;
  /** The bot answers with a confirmation; the bare app with an empty 200. */
  expectConfirmation: boolean;
  responseUrl: () => string;
}

interface ConfirmationBody {
  response_type?: unknown;
  text?: unknown;
  blocks?: { block_id?: unknown }[];
}

/** A confirmation: ephemeral, "Logged …" text, and the activity_logged section with Undo/Edit (confirmation.blocks.ts). */
export function classifyBody(body: string): { kind: 'ok' | 'not-saved' | 'other-200'; detail?: string } {
  let json: ConfirmationBody | null = null;
  try {
    json = JSON.parse(body) as ConfirmationBody;
  } catch {
    /* not JSON */
  }
  if (
    json &&
    json.response_type === 'ephemeral' &&
    typeof json.text === 'string' &&
    json.text.startsWith('Logged ') &&
    Array.isArray(json.blocks) &&
    json.blocks.some((b) => b.block_id === 'activity_logged') &&
    json.blocks.some((b) => b.block_id === 'activity_actions')
  ) {
    return { kind: 'ok' };
  }
  const kind = /not saved/i.test(body) ? 'not-saved' : 'other-200';
  return { kind, detail: body.slice(0, 300) };
}

export class LoadClient {
  // As many connections as the load needs (Slack does not queue its deliveries behind one another), up to a bound.
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 2048, scheduling: 'fifo' });
  private readonly url: URL;

  constructor(private readonly target: Target) {
    this.url = new URL('/slack/events', target.baseUrl);
  }

  /** Send one command; never rejects. */
  send(cmd: Command, scheduledAt: number): Promise<Outcome> {
    const body = commandBody(cmd, this.target.responseUrl());
    const headers = {
      'content-type': 'application/x-www-form-urlencoded',
      'content-length': String(Buffer.byteLength(body)),
      ...signSlackRequest(this.target.signingSecret, body),
    };
    return new Promise<Outcome>((resolve) => {
      // When the request got its connection: any wait for a free socket in the agent is the client's, not the server's.
      let sentAt = performance.now();
      let settled = false;
      const finish = (kind: Kind, status?: number, detail?: string) => {
        if (settled) return;
        settled = true;
        const endAt = performance.now();
        resolve({ cmd, kind, status, scheduledAt, sentAt, endAt, latencyMs: endAt - scheduledAt, detail });
      };
      const req = http.request(
        { agent: this.agent, hostname: this.url.hostname, port: this.url.port, path: this.url.pathname, method: 'POST', headers },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', (e) => finish('conn-error', res.statusCode, e.message));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            if (res.statusCode !== 200) return finish('http-error', res.statusCode, text.slice(0, 300));
            if (!this.target.expectConfirmation) return finish('ok', 200);
            const c = classifyBody(text);
            finish(c.kind, 200, c.detail);
          });
        },
      );
      req.once('socket', () => (sentAt = performance.now()));
      req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(Object.assign(new Error('timeout'), { code: 'BENCH_TIMEOUT' })));
      req.on('error', (e: NodeJS.ErrnoException) => {
        const kind: Kind = e.code === 'BENCH_TIMEOUT' ? 'timeout' : e.code === 'ECONNREFUSED' ? 'refused' : e.code === 'ECONNRESET' || /socket hang up/.test(e.message) ? 'reset' : 'conn-error';
        finish(kind, undefined, e.code ?? e.message);
      });
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/**
 * Open loop: `rate` requests a second for `seconds`, each at its scheduled time whatever the answers before it
 * (requests due while the timer was late go out at once), latency counted from the scheduled time.
 */
export async function openLoop(client: LoadClient, next: () => Command, rate: number, seconds: number): Promise<Outcome[]> {
  const total = Math.round(rate * seconds);
  const interval = 1000 / rate;
  const t0 = performance.now() + 5;
  const pending: Promise<Outcome>[] = [];
  let i = 0;
  while (i < total) {
    const now = performance.now();
    while (i < total && t0 + i * interval <= now) {
      pending.push(client.send(next(), t0 + i * interval));
      i++;
    }
    if (i < total) await new Promise((r) => setTimeout(r, Math.max(0, t0 + i * interval - performance.now())));
  }
  return Promise.all(pending);
}

/**
 * Closed loop: `concurrency` workers, each sending its next request as soon as the last one is answered, until
 * `seconds` have passed, or (with `untilRefused`) until the server refuses its connection, with `seconds` as a cap.
 */
export async function closedLoop(
  client: LoadClient,
  next: () => Command,
  concurrency: number,
  seconds: number,
  opts: { untilRefused?: boolean } = {},
): Promise<{ outcomes: Outcome[]; seconds: number }> {
  const outcomes: Outcome[] = [];
  const start = performance.now();
  const end = start + seconds * 1000;
  const worker = async () => {
    while (performance.now() < end) {
      const o = await client.send(next(), performance.now());
      outcomes.push(o);
      // Each worker stops at its own refusal. After a reset (the server closed the connection) it sends again at
      // once, which opens a new connection: refused once the server has stopped listening.
      if (opts.untilRefused && o.kind === 'refused') break;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { outcomes, seconds: (performance.now() - start) / 1000 };
}

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentiles of the latencies, ms. */
export function latencies(outcomes: Outcome[]): LatencySummary {
  const s = outcomes.map((o) => o.latencyMs).sort((a, b) => a - b);
  const at = (p: number) => (s.length ? s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]! : NaN);
  return { count: s.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: s.length ? s[s.length - 1]! : NaN };
}

/** How many outcomes of each kind, plus `late`: answered, but after Slack's 3 seconds (from the send). */
export function tally(outcomes: Outcome[]): Record<Kind | 'late', number> {
  const t: Record<Kind | 'late', number> = { ok: 0, 'not-saved': 0, 'other-200': 0, 'http-error': 0, timeout: 0, refused: 0, reset: 0, 'conn-error': 0, late: 0 };
  for (const o of outcomes) {
    t[o.kind]++;
    if (o.kind === 'ok' && o.endAt - o.sentAt > SLACK_ACK_TIMEOUT_MS) t.late++;
  }
  return t;
}

/** Errors: every outcome that is not `ok`, plus `ok` answers that came too late for Slack. */
export function errorCount(t: Record<Kind | 'late', number>): number {
  return t['not-saved'] + t['other-200'] + t['http-error'] + t.timeout + t.refused + t.reset + t['conn-error'] + t.late;
}

/** "3 not-saved, 1 timeout" for the kinds that occurred (ok left out). */
export function describeErrors(t: Record<Kind | 'late', number>): string {
  return (Object.entries(t) as [string, number][])
    .filter(([k, n]) => k !== 'ok' && n > 0)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
}
