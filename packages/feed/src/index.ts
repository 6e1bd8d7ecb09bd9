export { FEED_SCHEMA_VERSION, FEED_TOPIC, FeedMeasure, FeedMessageValue } from './message.js';
export { asFeedMessage, changesBetween, type FeedContent, feedContents, feedKey } from './messages-from-summary.js';
