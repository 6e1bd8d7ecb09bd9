export { createFileSink } from './file-sink.js';
export { createKafkaSink, type FeedTopic, type KafkaSinkOptions, revisionHeader } from './kafka-sink.js';
export {
  addToOutbox,
  type FeedMessage,
  FeedMessageInvalid,
  markSent,
  OutboxConflict,
  type OutboxMessage,
  outboxBacklog,
  pendingMessages,
  prepareOutbox,
} from './outbox.js';
export { type FeedHealth, type FeedPublisher, type PublisherOptions, startPublisher } from './publisher.js';
export type { FeedSink } from './sink.js';
