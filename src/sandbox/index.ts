/**
 * The sandbox: a local Slack for `npm start` without credentials, and the tests' fake Slack. One
 * implementation: the Web API (slack-api.ts) writes a Workspace; the page (server.ts) shows it and sends
 * signed requests to the bot as Slack does (slack-requests.ts).
 */
export * from './slack-api.js';
export * from './slack-requests.js';
export * from './workspace.js';
export * from './people.js';
