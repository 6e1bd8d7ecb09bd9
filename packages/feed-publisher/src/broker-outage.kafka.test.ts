// The broker going away and coming back. These tests start, kill and restart a broker of their
// own (infra/kafka/broker.mjs, a real JVM process), on free ports and in a temporary directory,
// so that the broker the other Kafka tests share is never disturbed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, stopBroker } from '../../../infra/kafka/broker.mjs';
import { createKafkaSink } from './kafka-sink.js';
import { startPublisher } from './publisher.js';
import { SqliteOutbox } from './sqlite-outbox.js';
import type { FeedSink } from './sink.js';
import { freePort, type Received, readTopic, testTopic, until } from './test-support/kafka.js';
import { testMessages, testValueSchema } from './test-support/messages.js';

describe('the publisher when the broker is down', () => {
  let broker: { brokers: string; controllerPort: number; dir: string; heap: string };
  beforeAll(async () => {
    broker = { brokers: `127.0.0.1:${await freePort()}`, controllerPort: await freePort(), dir: mkdtempSync(join(tmpdir(), 'beacon-kafka-')), heap: '384m' };
  });
  afterAll(async () => {
    await stopBroker(broker, { signal: 'SIGKILL' });
    rmSync(broker.dir, { recursive: true, force: true });
  });

  /** What a consumer keeps: the first message of each (key, revision), in the order it came. */
  const deduplicated = (received: Received[]) => {
    const seen = new Set<string>();
    return received.filter(({ key, revision }) => !seen.has(`${key} ${revision}`) && seen.add(`${key} ${revision}`));
  };

  it('keeps running while no broker answers at start-up, says "feed delayed", and catches up once the broker starts', async () => {
    const feed = testTopic('unreachable');
    const outbox = new SqliteOutbox(new Database(':memory:'));
    outbox.add(testValueSchema, testMessages(feed, 200));
    const expected = outbox.pending(1_000).map((message) => `${message.key} ${message.revision} ${message.value}`);
    const publisher = startPublisher({
      outbox,
      sink: createKafkaSink({ brokers: [broker.brokers], topics: [feed], connectionTimeoutMs: 500 }),
      retryDelayMs: { first: 100, most: 1_000 },
    });

    await until(() => publisher.health().status === 'feed delayed', 30_000, 'the feed to be delayed');
    const delayed = publisher.health();
    expect(delayed).toMatchObject({ status: 'feed delayed', pending: 200, lastError: expect.any(String) });
    await until(() => ((publisher.health() as { failedAttempts?: number }).failedAttempts ?? 0) >= 2, 30_000, 'a second attempt');
    expect(publisher.health()).toMatchObject({ status: 'feed delayed', since: delayed.status === 'feed delayed' ? delayed.since : '' });

    await startBroker(broker);
    await publisher.drained();
    expect(publisher.health()).toMatchObject({ status: 'ok', pending: 0 });
    await publisher.stop();
    const received = await readTopic(broker.brokers, feed);
    expect(received.map(({ key, revision, value }) => `${key} ${revision} ${value}`)).toEqual(expected);
  });

  it('loses nothing when the broker is killed in the middle of draining and started again: each key and revision arrives, in order, and the outbox empties', async () => {
    await startBroker(broker);
    const feed = testTopic('killed');
    const outbox = new SqliteOutbox(new Database(':memory:'));
    outbox.add(testValueSchema, testMessages(feed, 3_000));
    const expected = outbox.pending(10_000).map((message) => `${message.key} ${message.revision} ${message.value}`);

    const kafka = createKafkaSink({ brokers: [broker.brokers], topics: [feed], connectionTimeoutMs: 500 });
    let deliveries = 0;
    let killed: Promise<boolean> | undefined;
    // The kill is sent as the 11th batch goes out, so it lands while messages are in flight.
    const sink: FeedSink = {
      description: kafka.description,
      deliver(messages) {
        if (++deliveries === 11) killed = stopBroker(broker, { signal: 'SIGKILL' });
        return kafka.deliver(messages);
      },
      close: () => kafka.close(),
    };
    const publisher = startPublisher({ outbox, sink, batchSize: 50, retryDelayMs: { first: 100, most: 1_000 } });

    await until(() => killed !== undefined, 60_000, 'the 11th batch');
    expect(await killed).toBe(true);
    await until(() => publisher.health().status === 'feed delayed', 30_000, 'the feed to be delayed');
    const pendingWhileDown = outbox.backlog().pending;
    expect(pendingWhileDown).toBeGreaterThan(0);
    expect(pendingWhileDown).toBeLessThan(3_000);

    await startBroker(broker);
    await publisher.drained();
    await publisher.stop();
    expect(outbox.backlog().pending).toBe(0);

    const received = await readTopic(broker.brokers, feed);
    const kept = deduplicated(received).map(({ key, revision, value }) => `${key} ${revision} ${value}`);
    expect(kept).toEqual(expected);
    // At least once: a repeat, if any, is a batch sent again whole after the failure, so it comes after its first copy.
    expect(received.length - kept.length).toBeLessThanOrEqual(50);
    console.info(`broker killed mid-drain: ${received.length} messages received for ${expected.length} sent, ${received.length - kept.length} repeats`);
  });
});
