/**
 * The monthly feed against a real Kafka broker: what an independent consumer (kcat, and a kafkajs
 * consumer) reads is exactly what the reporter published; and the reporter service started with
 * no broker answering keeps working, says "feed delayed", and catches up when the broker comes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCatalogue } from '@beacon/catalogue';
import type { EventStore } from '@beacon/event-store';
import { openSqliteEventStore } from '@beacon/event-store-sqlite';
import { FeedMessageValue } from '@beacon/feed';
import { createKafkaSink, SqliteOutbox, startPublisher } from '@beacon/feed-publisher';
import { freePort, readTopic, readTopicWithKcat, testTopic, until } from '@beacon/feed-publisher/test-support';
import { catchUp } from '@beacon/projector-service';
import { recordCatalogue, sendSacReturns } from '@beacon/projector-service/test-support';
import { PerformanceQueries, ReadModels } from '@beacon/read-models';
import { afterAll, afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { startBroker, stopBroker } from '../../../infra/kafka/broker.mjs';
import { Reporter } from './reporter.js';
import { type ReporterHealth, startReporterService } from './service.js';

const catalogue = loadCatalogue();
const brokers = inject('kafkaBrokers');
let dir: string;
let store: EventStore;
let readModels: ReadModels;
let readModelsFile: string;
let outbox: SqliteOutbox;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'beacon-feed-'));
  store = await openSqliteEventStore({ file: join(dir, 'events.sqlite') });
  await recordCatalogue(store, catalogue);
  await sendSacReturns(store, catalogue);
  readModelsFile = join(dir, 'read-models.sqlite');
  readModels = new ReadModels(readModelsFile);
  outbox = SqliteOutbox.open(readModelsFile);
});
afterEach(async () => {
  outbox.close();
  readModels.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the feed on Kafka', () => {
  it('kcat and a kafkajs consumer see exactly the messages published for 2008/09, revisions included', async () => {
    await catchUp(store, readModels);
    const topic = testTopic('feed');
    const reporter = new Reporter(outbox, new PerformanceQueries(readModels.records, catalogue), catalogue, { topic });
    await reporter.cycle('2009-06-01T00:00:00.000Z');
    const published = outbox.pending(10_000);
    // April 2008 to March 2009, 30 messages a month, and the second revisions of March 2009.
    expect(published.filter((m) => m.revision === 1)).toHaveLength(12 * 30);
    expect(published.filter((m) => m.revision === 2).length).toBeGreaterThan(0);

    const publisher = startPublisher({ outbox, sink: createKafkaSink({ brokers: [brokers], topics: [topic] }) });
    await publisher.drained();
    await publisher.stop();

    const expected = published.map((m) => `${m.key} revision=${m.revision} ${m.value}`);
    expect(readTopicWithKcat(brokers, topic).trimEnd().split('\n')).toEqual(expected);
    const consumed = await readTopic(brokers, topic);
    expect(consumed.map((m) => `${m.key} revision=${m.revision} ${m.value}`)).toEqual(expected);
    for (const m of consumed) expect(() => FeedMessageValue.parse(JSON.parse(m.value))).not.toThrow();
    const revised = consumed.find((m) => m.key === 'DGCDRP/DBC/2009-03/priority-area/acquisitive-crime' && m.revision === '2')!;
    expect(JSON.parse(revised.value).changes).toContainEqual({ what: 'SAC: RAG', was: 'red', now: 'amber' });
  });
});

describe('the reporter service with no broker at start-up', () => {
  let broker: { brokers: string; controllerPort: number; dir: string; heap: string };
  afterAll(async () => {
    await stopBroker(broker, { signal: 'SIGKILL' });
    rmSync(broker.dir, { recursive: true, force: true });
  });

  it('keeps running, reports "feed delayed" on its health endpoint, and catches up when the broker starts', async () => {
    broker = { brokers: `127.0.0.1:${await freePort()}`, controllerPort: await freePort(), dir: mkdtempSync(join(tmpdir(), 'beacon-kafka-')), heap: '384m' };
    const topic = testTopic('delayed');
    const service = await startReporterService({
      store,
      keeper: readModels,
      records: readModels.records,
      readModels: { kind: 'sqlite', file: readModelsFile },
      outbox,
      catalogue,
      config: { store: { kind: 'sqlite', file: '' }, readModels: { kind: 'sqlite', file: '' }, catalogueDir: undefined, feed: { kind: 'kafka', brokers: [broker.brokers] }, topic, closeDay: 20, everyMs: 200, port: 0 },
      now: () => new Date('2009-06-01T00:00:00.000Z'),
    });
    const health = async () => (await service.server.inject({ method: 'GET', url: '/health' })).json() as ReporterHealth;
    try {
      await until(() => service.health().status === 'feed delayed', 60_000, 'the feed to be delayed');
      expect(await health()).toMatchObject({ status: 'feed delayed', feed: { status: 'feed delayed', lastError: expect.any(String) } });
      // Meanwhile the reporter did its month-close work: the messages wait in the outbox.
      const waiting = outbox.pending(10_000).length;
      expect(waiting).toBeGreaterThan(12 * 30);

      await startBroker(broker);
      await service.publisher.drained();
      await until(() => service.health().status === 'ok', 60_000, 'the feed to be ok');
      expect(await health()).toMatchObject({ status: 'ok', feed: { pending: 0 } });
      expect(await readTopic(broker.brokers, topic)).toHaveLength(waiting);
    } finally {
      await service.stop();
    }
  });
});
