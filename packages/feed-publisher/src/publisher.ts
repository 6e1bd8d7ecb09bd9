import type { Outbox } from './outbox.js';
import type { FeedSink } from './sink.js';

/** `pending` is how many messages waited when the publisher last looked: at most a poll interval ago. */
export type FeedHealth =
  | { status: 'ok'; sink: string; pending: number; lastSentAt: string | undefined }
  | {
      status: 'feed delayed';
      sink: string;
      pending: number;
      lastSentAt: string | undefined;
      /** When the first of the failed attempts in a row began. */
      since: string;
      lastError: string;
      failedAttempts: number;
    };

export interface PublisherOptions {
  /** The outbox to drain; it stays open when the publisher stops. */
  outbox: Outbox;
  /** Owned by the publisher from now on: stop() closes it. */
  sink: FeedSink;
  /** Messages per delivery. Default 500. */
  batchSize?: number;
  /** How often an empty outbox is looked at again, for messages added by another process; wake() looks at once. Default 200 ms. */
  pollIntervalMs?: number;
  /** The wait after a failed delivery: doubles from the first to the most. Default 250 ms to 30 s. */
  retryDelayMs?: { first: number; most: number };
  /** Told of every failed delivery (it is retried), e.g. to log it. */
  onDeliveryFailed?: (error: unknown, health: FeedHealth) => void;
  now?: () => Date;
}

export interface FeedPublisher {
  health(): FeedHealth;
  /** Looks at the outbox now instead of at the next poll: call it after adding messages. */
  wake(): void;
  /** Resolves when the outbox has nothing left to send. */
  drained(): Promise<void>;
  /** Lets the delivery under way finish (nothing is cut off half-sent), then closes the sink. */
  stop(): Promise<void>;
}

/**
 * Drains the outbox to the sink, oldest message first, in batches. A batch is marked sent only
 * after the sink accepted all of it; a failed batch is sent again, whole and first, after a wait
 * that doubles up to a limit, for as long as it takes. So nothing is lost or overtaken, and a
 * message may arrive more than once (a batch that failed half-way), never out of order. While
 * deliveries fail the health state is "feed delayed", with when it began and the last error.
 * One publisher per outbox: two would send each message twice.
 */
export function startPublisher(options: PublisherOptions): FeedPublisher {
  const { outbox, sink } = options;
  const batchSize = options.batchSize ?? 500;
  const pollIntervalMs = options.pollIntervalMs ?? 200;
  const retryDelay = options.retryDelayMs ?? { first: 250, most: 30_000 };
  const now = options.now ?? (() => new Date());

  let stopping = false;
  let lastSentAt: string | undefined;
  let pending = 0;
  let failing: { since: string; lastError: string; failedAttempts: number } | undefined;
  let drainedWaiters: { resolve: () => void; reject: (error: Error) => void }[] = [];
  let interrupt: (() => void) | undefined;
  /** Set by wake() and drained() during a look, which may have begun before their messages were added. */
  let lookAgain = false;

  /** Waits ms, or less if interrupted by wake() (only when `wakeable`) or stop(). */
  const pause = (ms: number, wakeable: boolean) =>
    new Promise<void>((resolve) => {
      if (stopping) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        interrupt = undefined;
        resolve();
      }
      interrupt = wakeable ? done : () => stopping && done();
    });

  function health(): FeedHealth {
    const base = { sink: sink.description, pending, lastSentAt };
    return failing ? { status: 'feed delayed', ...base, ...failing } : { status: 'ok', ...base };
  }

  async function run() {
    let delay = retryDelay.first;
    while (!stopping) {
      try {
        // Who asked before this look began: one who asks during it waits for the next look.
        const asked = drainedWaiters.length;
        lookAgain = false;
        const batch = await outbox.pending(batchSize);
        // Counted only when more wait than one batch: health() answers at once, from this look.
        pending = batch.length < batchSize ? batch.length : (await outbox.backlog()).pending;
        if (batch.length === 0) {
          for (const waiter of drainedWaiters.splice(0, asked)) waiter.resolve();
          if (!lookAgain) await pause(pollIntervalMs, true);
          continue;
        }
        await sink.deliver(batch);
        const at = now();
        await outbox.markSent(
          batch.map((message) => message.position),
          at,
        );
        pending -= batch.length;
        lastSentAt = at.toISOString();
        failing = undefined;
        delay = retryDelay.first;
      } catch (error) {
        failing = {
          since: failing?.since ?? now().toISOString(),
          lastError: error instanceof Error ? error.message : String(error),
          failedAttempts: (failing?.failedAttempts ?? 0) + 1,
        };
        options.onDeliveryFailed?.(error, health());
        await pause(delay, false);
        delay = Math.min(delay * 2, retryDelay.most);
      }
    }
  }

  const running = run();

  return {
    health,
    wake() {
      lookAgain = true;
      interrupt?.();
    },
    drained() {
      if (stopping) return Promise.reject(new Error('the feed publisher is stopped'));
      return new Promise((resolve, reject) => {
        drainedWaiters.push({ resolve, reject });
        lookAgain = true;
        interrupt?.();
      });
    },
    async stop() {
      if (!stopping) {
        stopping = true;
        interrupt?.();
        for (const waiter of drainedWaiters) waiter.reject(new Error('the feed publisher stopped before the outbox was empty'));
        drainedWaiters = [];
      }
      await running;
      await sink.close();
    },
  };
}
