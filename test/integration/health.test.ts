import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { expect, it } from 'vitest';
import { READY_PING_TIMEOUT_MS } from '../../src/app.js';
import { connectPostgres } from '../../src/db/client.js';
import { createTestDb, DB_KINDS } from '../helpers/db.js';
import { startHarness } from '../helpers/harness.js';

it.each(DB_KINDS)('GET /readyz answers 200 while the %s database is reachable and 503 once it is not; /healthz stays 200', async (kind) => {
  const db = await createTestDb(kind);
  const h = await startHarness({ db });
  try {
    expect((await fetch(`${h.baseUrl}/readyz`)).status).toBe(200);
    await db.database.close();
    const res = await fetch(`${h.baseUrl}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 'unavailable', database: 'unreachable' });
    expect((await fetch(`${h.baseUrl}/healthz`)).status).toBe(200);
  } finally {
    await h.stop();
    await db.close();
  }
});

it('GET /readyz answers 503 within its timeout when the database accepts connections but never answers', async () => {
  // A silent server: TCP connects, no PostgreSQL answer ever comes (a hung proxy, a frozen host).
  const sockets = new Set<net.Socket>();
  const silent = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const { port } = silent.address() as net.AddressInfo;
  const database = connectPostgres(`postgres://postgres@127.0.0.1:${port}/silent`, { max: 1 });
  const h = await startHarness({ db: { kind: 'postgres', database, truncate: async () => {}, close: async () => {} } });
  try {
    const started = performance.now();
    const res = await fetch(`${h.baseUrl}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 'unavailable', database: 'unreachable' });
    // Answered by the ping's own timeout, not by the driver's (30 s) or the test's: generous for a noisy machine.
    expect(performance.now() - started).toBeLessThan(READY_PING_TIMEOUT_MS + 8_000);
    expect((await fetch(`${h.baseUrl}/healthz`)).status).toBe(200);
  } finally {
    await h.stop();
    for (const s of sockets) s.destroy();
    await Promise.race([database.close(), new Promise((r) => setTimeout(r, 1000))]);
    silent.close();
  }
});
