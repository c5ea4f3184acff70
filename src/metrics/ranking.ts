/** Competition ranking, highest first: [10, 8, 8, 3] -> [1, 2, 2, 4]. Ranks line up with the input order. */
export function rankWithTies(values: Array<number | bigint>): number[] {
  const order = values.map((v, i) => ({ v, i })).sort((a, b) => (a.v > b.v ? -1 : a.v < b.v ? 1 : 0));
  const ranks = new Array<number>(values.length);
  for (let k = 0; k < order.length; k++) {
    const prev = order[k - 1];
    ranks[order[k]!.i] = prev !== undefined && prev.v === order[k]!.v ? ranks[prev.i]! : k + 1;
  }
  return ranks;
}

/** The median (0 for none); an even count gives the mean of the middle two. */
export function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The median of exact amounts (0n for none); an even count gives the floor of the mean of the middle two. */
export function medianBigint(values: bigint[]): bigint {
  if (values.length === 0) return 0n;
  const sorted = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length % 2 === 1) return sorted[mid]!;
  const sum = sorted[mid - 1]! + sorted[mid]!;
  // BigInt division truncates toward zero; floor it for negative sums too.
  const q = sum / 2n;
  return sum < 0n && q * 2n !== sum ? q - 1n : q;
}
