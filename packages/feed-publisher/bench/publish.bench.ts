/**
 * The monthly feed of every partnership through the outbox to the local Kafka broker, and to files:
 * messages/s and seconds from the first message written to the outbox (month close) to the last
 * one acknowledged; then the outbox in SQLite and in PostgreSQL side by side, written while
 * draining to files, and BENCH_DRAIN (default 10,000) messages already waiting drained to files.
 * Prints figures; asserts nothing. Uses the broker at KAFKA_BROKERS, starting one from
 * infra/kafka (and stopping it afterwards) when none answers, and a database of its own on the
 * local PostgreSQL server (see createTestDatabase). BENCH_PARTNERSHIPS (default 300) and
 * BENCH_MESSAGES (per partnership, default 60) set the size.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from '@beacon/event-store-postgres/test-support';
import kafkajs from 'kafkajs';
import { z } from 'zod';
import { brokerSettings, isBrokerReady, type RunningBroker, startBroker, stopBroker } from '../../../infra/kafka/broker.mjs';
import { createFileSink, createKafkaSink, type FeedMessage, type FeedSink, type Outbox, PostgresOutbox, SqliteOutbox, startPublisher } from '../src/index.js';

const partnerships = Number(process.env.BENCH_PARTNERSHIPS ?? 300);
const perPartnership = Number(process.env.BENCH_MESSAGES ?? 60);
const drainCount = Number(process.env.BENCH_DRAIN ?? 10_000);
const period = '2009-03';

/** Shaped like a feed message about one measure of one area and period (the real schema comes with the reporter): ~700 bytes of JSON. */
const measureMessage = z.object({
  partnership: z.string(),
  area: z.string(),
  period: z.string(),
  priorityArea: z.string(),
  measure: z.object({
    id: z.string(),
    value: z.number(),
    interval: z.object({ lower: z.number(), upper: z.number() }),
    target: z.number(),
    trajectory: z.number(),
    rag: z.enum(['red', 'amber', 'green']),
    direction: z.enum(['improving', 'worsening', 'no change']),
  }),
  provenance: z.array(z.string()),
  asAt: z.string(),
  revision: z.number().int(),
});
type Value = z.input<typeof measureMessage>;

function monthOf(topic: string, partnership: number): FeedMessage<Value>[] {
  const id = `csp-${String(partnership).padStart(3, '0')}`;
  return Array.from({ length: perPartnership }, (_, index) => {
    const measure = `NI${String(index + 1).padStart(3, '0')}`;
    return {
      topic,
      key: `${id}/${period}/${measure}`,
      revision: 1,
      period,
      value: {
        partnership: id,
        area: `E0700${String(100 + partnership).padStart(4, '0')}`,
        period,
        priorityArea: ['violent-crime', 'acquisitive-crime', 'anti-social-behaviour', 'substance-misuse', 'reoffending', 'road-safety'][index % 6] ?? '',
        measure: {
          id: measure,
          value: 10 + ((partnership * 7 + index) % 90),
          interval: { lower: 8.5, upper: 12.25 },
          target: 11,
          trajectory: 10.5,
          rag: (['green', 'amber', 'red'] as const)[(partnership + index) % 3] ?? 'green',
          direction: 'improving',
        },
        provenance: [`return-${id}-2009-03-police`, `return-${id}-2009-03-council`],
        asAt: '2009-04-01T00:00:00.000Z',
        revision: 1,
      },
    };
  });
}

/** The outboxes compared: a new one each time, and how to throw it away. */
type OutboxKind = { name: string; open: () => Promise<{ outbox: Outbox; dispose: () => Promise<void> }> };

const sqlite: OutboxKind = {
  name: 'SQLite',
  async open() {
    const dir = mkdtempSync(join(tmpdir(), 'feed-bench-'));
    const outbox = SqliteOutbox.open(join(dir, 'read-models.sqlite'));
    const dispose = async () => {
      outbox.close();
      rmSync(dir, { recursive: true, force: true });
    };
    return { outbox, dispose };
  },
};

function postgres(url: string): OutboxKind {
  let schemas = 0;
  return { name: 'PostgreSQL', open: async () => ({ outbox: await PostgresOutbox.open({ url, schema: `bench_${++schemas}` }), dispose: async () => {} }) };
}

/** Writes the month to the outbox one partnership per call, as the reporter would, with the publisher draining meanwhile. */
async function publishMonth(label: string, sink: FeedSink, topic: string, kind: OutboxKind) {
  const { outbox, dispose } = await kind.open();
  const total = partnerships * perPartnership;
  const publisher = startPublisher({ outbox, sink, onDeliveryFailed: (error) => console.error(`  delivery failed, retrying: ${String(error)}`) });
  const started = performance.now();
  for (let partnership = 0; partnership < partnerships; partnership++) {
    await outbox.add(measureMessage, monthOf(topic, partnership));
    publisher.wake();
    // Lets the publisher take its turn, as it would beside a reporter that awaits its reads.
    await new Promise((resolve) => setImmediate(resolve));
  }
  const written = performance.now();
  await publisher.drained();
  const acknowledged = performance.now();
  await publisher.stop();
  await dispose();
  const seconds = (acknowledged - started) / 1000;
  const bytes = JSON.stringify(monthOf(topic, 0)[0]?.value).length;
  console.info(`  ${label}, outbox in ${kind.name}: ${total.toLocaleString('en-GB')} messages of ~${bytes} bytes (${partnerships} partnerships × ${perPartnership})`);
  console.info(`    written to the outbox in ${((written - started) / 1000).toFixed(2)} s`);
  console.info(`    month close to last acknowledged: ${seconds.toFixed(2)} s (goal under 10 s), ${Math.round(total / seconds).toLocaleString('en-GB')} messages/s`);
}

/** Messages/s from an outbox already holding `drainCount` messages to feed files, until it is empty. */
async function drainRate(kind: OutboxKind, topic: string): Promise<number> {
  const { outbox, dispose } = await kind.open();
  const messages = Array.from({ length: Math.ceil(drainCount / perPartnership) }, (_, partnership) => monthOf(topic, partnership))
    .flat()
    .slice(0, drainCount);
  await outbox.add(measureMessage, messages);
  const files = mkdtempSync(join(tmpdir(), 'feed-bench-files-'));
  const started = performance.now();
  const publisher = startPublisher({ outbox, sink: createFileSink(files) });
  await publisher.drained();
  const seconds = (performance.now() - started) / 1000;
  await publisher.stop();
  await dispose();
  rmSync(files, { recursive: true, force: true });
  return drainCount / seconds;
}

const settings = brokerSettings();
let broker: RunningBroker | undefined;
if (!(await isBrokerReady(settings.brokers))) {
  const started = performance.now();
  broker = await startBroker(settings);
  console.info(`  started a Kafka broker at ${broker.brokers} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
const topic = `bench-feed-${Date.now()}`;
const database = await createTestDatabase();
try {
  await publishMonth(`Kafka at ${settings.brokers}`, createKafkaSink({ brokers: [settings.brokers], topics: [topic] }), topic, sqlite);
  for (const kind of [sqlite, postgres(database.url)]) {
    const files = mkdtempSync(join(tmpdir(), 'feed-bench-files-'));
    await publishMonth('JSON Lines files', createFileSink(files), topic, kind);
    rmSync(files, { recursive: true, force: true });
  }
  // Once to warm up (JIT, the server's caches), then measured.
  const rates = [];
  for (const kind of [sqlite, postgres(database.url)]) {
    await drainRate(kind, topic);
    rates.push([kind.name, await drainRate(kind, topic)] as const);
  }
  console.info(`\n| ${drainCount.toLocaleString('en-GB')} waiting messages drained to files | messages/s |\n|---|---|`);
  for (const [name, rate] of rates) console.info(`| outbox in ${name} | ${Math.round(rate).toLocaleString('en-GB')} |`);
} finally {
  await database.drop();
  const admin = new kafkajs.Kafka({ brokers: [settings.brokers], logLevel: kafkajs.logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topic] }).catch(() => {});
  await admin.disconnect();
  if (broker?.started) await stopBroker(broker);
}
