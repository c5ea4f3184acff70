/** A Web API refusal: answered as HTTP 200 `{ok: false, error: code, ...extra}`, as Slack does. */
export class SlackApiError extends Error {
  constructor(
    readonly code: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(code);
  }
}

/** `invalid_arguments` with Slack's `[ERROR] ...` messages. */
export function invalidArguments(messages: string[]): SlackApiError {
  return new SlackApiError('invalid_arguments', { response_metadata: { messages } });
}
