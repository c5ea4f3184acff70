/** What an aggregate comes back as: count(*) a string or number, sum() of an integer or bigint column a numeric string. */
export type Driven = string | number | bigint | null;

/** A count or a sum of quantities (well inside 2^53): 0 for none. */
export function toNumber(v: Driven | undefined): number {
  return v === null || v === undefined ? 0 : Number(v);
}

/** Sums of bigint columns come back as numeric: a string (postgres.js, PGlite), parsed exactly. 0n for none. */
export function toBigint(v: Driven | undefined): bigint {
  if (v === null || v === undefined) return 0n;
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) throw new Error(`inexact money sum from the driver: ${v}`);
    return BigInt(v);
  }
  return BigInt(v);
}
