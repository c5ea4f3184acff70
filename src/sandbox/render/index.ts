/** The sandbox's Block Kit -> HTML renderer and the converters to Slack's interaction payloads. All pure. */
export { escapeHtml, decodeSlackEntities, safeHref, safeSrc } from './escape.js';
export { renderMrkdwn, renderPlainText, replaceEmoji, emojiFor, type RenderContext } from './mrkdwn.js';
export {
  renderBlocks,
  renderMessageBody,
  renderView,
  type MessageBody,
  type MessageFile,
  type RenderedView,
  type RenderOptions,
  type ViewRenderOptions,
} from './blocks.js';
export {
  viewStateValues,
  withSuggestedOptions,
  actionPayload,
  applyViewState,
  findElement,
  blockIdOf,
  actionIdOf,
  type FormInput,
  type ViewStateValues,
} from './view-state.js';
