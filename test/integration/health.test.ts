import { expect, it } from 'vitest';
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
