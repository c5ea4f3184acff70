/**
 * A TCP proxy owned by a test, in front of a server (PostgreSQL on 127.0.0.1:5432 by default), that can make
 * the server unreachable and bring it back without touching the server itself:
 *
 * - `cut('reset')`: every open connection is reset (RST to the client, the server's side closed) and new ones
 *   are refused (the listener is closed: ECONNREFUSED), as when the server or its host goes down.
 * - `cut('blackhole')`: nothing more goes through, in either direction, and nothing is answered: open connections
 *   stall, new ones are accepted but never answered (as when a network path drops every packet). What is sent
 *   meanwhile is held, not lost.
 * - `restore()`: the listener accepts again and connects through. After a blackhole, by default the held
 *   connections resume and what they sent is delivered (a partition that healed, as TCP retransmission would);
 *   `restore({ held: 'reset' })` resets them instead (the server restarted while it was unreachable), and
 *   `restore({ held: 'keep' })` leaves them silent for good, only new connections going through (the address moved
 *   to another server, as in a DNS failover, and nobody answers for the old one).
 */
import net from 'node:net';

export type CutMode = 'reset' | 'blackhole';

export interface TcpProxyOptions {
  targetHost?: string;
  targetPort?: number;
}

export interface TcpProxy {
  /** The port the proxy listens on, on 127.0.0.1; the same across cut() and restore(). */
  readonly port: number;
  /** `url` (e.g. a postgres:// URL) with its host and port replaced by the proxy's. */
  urlThrough(url: string): string;
  cut(mode: CutMode): Promise<void>;
  restore(opts?: { held?: 'resume' | 'reset' | 'keep' }): Promise<void>;
  /** Connections accepted, reset by a cut, and refused or held while cut. */
  readonly stats: { accepted: number; reset: number; held: number; open: number };
  close(): Promise<void>;
}

/** One client connection and its way to the server. */
interface Link {
  client: net.Socket;
  server?: net.Socket;
  /** Held while blackholed: bytes the client sent that have not reached the server, and the reverse. */
  toServer: Buffer[];
  toClient: Buffer[];
  held: boolean;
}

function resetSocket(socket: net.Socket | undefined): void {
  if (!socket || socket.destroyed) return;
  // An RST when the socket is connected; a plain destroy for one still connecting.
  if (typeof socket.resetAndDestroy === 'function' && socket.readyState === 'open') socket.resetAndDestroy();
  else socket.destroy();
}

export async function startTcpProxy(opts: TcpProxyOptions = {}): Promise<TcpProxy> {
  const targetHost = opts.targetHost ?? '127.0.0.1';
  const targetPort = opts.targetPort ?? 5432;
  const links = new Set<Link>();
  const stats = { accepted: 0, reset: 0, held: 0 };
  let state: 'open' | CutMode = 'open';
  let closed = false;

  const drop = (link: Link, reset: boolean) => {
    if (!links.delete(link)) return;
    if (reset) {
      stats.reset += 1;
      resetSocket(link.client);
      resetSocket(link.server);
    } else {
      link.client.destroy();
      link.server?.destroy();
    }
  };

  const connectThrough = (link: Link) => {
    const server = net.connect({ host: targetHost, port: targetPort });
    link.server = server;
    server.setNoDelay(true);
    server.on('data', (chunk: Buffer) => {
      if (link.held) link.toClient.push(chunk);
      else link.client.write(chunk);
    });
    server.on('error', () => drop(link, true));
    server.on('close', () => drop(link, false));
    server.on('connect', () => {
      if (link.held) return;
      for (const chunk of link.toServer.splice(0)) server.write(chunk);
    });
  };

  const release = (link: Link) => {
    link.held = false;
    if (!link.server) {
      connectThrough(link);
      return;
    }
    for (const chunk of link.toClient.splice(0)) link.client.write(chunk);
    if (link.server.readyState === 'open') for (const chunk of link.toServer.splice(0)) link.server.write(chunk);
  };

  const listener = net.createServer({ noDelay: true }, (client) => {
    stats.accepted += 1;
    const link: Link = { client, toServer: [], toClient: [], held: state === 'blackhole' };
    links.add(link);
    if (link.held) stats.held += 1;
    client.on('data', (chunk: Buffer) => {
      if (link.held || !link.server || link.server.readyState !== 'open') link.toServer.push(chunk);
      else link.server.write(chunk);
    });
    client.on('error', () => drop(link, true));
    client.on('close', () => drop(link, false));
    if (!link.held) connectThrough(link);
  });

  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      listener.once('error', reject);
      listener.listen({ host: '127.0.0.1', port }, () => {
        listener.off('error', reject);
        resolve((listener.address() as net.AddressInfo).port);
      });
    });
  const stopListening = () => new Promise<void>((resolve) => listener.close(() => resolve()));

  const port = await listen(0);

  return {
    port,
    stats: {
      get accepted() {
        return stats.accepted;
      },
      get reset() {
        return stats.reset;
      },
      get held() {
        return stats.held;
      },
      get open() {
        return links.size;
      },
    },
    urlThrough(url) {
      const u = new URL(url);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    async cut(mode) {
      if (state !== 'open') throw new Error(`tcp-proxy: already cut (${state})`);
      state = mode;
      if (mode === 'reset') {
        const closing = stopListening(); // new connections: ECONNREFUSED
        for (const link of [...links]) drop(link, true);
        await closing;
      } else {
        for (const link of links) {
          link.held = true;
          stats.held += 1;
        }
      }
    },
    async restore({ held = 'resume' } = {}) {
      if (state === 'open') return;
      const was = state;
      state = 'open';
      if (was === 'reset') {
        await listen(port);
        return;
      }
      for (const link of [...links]) {
        if (!link.held || held === 'keep') continue;
        if (held === 'reset') drop(link, true);
        else release(link);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const link of [...links]) drop(link, false);
      if (listener.listening) await stopListening();
    },
  };
}
