import type { Logger } from '../lib/logger.js';

/** What a person sees when something failed on our side. Specific errors are answered where they happen. */
export const GENERIC_ERROR_TEXT =
  ':warning: Sorry, something went wrong on our side while handling that, and it may not have been saved. Please try again in a moment; if it keeps happening, tell your Sales Pulse admin.';

interface ErrorBody {
  response_url?: string;
  response_urls?: { response_url: string }[];
}

/**
 * The app-level error handler: log the details, and tell the person plainly when Slack gave us a way
 * to reach them (a response_url). Never rethrows, so the process never crashes on a handler error.
 */
export function makeErrorHandler(logger: Logger) {
  return async ({ error, body }: { error: Error; body?: unknown }) => {
    logger.error({ err: (error as { original?: Error }).original ?? error }, 'unhandled error in a Slack handler');
    const b = (body ?? {}) as ErrorBody;
    const url = b.response_url ?? b.response_urls?.[0]?.response_url;
    if (!url) return;
    try {
      await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ response_type: 'ephemeral', replace_original: false, text: GENERIC_ERROR_TEXT }),
      });
    } catch (e) {
      logger.warn({ err: e }, 'could not tell the user about the error');
    }
  };
}
