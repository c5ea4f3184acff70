/**
 * The sandbox: a local Slack for `npm start` without credentials, and the tests' fake Slack. One
 * implementation: the Web API (slack-api.ts) writes a Workspace; the page (server.ts) shows it and sends
 * signed requests to the bot as Slack does (slack-requests.ts).
 */
export { startFakeSlack, type CallCount, type FakeSlack, type FakeSlackOptions } from './slack-api.js';
export type { FakeTeam, TeamInput } from './teams.js';
export type { InstallInput, OAuthAppOptions } from './oauth.js';
export { slackRateLimits, type RateLimitOptions } from './rate-limits.js';
export { BadRequest, readBody } from './api-http.js';
export { blockKitProblems } from './block-kit-checks.js';
export type { FakeUser, FakeUserInput, FakeUserProfile } from './fake-users.js';
export { manifestBotScopes, readManifest, type AppManifest } from './method-reference.js';
export type { DelaySpec, FailureSpec, RecordedCall, WaitForOptions } from './recorder.js';
export * from './slack-requests.js';
export * from './workspace.js';
export * from './people.js';
