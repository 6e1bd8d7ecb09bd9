export { createFileSink, feedLine } from './file-sink.js';
export { createKafkaSink, type FeedTopic, type KafkaSinkOptions, revisionHeader } from './kafka-sink.js';
export { openOutbox } from './open-outbox.js';
export { type FeedMessage, FeedMessageInvalid, type LatestRevision, type Outbox, OutboxConflict, type OutboxMessage, type PublishedMessage } from './outbox.js';
export { PostgresOutbox, type PostgresOutboxOptions } from './postgres-outbox.js';
export { type FeedHealth, type FeedPublisher, type PublisherOptions, startPublisher } from './publisher.js';
export type { FeedSink } from './sink.js';
export { SqliteOutbox } from './sqlite-outbox.js';
