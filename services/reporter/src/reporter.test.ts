import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCatalogue } from '@beacon/catalogue';
import type { ReadModelsConfig } from '@beacon/config';
import type { EventStore } from '@beacon/event-store';
import { createTestDatabase } from '@beacon/event-store-postgres/test-support';
import { openSqliteEventStore } from '@beacon/event-store-sqlite';
import { FEED_TOPIC, FeedMessageValue } from '@beacon/feed';
import { createFileSink, FeedMessageInvalid, openOutbox, SqliteOutbox, startPublisher } from '@beacon/feed-publisher';
import { catchUp, rebuild } from '@beacon/projector-service';
import { recordCatalogue, sendSacReturns } from '@beacon/projector-service/test-support';
import { PerformanceQueries, ReadModels } from '@beacon/read-models';
import { openReadModels } from '@beacon/stores';
import { Accounts } from '@beacon/accounts';
import { tokenFor } from '@beacon/accounts/test-support';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { monthClose, Reporter } from './reporter.js';
import { startReporterService } from './service.js';

const catalogue = loadCatalogue();
let dir: string;
let store: EventStore;
let readModels: ReadModels;
let readModelsAt: ReadModelsConfig;
let feedOutbox: SqliteOutbox;
let reporter: Reporter;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'beacon-reporter-'));
  store = await openSqliteEventStore({ file: join(dir, 'events.sqlite') });
  await recordCatalogue(store, catalogue);
  await sendSacReturns(store, catalogue);
  readModelsAt = { kind: 'sqlite', file: join(dir, 'read-models.sqlite') };
  readModels = new ReadModels(readModelsAt.file);
  await catchUp(store, readModels);
  feedOutbox = SqliteOutbox.open(readModelsAt.file);
  reporter = new Reporter(feedOutbox, new PerformanceQueries(readModels.records, catalogue), catalogue);
});
afterEach(async () => {
  feedOutbox.close();
  readModels.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const outbox = () => feedOutbox.pending(10_000);
const value = (key: string, revision = 1) => JSON.parse(outbox().find((m) => m.key === key && m.revision === revision)!.value) as FeedMessageValue;

describe('the monthly feed', () => {
  it('closes March 2009 on 20 April: one message per area and priority area or PSA, as at the close', async () => {
    expect(monthClose('2009-03', 20)).toBe('2009-04-20T00:00:00.000Z');
    const outcome = await reporter.publish('2009-03', monthClose('2009-03', 20));
    // 3 areas (Dartford, Gravesham, the partnership) x (6 priority areas + 4 PSAs).
    expect(outcome.added).toBe(30);
    const keys = outbox().map((m) => m.key);
    expect(keys).toContain('DGCDRP/DBC/2009-03/priority-area/acquisitive-crime');
    expect(keys).toContain('DGCDRP/DGCDRP/2009-03/psa/PSA23');
    const dartford = value('DGCDRP/DBC/2009-03/priority-area/acquisitive-crime');
    expect(FeedMessageValue.parse(dartford)).toEqual(dartford);
    // On 20 April Dartford's March still said 170: 1,365 / 90,900 × 1,000 = 15.02 per 1,000, Red against 13.7.
    const sac = dartford.measures.find((m) => m.id === 'SAC')!;
    expect(sac.value).toBeCloseTo(15.0165, 3);
    expect(sac).toMatchObject({ rag: 'red', ratedOn: 'rolling', target: { id: 'SAC-2008-09', version: 1, inheritedFrom: { area: 'DGCDRP', measureId: 'SAC' } } });
    expect(sac.returnIds).toHaveLength(12);
    expect(dartford).toMatchObject({ revision: 1, changes: [], asAt: '2009-04-20T00:00:00.000Z', rag: { status: 'red', counts: { green: 0, amber: 0, red: 1, grey: 3 } }, psas: ['PSA23'] });
  });

  it('publishes the correction recorded after the close as a new revision of the same keys, saying what changed', async () => {
    const outcomes = await reporter.cycle('2009-06-01T00:00:00.000Z');
    const march = outcomes.filter((o) => o.month === '2009-03');
    expect(march.map((o) => o.asAt)).toEqual(['2009-04-20T00:00:00.000Z', '2009-04-20T11:15:00.000Z']);
    const revision = march[1]!.revisions.find((r) => r.key === 'DGCDRP/DBC/2009-03/priority-area/acquisitive-crime')!;
    expect(revision.revision).toBe(2);
    expect(revision.changes).toEqual([
      { what: 'Acquisitive Crime: RAG', was: 'red', now: 'amber' },
      { what: 'SAC: value', was: expect.closeTo(15.0165, 3), now: expect.closeTo(14.3014, 3) },
      { what: 'SAC: RAG', was: 'red', now: 'amber' },
    ]);
    // Gravesham's figures did not change: no second revision for its keys.
    expect(outbox().filter((m) => m.key.startsWith('DGCDRP/GBC/2009-03/')).every((m) => m.revision === 1)).toBe(true);
    // A later cycle with nothing new adds nothing.
    expect(await reporter.cycle('2009-06-02T00:00:00.000Z')).toEqual([]);
  });

  it('is reproducible from the log: a rebuild gives byte-identical messages', async () => {
    const close = monthClose('2009-03', 20);
    const first = JSON.stringify(await reporter.contentsOf('2009-03', close));
    const rebuiltFile = join(dir, 'rebuilt.sqlite');
    await rebuild(store, { kind: 'sqlite', file: rebuiltFile });
    const rebuilt = new ReadModels(rebuiltFile);
    const again = new Reporter(feedOutbox, new PerformanceQueries(rebuilt.records, catalogue), catalogue);
    expect(JSON.stringify(await again.contentsOf('2009-03', close))).toBe(first);
    rebuilt.close();
  });

  it('works out a month the same in worker threads as in one thread', async () => {
    const close = monthClose('2009-03', 20);
    const parallel = new Reporter(feedOutbox, new PerformanceQueries(readModels.records, catalogue), catalogue, { parallelFrom: 1, readModels: readModelsAt });
    await parallel.publish('2009-03', close);
    await parallel.close();
    const sequential = await reporter.contentsOf('2009-03', close);
    // The same messages, byte for byte; the workers' areas may interleave in the outbox.
    const byKey = (a: { key: string }, b: { key: string }) => a.key.localeCompare(b.key);
    expect(outbox().sort(byKey).map((m) => [m.key, m.value])).toEqual(
      [...sequential].sort(byKey).map(({ key, content }) => [key, JSON.stringify({ ...content, revision: 1, changes: [] })]),
    );
  });

  it('never puts a message that breaks the schema in the outbox, and names the field', async () => {
    await reporter.publish('2009-03', monthClose('2009-03', 20));
    const good = value('DGCDRP/DBC/2009-03/priority-area/acquisitive-crime');
    const bad = { ...good, rag: { ...good.rag, status: 'purple' } };
    expect(() => feedOutbox.add(FeedMessageValue, [{ topic: FEED_TOPIC, key: 'bad', revision: 1, period: '2009-03', value: bad as never }])).toThrow(FeedMessageInvalid);
    expect(() => feedOutbox.add(FeedMessageValue, [{ topic: FEED_TOPIC, key: 'bad', revision: 1, period: '2009-03', value: bad as never }])).toThrow(/value\.rag\.status/);
    expect(outbox().some((m) => m.key === 'bad')).toBe(false);
  });

  it('without Kafka, writes the same messages to one JSON Lines file per month', async () => {
    await reporter.cycle('2009-06-01T00:00:00.000Z');
    const pending = outbox();
    const feedDir = join(dir, 'feed');
    const publisher = startPublisher({ outbox: feedOutbox, sink: createFileSink(feedDir) });
    await publisher.drained();
    await publisher.stop();
    const lines = readFileSync(join(feedDir, FEED_TOPIC, '2009-03.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(pending.filter((m) => m.period === '2009-03').length);
    // Republishing a month sends it again, every revision in order.
    expect(await reporter.republish('2009-03')).toBe(lines.length);
  });
});

describe('the feed over HTTP, for feed consumers', () => {
  it("gives a month's messages to a feed consumer's token, and refuses others", async () => {
    const accounts = new Accounts(store, { catalogue });
    const consumer = await tokenFor(accounts, 'kent.partnership', 'feed-consumer');
    const viewer = await tokenFor(accounts, 'strategy.member', 'strategy-group-viewer');
    const service = await startReporterService({
      store,
      keeper: readModels,
      records: readModels.records,
      readModels: readModelsAt,
      outbox: feedOutbox,
      catalogue,
      config: { store: { kind: 'sqlite', file: '' }, readModels: { kind: 'sqlite', file: '' }, catalogueDir: undefined, feed: { kind: 'files', dir: join(dir, 'feed') }, topic: FEED_TOPIC, closeDay: 20, everyMs: 50, port: 0 },
      now: () => new Date('2009-06-01T00:00:00.000Z'),
    });
    try {
      const get = (token?: string) => service.server.inject({ method: 'GET', url: '/feed/2009-03', headers: token ? { authorization: `Bearer ${token}` } : {} });
      await expect.poll(async () => (await get(consumer)).body.split('\n').filter(Boolean).length, { timeout: 10_000 }).toBeGreaterThanOrEqual(30);
      const answer = await get(consumer);
      expect(answer.statusCode).toBe(200);
      expect(answer.headers['content-type']).toMatch(/application\/x-ndjson/);
      expect(JSON.parse(answer.body.split('\n')[0]!)).toMatchObject({ key: 'DGCDRP/DBC/2009-03/priority-area/acquisitive-crime', revision: 1 });
      expect((await get(viewer)).statusCode).toBe(403);
      expect((await get()).statusCode).toBe(401);
      expect((await service.server.inject({ method: 'GET', url: '/feed/March', headers: { authorization: `Bearer ${consumer}` } })).statusCode).toBe(400);
    } finally {
      await service.stop();
    }
  });
});

describe('the monthly feed with the read models and the outbox in PostgreSQL', () => {
  it('publishes what the SQLite ones publish, months worked out in worker threads too, and nothing more on the next cycle', async () => {
    const database = await createTestDatabase();
    const inPostgres: ReadModelsConfig = { kind: 'postgres', url: database.url, schema: 'beacon_records' };
    const opened = await openReadModels(inPostgres);
    // After the read models: they refuse a schema that already holds the outbox's tables.
    const pgOutbox = await openOutbox(inPostgres);
    const onPostgres = new Reporter(pgOutbox, new PerformanceQueries(opened.records, catalogue), catalogue, { parallelFrom: 1, readModels: inPostgres });
    try {
      await catchUp(store, opened.keeper);
      const now = '2009-06-01T00:00:00.000Z';
      const expected = await reporter.cycle(now);
      const outcomes = await onPostgres.cycle(now);
      // The workers' areas may come in another order.
      const sorted = (o: Awaited<ReturnType<Reporter['cycle']>>) => o.map((x) => ({ ...x, revisions: [...x.revisions].sort((a, b) => a.key.localeCompare(b.key)) }));
      expect(sorted(outcomes)).toEqual(sorted(expected));
      expect(outcomes.reduce((sum, o) => sum + o.added, 0)).toBeGreaterThan(12 * 30);
      for (const month of ['2008-04', '2009-03']) {
        const lines = async (r: Reporter) => (await r.messagesOf(month)).split('\n').sort();
        expect(await lines(onPostgres)).toEqual(await lines(reporter));
      }
      expect(await onPostgres.cycle('2009-06-02T00:00:00.000Z')).toEqual([]);
      expect(await onPostgres.republish('2009-03')).toBe(await reporter.republish('2009-03'));
    } finally {
      await onPostgres.close();
      await pgOutbox.close();
      await opened.close();
      await database.drop();
    }
  });
});
