import type { Catalogue } from '@beacon/catalogue';
import type { ReadModelsConfig } from '@beacon/config';
import type { EventStore, Subscription } from '@beacon/event-store';
import { createFileSink, createKafkaSink, type FeedHealth, type FeedPublisher, type Outbox, startPublisher } from '@beacon/feed-publisher';
import { follow } from '@beacon/projector-service';
import { PerformanceQueries, type RecordBook, type RecordKeeper } from '@beacon/read-models';
import { createAuth } from '@beacon/http-auth';
import { MONTH, MONTH_HINT } from '@beacon/periods';
import Fastify from 'fastify';
import type { ReporterConfig } from './config.js';
import { type PublishOutcome, Reporter } from './reporter.js';

export interface ReporterHealth {
  /** "feed delayed" while the feed cannot be delivered; the reporter keeps working and catches up. */
  status: 'ok' | 'feed delayed' | 'stopped';
  feed: FeedHealth;
  projectedTo: string;
  lastCycle: { at: string; published: Array<Pick<PublishOutcome, 'month' | 'asAt' | 'added'>> } | null;
  error?: string;
}

export interface ReporterServiceOptions {
  store: EventStore;
  /** Kept up to date by the service, which follows the log into it. */
  keeper: RecordKeeper;
  /** The same read models, as reports read them. */
  records: RecordBook;
  /** Where the read models are, for the worker threads that work out months of many areas. */
  readModels: ReadModelsConfig;
  /** The feed's outbox, beside the read models; it stays open when the service stops. */
  outbox: Outbox;
  catalogue: Catalogue;
  config: ReporterConfig;
  now?: () => Date;
}

/**
 * The reporter at work: keeps the read models up to date, runs the month-close cycle on a schedule,
 * and drains the outbox to Kafka (or files). Kafka being down delays the feed, never stops the
 * service: the health endpoint says "feed delayed" until the publisher catches up.
 */
export async function startReporterService(options: ReporterServiceOptions) {
  const { store, keeper, outbox, catalogue, config } = options;
  const now = options.now ?? (() => new Date());
  const reporter = new Reporter(outbox, new PerformanceQueries(options.records, catalogue), catalogue, {
    closeDay: config.closeDay,
    topic: config.topic,
    readModels: options.readModels,
  });
  const sink =
    config.feed.kind === 'kafka'
      ? createKafkaSink({ brokers: config.feed.brokers, topics: [config.topic], clientId: 'beacon-reporter' })
      : createFileSink(config.feed.dir);
  const publisher: FeedPublisher = startPublisher({ outbox, sink });
  let lastCycle: ReporterHealth['lastCycle'] = null;
  let error: string | undefined;
  // Started with the service, so that a month close does not wait for them.
  void reporter.startWorkers().catch((e: Error) => {
    error = e.message;
  });

  let cycling = false;
  const runCycle = async () => {
    if (cycling) return;
    cycling = true;
    try {
      const outcomes = await reporter.cycle(now().toISOString(), () => publisher.wake());
      lastCycle = { at: now().toISOString(), published: outcomes.map(({ month, asAt, added }) => ({ month, asAt, added })) };
      if (outcomes.some((o) => o.added > 0)) publisher.wake();
    } catch (e) {
      error = (e as Error).message;
    } finally {
      cycling = false;
    }
  };
  let cycleDue = true;
  let projectedTo = await keeper.checkpoint();
  // A cycle after the projector has taken a batch (new returns may revise published months) and on the schedule.
  const subscription: Subscription = await follow(store, keeper, {
    onBatch: (position) => {
      projectedTo = position;
      cycleDue = true;
    },
  });
  subscription.closed.catch((e: Error) => {
    error = e.message;
  });
  const timer = setInterval(() => {
    if (cycleDue) {
      cycleDue = false;
      void runCycle();
    }
  }, Math.min(config.everyMs, 1_000));
  const schedule = setInterval(() => (cycleDue = true), config.everyMs);

  const health = (): ReporterHealth => {
    const feed = publisher.health();
    return { status: error ? 'stopped' : feed.status, feed, projectedTo: String(projectedTo), lastCycle, ...(error && { error }) };
  };
  const server = Fastify();
  // Feed consumers may also read a month's messages over HTTP with their token (no sign-in pages here).
  const auth = createAuth({ store, catalogue });
  void server.register(auth.plugin);
  server.get('/feed/:month', { preHandler: auth.requires('read-feed') }, async (request, reply) => {
    const { month } = request.params as { month: string };
    if (!MONTH.test(month)) return reply.code(400).send({ message: `${month}: ${MONTH_HINT}` });
    return reply.type('application/x-ndjson; charset=utf-8').send(await reporter.messagesOf(month));
  });
  server.get('/health', async (_request, reply) => {
    const h = health();
    return reply.code(h.status === 'stopped' ? 503 : 200).send(h);
  });

  return {
    reporter,
    publisher,
    server,
    health,
    async stop() {
      clearInterval(timer);
      clearInterval(schedule);
      await subscription.stop();
      await server.close();
      await publisher.stop();
      await reporter.close();
    },
  };
}
