/**
 * Errors that mean "the database cannot be reached right now" (as opposed to a bad query): the connection was
 * refused, dropped, timed out or closed, or the server is shutting down or out of connections. The caller answers
 * "try again later" (503), since nothing was stored.
 */
const UNAVAILABLE_CODES = new Set([
  // postgres.js and Node's socket errors
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE',
  'CONNECTION_ENDED', 'CONNECTION_CLOSED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT',
  // PostgreSQL: too many connections, shutting down, cannot connect now
  '53300', '57P01', '57P02', '57P03',
]);

export function isDatabaseUnavailable(error: unknown): boolean {
  for (let cur = error as { code?: unknown; cause?: unknown; message?: unknown } | undefined, depth = 0; cur && depth < 5; cur = cur.cause as typeof cur, depth++) {
    const code = typeof cur.code === 'string' ? cur.code : '';
    if (UNAVAILABLE_CODES.has(code) || code.startsWith('08')) return true; // 08xxx: connection exceptions
    // PGlite once closed
    if (typeof cur.message === 'string' && /PGlite is closed/i.test(cur.message)) return true;
  }
  return false;
}

/** Unavailable before any statement could reach the server: the connection was never made. */
const NEVER_CONNECTED_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'CONNECT_TIMEOUT', '53300', '57P03']);

/**
 * True when the database was unreachable in a way that means a statement handed to the connection was never
 * received: the connection could not be made (refused, no such host, timed out connecting, the server refusing new
 * connections). A connection that dropped after it was made is not this: a statement may have reached the server.
 */
export function neverConnected(error: unknown): boolean {
  for (let cur = error as { code?: unknown; syscall?: unknown; cause?: unknown } | undefined, depth = 0; cur && depth < 5; cur = cur.cause as typeof cur, depth++) {
    if (typeof cur.code === 'string' && NEVER_CONNECTED_CODES.has(cur.code)) return true;
    if (cur.syscall === 'connect' || cur.syscall === 'getaddrinfo') return true;
  }
  return false;
}

/** PostgreSQL's query_canceled: a statement_timeout, or a cancel request reaching the statement. */
const QUERY_CANCELED = '57014';

/** True when the statement was cancelled (statement_timeout or a cancel request): it was rolled back. */
export function isQueryCancelled(error: unknown): boolean {
  for (let cur = error as { code?: unknown; cause?: unknown } | undefined, depth = 0; cur && depth < 5; cur = cur.cause as typeof cur, depth++) {
    if (cur.code === QUERY_CANCELED) return true;
  }
  return false;
}
