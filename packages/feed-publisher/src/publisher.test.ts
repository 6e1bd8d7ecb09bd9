import { randomBytes } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@beacon/event-store-postgres/test-support';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Outbox, OutboxMessage } from './outbox.js';
import { PostgresOutbox } from './postgres-outbox.js';
import { type FeedHealth, startPublisher } from './publisher.js';
import type { FeedSink } from './sink.js';
import { SqliteOutbox } from './sqlite-outbox.js';
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

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database?.drop());

const outboxes: Array<[string, () => Promise<Outbox>]> = [
  ['SQLite', async () => new SqliteOutbox(new Database(':memory:'), { closes: true })],
  ['PostgreSQL', () => PostgresOutbox.open({ url: database.url, schema: `publisher_${randomBytes(6).toString('hex')}` })],
];

describe.each(outboxes)('the publisher, the outbox in %s', (_, open) => {
  let outbox: Outbox;
  beforeEach(async () => {
    outbox = await open();
  });
  afterEach(() => outbox.close());

  it('drains the outbox in order, in batches, and says the feed is ok', async () => {
    await outbox.add(testValueSchema, testMessages('feed', 25));
    const { sink, state } = fakeSink();
    const publisher = startPublisher({ outbox, sink, batchSize: 10 });
    await publisher.drained();
    expect(state.accepted.map((message) => message.position)).toEqual(Array.from({ length: 25 }, (_, index) => index + 1));
    expect(state.attempts).toBe(3);
    expect(publisher.health()).toMatchObject({ status: 'ok', sink: 'a fake sink', pending: 0 });

    await outbox.add(testValueSchema, testMessages('feed', 2, { from: 25 }));
    publisher.wake();
    await publisher.drained();
    expect(state.accepted).toHaveLength(27);
    await publisher.stop();
    expect(state.closed).toBe(true);
  });

  it('keeps trying while the sink fails, says since when the feed is delayed and why, then catches up in order', async () => {
    await outbox.add(testValueSchema, testMessages('feed', 5));
    const { sink, state } = fakeSink();
    state.down = true;
    const failures: FeedHealth[] = [];
    const publisher = startPublisher({ outbox, sink, batchSize: 2, retryDelayMs: { first: 5, most: 20 }, onDeliveryFailed: (_, health) => failures.push(health) });
    await until(() => failures.length >= 3);
    const delayed = publisher.health();
    expect(delayed).toMatchObject({ status: 'feed delayed', pending: 5, lastError: 'connect ECONNREFUSED 127.0.0.1:1' });
    expect(delayed.status === 'feed delayed' && delayed.since).toBe(failures[0]?.status === 'feed delayed' && failures[0].since);

    await outbox.add(testValueSchema, testMessages('feed', 2, { from: 5 }));
    state.down = false;
    await publisher.drained();
    expect(state.accepted.map((message) => message.position)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(publisher.health()).toMatchObject({ status: 'ok', pending: 0 });
    await publisher.stop();
  });

  it('stops promptly while waiting to retry, leaving the unsent messages in the outbox', async () => {
    await outbox.add(testValueSchema, testMessages('feed', 3));
    const { sink, state } = fakeSink();
    state.down = true;
    const publisher = startPublisher({ outbox, sink, retryDelayMs: { first: 60_000, most: 60_000 } });
    await until(() => state.attempts === 1);
    const drained = publisher.drained().catch((error: Error) => error.message);
    const started = Date.now();
    await publisher.stop();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(await drained).toBe('the feed publisher stopped before the outbox was empty');
    expect((await outbox.backlog()).pending).toBe(3);
  });
});
