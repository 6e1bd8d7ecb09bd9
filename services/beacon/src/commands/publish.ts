import { type Catalogue, loadCatalogue } from '@beacon/catalogue';
import { createFileSink, createKafkaSink, type FeedSink, type Outbox, openOutbox, startPublisher } from '@beacon/feed-publisher';
import { asAtMoment, PerformanceQueries } from '@beacon/read-models';
import type { OpenedReadModels } from '@beacon/stores';
import { monthClose, type PublishOutcome, Reporter } from '@beacon/reporter-service';
import type { Config } from '../config.js';
import { withReadModels } from './project.js';

const sinkFor = (config: Config): FeedSink =>
  config.feed.kind === 'kafka' ? createKafkaSink({ brokers: config.feed.brokers, topics: [config.feedTopic], clientId: 'beacon-cli' }) : createFileSink(config.feed.dir);

export const feedWhere = (config: Config) => (config.feed.kind === 'kafka' ? `Kafka topic ${config.feedTopic} at ${config.feed.brokers.join(',')}` : `${config.feed.dir}/${config.feedTopic}/`);

/** Sends what waits in the outbox, and says how it went; Kafka down means the feed waits in the outbox for next time. */
export async function drainFeed(config: Config, outbox: Outbox, say: (line: string) => void, timeoutMs = 60_000): Promise<boolean> {
  const publisher = startPublisher({ outbox, sink: sinkFor(config), retryDelayMs: { first: 250, most: 5_000 } });
  const timedOut = new Promise<'timed out'>((resolve) => setTimeout(() => resolve('timed out'), timeoutMs).unref());
  const result = await Promise.race([publisher.drained().then(() => 'sent' as const), timedOut]);
  const health = publisher.health();
  await publisher.stop();
  if (result === 'sent') return true;
  say(`  feed delayed: ${health.pending} messages wait in the outbox (${health.status === 'feed delayed' ? health.lastError : 'no answer'}); they go with the next publish`);
  return false;
}

const shown = (x: string | number | null) => (typeof x === 'number' ? Number(x.toFixed(2)) : x);

export const revisionLine = (r: PublishOutcome['revisions'][number]) =>
  `revision ${r.revision} of ${r.key}: ${r.changes.map((c) => `${c.what} ${shown(c.was)} → ${shown(c.now)}`).join('; ')}`;

export function outcomeLines(outcome: PublishOutcome): string[] {
  return [`  ${outcome.month} as at ${outcome.asAt}: ${outcome.added} messages written, ${outcome.unchanged} unchanged`, ...outcome.revisions.map((r) => `    ${revisionLine(r)}`)];
}

/** The reporter as the configuration sets it up, over up-to-date read models. */
export const reporterFor = (config: Config, outbox: Outbox, catalogue: Catalogue, queries: PerformanceQueries) =>
  new Reporter(outbox, queries, catalogue, { closeDay: config.closeDay, topic: config.feedTopic, readModels: config.readModels });

/** For a command that sends the feed: the outbox beside the read models, brought up to date, both closed after `work`. */
const withOutbox = <T>(config: Config, work: (readModels: OpenedReadModels, outbox: Outbox) => Promise<T>): Promise<T> =>
  withReadModels(config, async (readModels) => {
    // Opened after the read models, which refuse a new database that already holds other tables.
    const outbox = await openOutbox(config.readModels);
    try {
      return await work(readModels, outbox);
    } finally {
      await outbox.close();
    }
  });

/** `beacon publish --period 2009-03 [--as-at T]`: the month's feed worked out (as at now, or T) and sent. */
export async function publishCommand(config: Config, options: { period: string; asAt: string | undefined }, say: (line: string) => void): Promise<number> {
  const catalogue = loadCatalogue(config.catalogueDir);
  return withOutbox(config, async (readModels, outbox) => {
    const asAt = asAtMoment(options.asAt) ?? new Date().toISOString();
    say(`Publishing ${options.period} (the month closed ${monthClose(options.period, config.closeDay)}) to ${feedWhere(config)}:`);
    const reporter = reporterFor(config, outbox, catalogue, new PerformanceQueries(readModels.records, catalogue));
    try {
      for (const line of outcomeLines(await reporter.publish(options.period, asAt))) say(line);
    } finally {
      await reporter.close();
    }
    return (await drainFeed(config, outbox, say)) ? 0 : 1;
  });
}

/** `beacon republish --period 2009-03`: every revision of the month sent again, as it was published. */
export async function republishCommand(config: Config, options: { period: string }, say: (line: string) => void): Promise<number> {
  const catalogue = loadCatalogue(config.catalogueDir);
  return withOutbox(config, async (readModels, outbox) => {
    const count = await reporterFor(config, outbox, catalogue, new PerformanceQueries(readModels.records, catalogue)).republish(options.period);
    if (count === 0) {
      say(`Nothing was published for ${options.period} yet: use beacon publish --period ${options.period}`);
      return 1;
    }
    say(`Sending ${count} messages of ${options.period} again, every revision as it was, to ${feedWhere(config)}`);
    return (await drainFeed(config, outbox, say)) ? 0 : 1;
  });
}
