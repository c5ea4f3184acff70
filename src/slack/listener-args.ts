import type {
  AllMiddlewareArgs,
  BlockAction,
  ButtonAction,
  SlackActionMiddlewareArgs,
  SlackCommandMiddlewareArgs,
  SlackEventMiddlewareArgs,
  SlackViewMiddlewareArgs,
  StaticSelectAction,
  ViewSubmitAction,
} from '@slack/bolt';

/**
 * What Bolt hands a listener, by kind. A feature registers with the matching generic, e.g.
 * `app.action<BlockAction<ButtonAction>>(…, (args) => handleUndo(args, deps))`, so a handler written for another
 * kind of payload fails to compile there.
 */

/** `app.command(name, …)` */
export type CommandArgs = SlackCommandMiddlewareArgs & AllMiddlewareArgs;
/** `app.action<BlockAction<ButtonAction>>(…)`: a button was pressed. */
export type ButtonArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;
/** `app.action<BlockAction<StaticSelectAction>>(…)`: an option was picked in a static select. */
export type SelectArgs = SlackActionMiddlewareArgs<BlockAction<StaticSelectAction>> & AllMiddlewareArgs;
/** `app.view<ViewSubmitAction>(…)`: a modal was submitted. */
export type ViewSubmitArgs = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;
/** `app.event(name, …)` */
export type EventArgs<Name extends string> = SlackEventMiddlewareArgs<Name> & AllMiddlewareArgs;
