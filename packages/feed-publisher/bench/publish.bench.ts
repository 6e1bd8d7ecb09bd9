/**
 * The monthly feed of every partnership through the outbox to the local Kafka broker, and to files:
 * messages/s and seconds from the first message written to the outbox (month close) to the last
 * one acknowledged. Prints figures; asserts nothing. Uses the broker at KAFKA_BROKERS, starting one
 * from infra/kafka (and stopping it afterwards) when none answers. BENCH_PARTNERSHIPS (default 300)
 * and BENCH_MESSAGES (per partnership, default 60) set the size.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import kafkajs from 'kafkajs';
import { z } from 'zod';
import { brokerSettings, isBrokerReady, type RunningBroker, startBroker, stopBroker } from '../../../infra/kafka/broker.mjs';
import { addToOutbox, createFileSink, createKafkaSink, type FeedMessage, type FeedSink, startPublisher } from '../src/index.js';

const partnerships = Number(process.env.BENCH_PARTNERSHIPS ?? 300);
const perPartnership = Number(process.env.BENCH_MESSAGES ?? 60);
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

/** Writes the month to the outbox one partnership per transaction, as the reporter would, with the publisher draining meanwhile. */
async function publishMonth(label: string, sink: FeedSink, topic: string) {
  const dir = mkdtempSync(join(tmpdir(), 'feed-bench-'));
  const db = new Database(join(dir, 'read-models.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  const total = partnerships * perPartnership;
  const publisher = startPublisher({ db, sink, onDeliveryFailed: (error) => console.error(`  delivery failed, retrying: ${String(error)}`) });
  const started = performance.now();
  for (let partnership = 0; partnership < partnerships; partnership++) {
    addToOutbox(db, measureMessage, monthOf(topic, partnership));
    publisher.wake();
    // Lets the publisher take its turn, as it would beside a reporter that awaits its reads.
    await new Promise((resolve) => setImmediate(resolve));
  }
  const written = performance.now();
  await publisher.drained();
  const acknowledged = performance.now();
  await publisher.stop();
  db.close();
  rmSync(dir, { recursive: true, force: true });
  const seconds = (acknowledged - started) / 1000;
  const bytes = JSON.stringify(monthOf(topic, 0)[0]?.value).length;
  console.info(`  ${label}: ${total.toLocaleString('en-GB')} messages of ~${bytes} bytes (${partnerships} partnerships × ${perPartnership})`);
  console.info(`    written to the outbox in ${((written - started) / 1000).toFixed(2)} s`);
  console.info(`    month close to last acknowledged: ${seconds.toFixed(2)} s (goal under 10 s), ${Math.round(total / seconds).toLocaleString('en-GB')} messages/s`);
}

const settings = brokerSettings();
let broker: RunningBroker | undefined;
if (!(await isBrokerReady(settings.brokers))) {
  const started = performance.now();
  broker = await startBroker(settings);
  console.info(`  started a Kafka broker at ${broker.brokers} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
const topic = `bench-feed-${Date.now()}`;
try {
  await publishMonth(`Kafka at ${settings.brokers}`, createKafkaSink({ brokers: [settings.brokers], topics: [topic] }), topic);
  const files = mkdtempSync(join(tmpdir(), 'feed-bench-files-'));
  await publishMonth('JSON Lines files', createFileSink(files), topic);
  rmSync(files, { recursive: true, force: true });
} finally {
  const admin = new kafkajs.Kafka({ brokers: [settings.brokers], logLevel: kafkajs.logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topic] }).catch(() => {});
  await admin.disconnect();
  if (broker?.started) await stopBroker(broker);
}
