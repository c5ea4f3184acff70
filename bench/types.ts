/** One line of the results table. */
export interface BenchRow {
  bench: string;
  case: string;
  rows?: number;
  seconds: number;
  rowsPerSecond?: number;
  /** Time relative to the bench's baseline case (1 = as fast as the baseline). */
  ratio?: number;
  note?: string;
}

/** A named benchmark: sets up what it needs, measures, cleans up, and returns its rows. */
export interface Bench {
  name: string;
  description: string;
  run(): Promise<BenchRow[]>;
}
