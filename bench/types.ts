/** One line of the results table. */
export interface BenchRow {
  bench: string;
  case: string;
  rows?: number;
  seconds?: number;
  rowsPerSecond?: number;
  /** Time (or the bench's main figure) relative to the bench's baseline case (1 = as good as the baseline). */
  ratio?: number;
  /**
   * Further measured figures, each printed as a column of the bench's own table in first-seen order, with its unit in
   * its name ("p99 ms", "RSS MB", "req/s"). Numbers are rounded for printing; results.json keeps them as measured.
   */
  figures?: Record<string, number | string>;
  /** What the case must achieve, in words ("p99 <= 50 ms (aim 30)"). */
  target?: string;
  /** Whether it did: true pass, false miss; undefined when the row has no target. */
  pass?: boolean;
  note?: string;
}

/** A named benchmark: sets up what it needs, measures, cleans up, and returns its rows. */
export interface Bench {
  name: string;
  description: string;
  run(options: BenchOptions): Promise<BenchRow[]>;
}

export interface BenchOptions {
  /** `--quick`: a reduced run (shorter durations, fewer repeats, smaller data), for a smoke check in a few minutes. */
  quick: boolean;
}
