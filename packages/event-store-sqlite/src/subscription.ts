import type { StoredEvent, SubscribeOptions, Subscription } from '@beacon/event-store';

/**
 * Reads batches after its checkpoint until the log is exhausted, then sleeps until `wake()`:
 * the store wakes it after its own appends and when its poll sees another connection's.
 */
export class LogSubscription implements Subscription {
  readonly closed: Promise<void>;
  private stopped = false;
  private wakeUp: (() => void) | undefined;

  constructor(
    readAfter: (after: bigint, maxCount: number) => StoredEvent[],
    { after, onEvents, batchSize = 1000 }: SubscribeOptions,
    onEnd: (subscription: LogSubscription) => void,
  ) {
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer, not ${batchSize}.`);
    this.closed = this.deliver(readAfter, after, batchSize, onEvents).finally(() => onEnd(this));
    // Whoever awaits `closed` still sees the failure; nobody awaiting it must not crash the process.
    this.closed.catch(() => {});
  }

  wake(): void {
    this.wakeUp?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    await this.closed.catch(() => {});
  }

  private async deliver(
    readAfter: (after: bigint, maxCount: number) => StoredEvent[],
    after: bigint,
    batchSize: number,
    onEvents: SubscribeOptions['onEvents'],
  ): Promise<void> {
    // Lets `subscribe` return before the first read.
    await null;
    let checkpoint = after;
    while (!this.stopped) {
      const batch = readAfter(checkpoint, batchSize);
      const last = batch.at(-1);
      if (last === undefined) {
        await new Promise<void>((resolve) => {
          this.wakeUp = resolve;
        });
        this.wakeUp = undefined;
        continue;
      }
      await onEvents(batch);
      checkpoint = last.position;
    }
  }
}
