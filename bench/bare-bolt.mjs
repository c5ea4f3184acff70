// @ts-check
/**
 * The baseline of the ack-load, shutdown and footprint benchmarks: a bare Bolt app with the same HTTPReceiver as the
 * bot (signature verification on, processBeforeResponse false), whose `/log-call` handler only calls ack(). Plain
 * JavaScript, run with plain `node`, so it pays for no TypeScript loader. Same environment as the bot: SLACK_BOT_TOKEN,
 * SLACK_SIGNING_SECRET, SLACK_API_URL (auth.test goes there, as the bot's does), PORT, LOG_LEVEL. It answers
 * GET /readyz like the bot (no database to ping) and stops on SIGTERM or SIGINT like the bot: intake closed, then exit 0.
 */
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';

const env = process.env;
const levels = { debug: LogLevel.DEBUG, info: LogLevel.INFO, warn: LogLevel.WARN, error: LogLevel.ERROR };
const logLevel = levels[/** @type {keyof typeof levels} */ ((env.LOG_LEVEL ?? 'info').toLowerCase())] ?? LogLevel.WARN;

/** @type {import('@slack/bolt').CustomRoute[]} */
const customRoutes = [
  {
    path: '/readyz',
    method: ['GET'],
    handler: (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'ready' }));
    },
  },
];

const receiver = new HTTPReceiver({ signingSecret: env.SLACK_SIGNING_SECRET ?? '', customRoutes, processBeforeResponse: false, logLevel });
const app = new App({ token: env.SLACK_BOT_TOKEN, receiver, clientOptions: env.SLACK_API_URL ? { slackApiUrl: env.SLACK_API_URL } : {}, logLevel });

app.command('/log-call', async ({ ack }) => {
  await ack();
});

await app.start(Number(env.PORT ?? 3000));

let stopping = false;
/** @param {string} signal */
async function stop(signal) {
  if (stopping) return;
  stopping = true;
  try {
    await app.stop();
    process.exit(0);
  } catch (e) {
    console.error(`bare bolt: error stopping on ${signal}:`, e);
    process.exit(1);
  }
}
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
