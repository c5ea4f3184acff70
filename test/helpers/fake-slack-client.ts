/** A quiet Web API client for tests that talk to the fake Slack directly, and the platform error a call was refused with. */
import { LogLevel } from '@slack/bolt';
import { type Logger, WebClient, type WebAPIPlatformError, type WebClientOptions } from '@slack/web-api';
import type { FakeSlack } from './fake-slack.js';

export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  setLevel() {},
  getLevel: () => LogLevel.ERROR,
  setName() {},
};

/** A WebClient pointed at the fake, quiet, failing without retries unless told otherwise. */
export function fakeClient(fake: FakeSlack, token: string | undefined, options: WebClientOptions = {}): WebClient {
  return new WebClient(token, { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 }, logger: silentLogger, ...options });
}

/** The platform error a WebClient call rejected with. */
export async function slackError(promise: Promise<unknown>): Promise<WebAPIPlatformError['data']> {
  try {
    await promise;
  } catch (error) {
    const data = (error as Partial<WebAPIPlatformError>).data;
    if (data) return data;
    throw error;
  }
  throw new Error('expected the call to be refused');
}
