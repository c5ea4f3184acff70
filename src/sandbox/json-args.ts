/** Web API arguments as the sandbox reads them: a JSON object, and what Slack counts as an absent value. */

// Slack's payloads are open-ended JSON read field by field: `any` here is the one place that says so.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = Record<string, any>;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isMissing(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}
