/**
 * Slack's Socket Mode endpoint, on this machine: the WebSocket server an app connects to with the URL that
 * `apps.connections.open` gave it (the fake Web API's `socketMode` option hands out `connectionUrl()`). It speaks
 * the protocol as Slack documents it (docs.slack.dev, "Using Socket Mode") and as @slack/socket-mode speaks it:
 *
 * - each URL carries a one-time ticket (`/link/?ticket=…&app_id=…`); an unknown or already used ticket is refused
 *   at the upgrade (HTTP 401), so a client that reconnects must call `apps.connections.open` again;
 * - once connected, the server sends `{type: 'hello', num_connections, debug_info, connection_info: {app_id}}`
 *   before anything else;
 * - it delivers envelopes `{envelope_id, type, payload, accepts_response_payload}` (plus `retry_attempt` and
 *   `retry_reason` for `events_api`): `slash_commands` (the command's fields, as the HTTP form has them),
 *   `interactive` (the interaction payload) and `events_api` (the event_callback);
 * - the app acknowledges each with `{envelope_id, payload}` on the same socket within 3 seconds, the payload
 *   carrying its answer where `accepts_response_payload` is true (a slash command's reply, a view_submission's
 *   response_action);
 * - WebSocket pings both ways: the server pings after `hello` and then every `pingIntervalMs`, and answers the
 *   client's pings with pongs;
 * - `{type: 'disconnect', reason: 'warning' | 'refresh_requested' | 'link_disabled', debug_info}` asks the client
 *   to go; and a connection can simply drop.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';

export type EnvelopeType = 'events_api' | 'slash_commands' | 'interactive';
export type DisconnectReason = 'warning' | 'refresh_requested' | 'link_disabled';

export interface Envelope {
  envelope_id: string;
  type: EnvelopeType;
  payload: Record<string, unknown>;
  accepts_response_payload: boolean;
  retry_attempt?: number;
  retry_reason?: string;
}

/** What the app sent back for an envelope. */
export interface EnvelopeAck {
  envelope_id: string;
  payload?: Record<string, any>;
  /** Milliseconds from sending the envelope to receiving its ack. */
  afterMs: number;
}

/** Slack's window for acknowledging an envelope. */
export const SOCKET_ACK_TIMEOUT_MS = 3_000;

export interface SocketConnection {
  /** 1 for the first connection the app opened, 2 for the next, … */
  readonly number: number;
  readonly ticket: string;
  /** Every message the app sent on this socket, parsed, in order (acks above all). */
  readonly received: Record<string, any>[];
  /** Pongs the app sent for the server's pings, and pings it sent itself (each answered with a pong). */
  readonly heartbeat: { pongsFromApp: number; pingsFromApp: number };
  readonly isOpen: boolean;
  /** Resolves when the socket has closed (the close code; 1006 when it dropped without a close handshake). */
  readonly closed: Promise<{ code: number; reason: string }>;
  /**
   * Deliver an envelope and wait for its ack; rejects when none arrives within `timeoutMs` (default Slack's 3 s).
   * `accepts_response_payload` defaults as Slack sets it: true for slash commands and for view submissions and
   * block suggestions, false for other interactions and for events.
   */
  deliver(type: EnvelopeType, payload: Record<string, unknown>, opts?: { timeoutMs?: number; acceptsResponsePayload?: boolean; retryAttempt?: number }): Promise<EnvelopeAck>;
  /** Send a `disconnect` message: Slack asks the app to reconnect (`refresh_requested`, `warning`) or to go (`link_disabled`). */
  sendDisconnect(reason: DisconnectReason): void;
  /** The connection drops: the TCP socket is destroyed with no close handshake. */
  drop(): void;
}

export interface FakeSocketMode {
  readonly appToken: string;
  readonly appId: string;
  /** e.g. ws://127.0.0.1:PORT */
  readonly baseUrl: string;
  /** What `apps.connections.open` answers: a fresh URL with a one-time ticket. */
  connectionUrl(): string;
  /** Connections in the order the app opened them. */
  readonly connections: SocketConnection[];
  /** Upgrades refused (unknown or reused ticket), with the ticket presented. */
  readonly refused: { ticket: string | null; reason: string }[];
  /** The `n`th connection (1-based), once it is open and `hello` was sent; rejects after `timeoutMs` (default 5000). */
  connection(n: number, timeoutMs?: number): Promise<SocketConnection>;
  close(): Promise<void>;
}

export interface FakeSocketModeOptions {
  /** Default 'xapp-1-A123456-fake-socket-mode' (plainly not a real token). */
  appToken?: string;
  /** Default A123456 (the fake Web API's app id). */
  appId?: string;
  /** How often the server pings each socket; default 5000. */
  pingIntervalMs?: number;
}

export async function startFakeSocketMode(opts: FakeSocketModeOptions = {}): Promise<FakeSocketMode> {
  const appId = opts.appId ?? 'A123456';
  const appToken = opts.appToken ?? `xapp-1-${appId}-fake-socket-mode`;
  const pingIntervalMs = opts.pingIntervalMs ?? 5_000;
  const issuedTickets = new Set<string>();
  const connections: SocketConnection[] = [];
  const refused: FakeSocketMode['refused'] = [];
  const waiters = new Set<() => void>();
  const sockets = new Set<WebSocket>();
  let envelopeCounter = 0;

  const wss = new WebSocketServer({ noServer: true });
  const http: Server = createServer((_req, res) => {
    res.writeHead(404).end();
  });

  http.on('upgrade', (req, socket: Socket, head) => {
    const url = new URL(req.url ?? '/', 'ws://fake.local');
    const ticket = url.searchParams.get('ticket');
    const problem = url.pathname !== '/link/' ? 'not_found' : !ticket || !issuedTickets.has(ticket) ? 'invalid_ticket' : undefined;
    if (problem) {
      refused.push({ ticket, reason: problem });
      socket.end(`HTTP/1.1 ${problem === 'not_found' ? '404 Not Found' : '401 Unauthorized'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    // A ticket is good for one connection.
    issuedTickets.delete(ticket!);
    wss.handleUpgrade(req, socket, head, (ws) => accept(ws, ticket!, socket));
  });

  function accept(ws: WebSocket, ticket: string, socket: Socket): void {
    sockets.add(ws);
    const received: Record<string, any>[] = [];
    const heartbeat = { pongsFromApp: 0, pingsFromApp: 0 };
    const pendingAcks = new Map<string, (message: Record<string, any>) => void>();
    const closed = new Promise<{ code: number; reason: string }>((resolve) => {
      ws.on('close', (code, reason) => {
        sockets.delete(ws);
        clearInterval(pinger);
        resolve({ code, reason: reason.toString() });
      });
    });
    ws.on('error', () => {});
    ws.on('pong', () => (heartbeat.pongsFromApp += 1));
    // ws answers a ping with a pong by itself (autoPong), as Slack's servers do.
    ws.on('ping', () => (heartbeat.pingsFromApp += 1));
    ws.on('message', (data: RawData, isBinary) => {
      if (isBinary) return;
      let message: Record<string, any>;
      try {
        message = JSON.parse(data.toString()) as Record<string, any>;
      } catch {
        return;
      }
      received.push(message);
      const waiting = typeof message.envelope_id === 'string' ? pendingAcks.get(message.envelope_id) : undefined;
      if (waiting) {
        pendingAcks.delete(message.envelope_id);
        waiting(message);
      }
    });
    const pinger = setInterval(() => {
      if (ws.readyState === ws.OPEN) ws.ping(Buffer.from(`ping ${Date.now()}`));
    }, pingIntervalMs);
    pinger.unref();

    const connection: SocketConnection = {
      number: connections.length + 1,
      ticket,
      received,
      heartbeat,
      get isOpen() {
        return ws.readyState === ws.OPEN;
      },
      closed,
      deliver(type, payload, deliverOpts = {}) {
        const envelopeId = `${randomBytes(4).toString('hex')}-${randomBytes(2).toString('hex')}-${(++envelopeCounter).toString(16).padStart(4, '0')}`;
        const accepts =
          deliverOpts.acceptsResponsePayload ??
          (type === 'slash_commands' || (type === 'interactive' && ['view_submission', 'block_suggestion'].includes(String(payload.type))));
        const envelope: Envelope = {
          envelope_id: envelopeId,
          type,
          payload,
          accepts_response_payload: accepts,
          ...(type === 'events_api' ? { retry_attempt: deliverOpts.retryAttempt ?? 0, retry_reason: deliverOpts.retryAttempt ? 'timeout' : '' } : {}),
        };
        const timeoutMs = deliverOpts.timeoutMs ?? SOCKET_ACK_TIMEOUT_MS;
        const sentAt = Date.now();
        return new Promise<EnvelopeAck>((resolve, reject) => {
          const timer = setTimeout(() => {
            pendingAcks.delete(envelopeId);
            reject(new Error(`no ack for ${type} envelope ${envelopeId} within ${timeoutMs} ms on connection ${connection.number}`));
          }, timeoutMs);
          pendingAcks.set(envelopeId, (message) => {
            clearTimeout(timer);
            resolve({ envelope_id: message.envelope_id as string, payload: message.payload as Record<string, any> | undefined, afterMs: Date.now() - sentAt });
          });
          ws.send(JSON.stringify(envelope), (error) => {
            if (!error) return;
            clearTimeout(timer);
            pendingAcks.delete(envelopeId);
            reject(error);
          });
        });
      },
      sendDisconnect(reason) {
        ws.send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'applink-fake-1' } }));
      },
      drop() {
        socket.destroy();
      },
    };
    connections.push(connection);
    const openSockets = [...sockets].filter((s) => s.readyState === s.OPEN).length;
    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: openSockets,
        debug_info: { host: 'applink-fake-1', build_number: 1, approximate_connection_time: 18060 },
        connection_info: { app_id: appId },
      }),
    );
    // Slack pings a new socket soon after it opens, then regularly.
    ws.ping(Buffer.from(`ping ${Date.now()}`));
    for (const wake of waiters) wake();
  }

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = http.address() as AddressInfo;
  const baseUrl = `ws://127.0.0.1:${port}`;

  return {
    appToken,
    appId,
    baseUrl,
    connectionUrl() {
      const ticket = randomBytes(16).toString('hex');
      issuedTickets.add(ticket);
      return `${baseUrl}/link/?ticket=${ticket}&app_id=${appId}`;
    },
    connections,
    refused,
    connection(n, timeoutMs = 5_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = connections[n - 1];
          if (!found) return false;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no Socket Mode connection #${n} within ${timeoutMs} ms (${connections.length} so far; refused: ${JSON.stringify(refused)})`));
        }, timeoutMs);
        if (!check()) waiters.add(check);
      });
    },
    async close() {
      for (const ws of sockets) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve, reject) => {
        http.close((error) => (error ? reject(error) : resolve()));
        http.closeAllConnections();
      });
    },
  };
}
