/**
 * The monthly feed for 300 partnerships (two boroughs each, ten years of every rated measure) to
 * the local Kafka broker: seconds from month close to the last message acknowledged, and
 * messages/s. Starts a broker (infra/kafka) when none answers. BENCH_PARTNERSHIPS=30 for a quick run;
 * BENCH_READ_MODELS=postgres keeps the read models and the outbox in PostgreSQL (the test server,
 * in a scratch database) instead of SQLite.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCatalogue } from '@beacon/catalogue';
import { openSqliteEventStore } from '@beacon/event-store-sqlite';
import { catalogueRecords, toEventToAppend } from '@beacon/events';
import type { ReadModelsConfig } from '@beacon/config';
import { createTestDatabase } from '@beacon/event-store-postgres/test-support';
import { createKafkaSink, openOutbox, startPublisher } from '@beacon/feed-publisher';
import { catchUp } from '@beacon/projector-service';
import { PerformanceQueries } from '@beacon/read-models';
import { openReadModels } from '@beacon/stores';
import { defaultBrokers, isBrokerReady, startBroker, stopBroker } from '../../../infra/kafka/broker.mjs';
import { catalogueWithPartnerships, PARTNERSHIPS, partnershipReturns, partnershipTargets } from '../../projector/bench/partnerships.js';
import { monthClose, Reporter } from '../src/reporter.js';

const dir = mkdtempSync(join(tmpdir(), 'beacon-feed-bench-'));
const startedBroker = !(await isBrokerReady(defaultBrokers));
const database = process.env.BENCH_READ_MODELS === 'postgres' ? await createTestDatabase() : undefined;
const readModelsAt: ReadModelsConfig = database ? { kind: 'postgres', url: database.url, schema: 'beacon_records' } : { kind: 'sqlite', file: join(dir, 'read-models.sqlite') };
try {
  if (startedBroker) await startBroker();
  const catalogueDir = catalogueWithPartnerships();
  const catalogue = loadCatalogue(catalogueDir);
  console.log(`Building a store: ${PARTNERSHIPS} partnerships, 10 years...`);
  const store = await openSqliteEventStore({ file: join(dir, 'events.sqlite') });
  for (const record of catalogueRecords(catalogue)) await store.append(record.stream, [toEventToAppend(record.event, record.id)]);
  for (const target of partnershipTargets(catalogueDir)) await store.append(target.stream, target.events);
  for (const r of partnershipReturns(catalogueDir)) await store.append(r.stream, r.events, { expectedRevision: 'no_stream' });
  const readModels = await openReadModels(readModelsAt);
  console.log(`Projecting into ${readModels.location}...`);
  await catchUp(store, readModels.keeper);
  await store.close();

  const topic = `bench-feed-${Date.now()}`;
  const outbox = await openOutbox(readModelsAt);
  const reporter = new Reporter(outbox, new PerformanceQueries(readModels.records, catalogue), catalogue, { topic, readModels: readModelsAt });
  const publisher = startPublisher({ outbox, sink: createKafkaSink({ brokers: [defaultBrokers], topics: [topic] }), batchSize: 1_000 });
  // As in the reporter service, the worker threads are running before the month closes.
  await reporter.startWorkers();
  const month = '2017-03';
  console.log(`Month close of ${month} for ${catalogue.areas.length} areas...`);
  const started = performance.now();
  // Messages are sent as soon as each area's are written, while the rest are worked out.
  const outcome = await reporter.publish(month, monthClose(month, 20), () => publisher.wake());
  const written = performance.now();
  await publisher.drained();
  const acknowledged = performance.now();
  await publisher.stop();
  await reporter.close();
  await outbox.close();
  await readModels.close();

  const rows: Array<[string, string, string]> = [
    ['messages', outcome.added.toLocaleString('en-GB'), ''],
    ['summaries worked out and written to the outbox (sending meanwhile)', `${((written - started) / 1000).toFixed(1)} s`, ''],
    ['rest of the outbox drained to Kafka after that', `${((acknowledged - written) / 1000).toFixed(1)} s`, ''],
    ['month close to last message acknowledged', `${((acknowledged - started) / 1000).toFixed(1)} s (${Math.round(outcome.added / ((acknowledged - started) / 1000)).toLocaleString('en-GB')} messages/s)`, '< 10 s'],
  ];
  console.log(`\nRead models and outbox: ${readModelsAt.kind === 'sqlite' ? 'SQLite' : 'PostgreSQL'}\n| measure | figure | goal |\n|---|---|---|`);
  for (const [measure, figure, goal] of rows) console.log(`| ${measure} | ${figure} | ${goal || '-'} |`);
} finally {
  await database?.drop();
  if (startedBroker) await stopBroker();
  rmSync(dir, { recursive: true, force: true });
}
