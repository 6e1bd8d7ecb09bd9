import Database from 'better-sqlite3';
import { beforeEach, describe, expect, it } from 'vitest';
import { addToOutbox, type OutboxMessage, outboxBacklog } from './outbox.js';
import { type FeedHealth, startPublisher } from './publisher.js';
import type { FeedSink } from './sink.js';
import { testMessages, testValueSchema } from './test-support/messages.js';

/** A sink that fails while `down` is true, and records what it accepted. */
function fakeSink() {
  const state = { down: false, accepted: [] as OutboxMessage[], attempts: 0, closed: false };
  const sink: FeedSink = {
    description: 'a fake sink',
    async deliver(messages) {
      state.attempts++;
      await new Promise((resolve) => setTimeout(resolve, 1));
      if (state.down) throw new Error('connect ECONNREFUSED 127.0.0.1:1');
      state.accepted.push(...messages);
    },
    async close() {
      state.closed = true;
    },
  };
  return { sink, state };
}

async function until(condition: () => boolean, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('the publisher', () => {
  let db: Database.Database;
  beforeEach(() => {
    db = new Database(':memory:');
  });

  it('drains the outbox in order, in batches, and says the feed is ok', async () => {
    addToOutbox(db, testValueSchema, testMessages('feed', 25));
    const { sink, state } = fakeSink();
    const publisher = startPublisher({ db, sink, batchSize: 10 });
    await publisher.drained();
    expect(state.accepted.map((message) => message.position)).toEqual(Array.from({ length: 25 }, (_, index) => index + 1));
    expect(state.attempts).toBe(3);
    expect(publisher.health()).toMatchObject({ status: 'ok', sink: 'a fake sink', pending: 0 });

    addToOutbox(db, testValueSchema, testMessages('feed', 2, { from: 25 }));
    publisher.wake();
    await publisher.drained();
    expect(state.accepted).toHaveLength(27);
    await publisher.stop();
    expect(state.closed).toBe(true);
  });

  it('keeps trying while the sink fails, says since when the feed is delayed and why, then catches up in order', async () => {
    addToOutbox(db, testValueSchema, testMessages('feed', 5));
    const { sink, state } = fakeSink();
    state.down = true;
    const failures: FeedHealth[] = [];
    const publisher = startPublisher({ db, sink, batchSize: 2, retryDelayMs: { first: 5, most: 20 }, onDeliveryFailed: (_, health) => failures.push(health) });
    await until(() => failures.length >= 3);
    const delayed = publisher.health();
    expect(delayed).toMatchObject({ status: 'feed delayed', pending: 5, lastError: 'connect ECONNREFUSED 127.0.0.1:1' });
    expect(delayed.status === 'feed delayed' && delayed.since).toBe(failures[0]?.status === 'feed delayed' && failures[0].since);

    addToOutbox(db, testValueSchema, testMessages('feed', 2, { from: 5 }));
    state.down = false;
    await publisher.drained();
    expect(state.accepted.map((message) => message.position)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(publisher.health()).toMatchObject({ status: 'ok', pending: 0 });
    await publisher.stop();
  });

  it('stops promptly while waiting to retry, leaving the unsent messages in the outbox', async () => {
    addToOutbox(db, testValueSchema, testMessages('feed', 3));
    const { sink, state } = fakeSink();
    state.down = true;
    const publisher = startPublisher({ db, sink, retryDelayMs: { first: 60_000, most: 60_000 } });
    await until(() => state.attempts === 1);
    const drained = publisher.drained().catch((error: Error) => error.message);
    const started = Date.now();
    await publisher.stop();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(await drained).toBe('the feed publisher stopped before the outbox was empty');
    expect(outboxBacklog(db).pending).toBe(3);
  });
});
