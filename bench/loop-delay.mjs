/**
 * Preloaded into the bot by `npm run soak` (node --import): the event loop's delay, measured in the bot's own
 * process with Node's histogram. On SIGUSR2 the figures since the last signal are written to LOOP_DELAY_FILE (JSON,
 * milliseconds) and the histogram starts again. Instrumentation only: it changes nothing the bot does.
 */
import { writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const histogram = monitorEventLoopDelay({ resolution: 10 });
histogram.enable();
process.on('SIGUSR2', () => {
  const ms = (ns) => Math.round(ns / 1e4) / 100;
  const figures = { p50: ms(histogram.percentile(50)), p99: ms(histogram.percentile(99)), max: ms(histogram.max), samples: histogram.count };
  if (process.env.LOOP_DELAY_FILE) writeFileSync(process.env.LOOP_DELAY_FILE, JSON.stringify(figures));
  histogram.reset();
});
