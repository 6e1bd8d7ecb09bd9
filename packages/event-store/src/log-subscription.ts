import type { StoredEvent, SubscribeOptions, Subscription } from './event-store.js';

/**
 * A subscription for adapters whose log can be read by position: reads batches after its
 * checkpoint until the log is exhausted, then sleeps until `wake()`. The adapter wakes it when
 * it learns of an append (its own, a notification, a poll).
 */
export class LogSubscription implements Subscription {
  readonly closed: Promise<void>;
  private stopped = false;
  /** A wake that came while reading: the read may have missed what it announced, so read again. */
  private woken = false;
  private wakeUp: (() => void) | undefined;

  constructor(
    readAfter: (after: bigint, maxCount: number) => StoredEvent[] | Promise<StoredEvent[]>,
    { after, onEvents, batchSize = 1000 }: SubscribeOptions,
    onEnd: (subscription: LogSubscription) => void,
  ) {
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer, not ${batchSize}.`);
    this.closed = this.deliver(readAfter, after, batchSize, onEvents).finally(() => onEnd(this));
    // Whoever awaits `closed` still sees the failure; nobody awaiting it must not crash the process.
    this.closed.catch(() => {});
  }

  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    await this.closed.catch(() => {});
  }

  private async deliver(
    readAfter: (after: bigint, maxCount: number) => StoredEvent[] | Promise<StoredEvent[]>,
    after: bigint,
    batchSize: number,
    onEvents: SubscribeOptions['onEvents'],
  ): Promise<void> {
    // Lets `subscribe` return before the first read.
    await null;
    let checkpoint = after;
    while (!this.stopped) {
      this.woken = false;
      const batch = await readAfter(checkpoint, batchSize);
      if (this.stopped) return;
      const last = batch.at(-1);
      if (last === undefined) {
        if (!this.woken) {
          await new Promise<void>((resolve) => {
            this.wakeUp = resolve;
          });
          this.wakeUp = undefined;
        }
        continue;
      }
      await onEvents(batch);
      checkpoint = last.position;
    }
  }
}

/**
 * An adapter's subscriptions: each reads the log by position on its own, and all are woken
 * together when the adapter learns of an append. What watches for appends (a poll, LISTEN, a live
 * subscription on the server) runs only while there are subscriptions: `watch.start` is called
 * with each new one (it must do nothing when already watching), `watch.stop` when none is left.
 */
export class LogSubscriptions {
  private readonly live = new Set<LogSubscription>();

  constructor(
    private readonly readAfter: (after: bigint, maxCount: number) => StoredEvent[] | Promise<StoredEvent[]>,
    private readonly watch: { start(): void; stop(): void },
  ) {}

  subscribe(options: SubscribeOptions): Subscription {
    const subscription = new LogSubscription(this.readAfter, options, (ended) => {
      this.live.delete(ended);
      if (this.live.size === 0) this.watch.stop();
    });
    this.live.add(subscription);
    this.watch.start();
    return subscription;
  }

  /** An append happened: every subscription reads on. */
  wake(): void {
    for (const subscription of this.live) subscription.wake();
  }

  /** Stops every subscription (each delivery under way finishes first) and the watching. */
  async stop(): Promise<void> {
    await Promise.all([...this.live].map((subscription) => subscription.stop()));
    this.watch.stop();
  }
}
