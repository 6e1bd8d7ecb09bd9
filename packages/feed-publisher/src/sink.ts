import type { OutboxMessage } from './outbox.js';

/** Where the publisher delivers the outbox: Kafka, or files in the embedded default. */
export interface FeedSink {
  /** Says where messages go, for logs and the health state. */
  readonly description: string;
  /**
   * Delivers the messages in the order given and resolves once all of them are durably
   * accepted; rejects if any may not have been, and the publisher sends them all again later.
   */
  deliver(messages: readonly OutboxMessage[]): Promise<void>;
  close(): Promise<void>;
}
