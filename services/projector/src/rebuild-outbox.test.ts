/**
 * The feed outbox lives beside the read models (in the same SQLite file, or the same PostgreSQL
 * schema) but is no read model: it records what was published. A rebuild leaves it as it was,
 * so after a rebuild no key starts again at revision 1 and no position is handed out twice.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCatalogue } from '@beacon/catalogue';
import type { EventStore } from '@beacon/event-store';
import { openPostgresEventStore } from '@beacon/event-store-postgres';
import { createTestDatabase, type TestDatabase } from '@beacon/event-store-postgres/test-support';
import { openSqliteEventStore } from '@beacon/event-store-sqlite';
import { type Outbox, PostgresOutbox, SqliteOutbox } from '@beacon/feed-publisher';
import { ReadModels, ReadModelsNotUsable } from '@beacon/read-models';
import { PostgresReadModels } from '@beacon/read-models-postgres';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { catchUp, rebuild } from './projector.js';
import { readModelRows } from './test-support/read-model-rows.js';
import { recordCatalogue, sendSacReturns } from './test-support/sac-returns.js';

const catalogue = loadCatalogue();
let database: TestDatabase;
let dir: string;
let store: EventStore;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'beacon-rebuild-outbox-'));
  store = await openSqliteEventStore({ file: join(dir, 'events.sqlite'), pollIntervalMs: 10 });
  await recordCatalogue(store, catalogue);
  await sendSacReturns(store, catalogue);
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const topic = 'beacon.test';
const counted = z.object({ n: z.number() });
/** A message about SAC in the area for the month, as the reporter's feed keys them. */
const message = (area: string, period: string, revision: number) => ({ topic, key: `SAC/${area}/${period}`, revision, period, value: { n: revision * 10 } });

/** What the reporter has done by the April month close: March's messages sent, April's waiting, March worked out. */
async function publishSome(outbox: Outbox): Promise<void> {
  await outbox.add(counted, [message('DBC', '2009-03', 1), message('GBC', '2009-03', 1)], new Date('2009-04-10T06:00:00Z'));
  await outbox.markSent((await outbox.pending(10)).map((pending) => pending.position), new Date('2009-04-10T06:00:01Z'));
  await outbox.add(counted, [message('DBC', '2009-03', 2), message('DBC', '2009-04', 1)], new Date('2009-04-21T06:00:00Z'));
  await outbox.setCheckedPosition('2009-03', 42n);
}

/** Everything the outbox answers: what waits (with positions), every revision published, the months worked out. */
async function outboxState(outbox: Outbox) {
  return {
    pending: await outbox.pending(100),
    backlog: await outbox.backlog(),
    march: await outbox.messagesOf(topic, '2009-03'),
    april: await outbox.messagesOf(topic, '2009-04'),
    latest: await outbox.latestRevisions(topic, ['SAC/DBC/2009-03']),
    checked: await outbox.checkedPosition('2009-03'),
  };
}

/** The outbox's tables as SQLite keeps them: their SQL, every row, and the AUTOINCREMENT counter. */
const sqliteOutbox = (readModels: ReadModels) => ({
  schema: readModels.db.prepare("SELECT type, name, tbl_name, sql FROM sqlite_schema WHERE tbl_name IN ('feed_outbox', 'feed_months') ORDER BY name").all(),
  outbox: readModels.db.prepare('SELECT * FROM feed_outbox ORDER BY position').all(),
  months: readModels.db.prepare('SELECT * FROM feed_months ORDER BY month').all(),
  sequence: readModels.db.prepare("SELECT * FROM sqlite_sequence WHERE name = 'feed_outbox'").all(),
});

describe('a rebuild of SQLite read models', () => {
  it('carries the outbox in their file across row for row, and never hands out a position again', async () => {
    const file = join(dir, 'read-models.sqlite');
    // The reporter first, on a new file: the read models take it as new.
    const outbox = SqliteOutbox.open(file);
    const readModels = new ReadModels(file);
    await catchUp(store, readModels);
    await publishSome(outbox);
    // The newest message taken out by hand: the counter stays ahead of the highest position.
    readModels.db.prepare('DELETE FROM feed_outbox WHERE position = 4').run();
    outbox.close();
    const before = sqliteOutbox(readModels);
    const recordsBefore = readModelRows(readModels);
    readModels.close();
    expect(before.outbox).toHaveLength(3);
    expect(before.sequence).toEqual([{ name: 'feed_outbox', seq: 4 }]);

    expect(await rebuild(store, { kind: 'sqlite', file })).toBe(await store.headPosition());

    const rebuilt = new ReadModels(file);
    expect(sqliteOutbox(rebuilt)).toEqual(before);
    expect(readModelRows(rebuilt)).toEqual(recordsBefore);
    rebuilt.close();
    const after = SqliteOutbox.open(file);
    after.add(counted, [message('GBC', '2009-04', 1)]);
    expect(after.pending(10).map((pending) => pending.position)).toEqual([3, 5]);
    expect(after.latestRevisions(topic, ['SAC/DBC/2009-03']).get('SAC/DBC/2009-03')).toEqual({ revision: 2, value: '{"n":20}' });
    expect(after.checkedPosition('2009-03')).toBe(42n);
    after.close();
  });

  it('replaces read models kept without an outbox, and makes none', async () => {
    const file = join(dir, 'read-models.sqlite');
    const readModels = new ReadModels(file);
    await catchUp(store, readModels);
    readModels.close();
    await rebuild(store, { kind: 'sqlite', file });
    const rebuilt = new ReadModels(file);
    expect(rebuilt.db.prepare("SELECT name FROM sqlite_schema WHERE name IN ('feed_outbox', 'feed_months', 'sqlite_sequence')").all()).toEqual([]);
    rebuilt.close();
  });
});

describe('a rebuild of PostgreSQL read models', () => {
  it('moves the outbox in their schema across as it was, its positions going on after the old ones', async () => {
    const target = { kind: 'postgres', url: database.url, schema: 'beacon_records' } as const;
    // The reporter first, on a new schema: the read models take it as new.
    const outbox = await PostgresOutbox.open(target);
    const readModels = await PostgresReadModels.open(target);
    await catchUp(store, readModels);
    await readModels.close();
    await publishSome(outbox);
    const before = await outboxState(outbox);
    await outbox.close();
    expect(before.pending.map((pending) => pending.position)).toEqual([3, 4]);

    expect(await rebuild(store, target)).toBe(await store.headPosition());

    const after = await PostgresOutbox.open(target);
    try {
      expect(await outboxState(after)).toEqual(before);
      await after.add(counted, [message('GBC', '2009-04', 1)]);
      expect((await after.pending(10)).map((pending) => pending.position)).toEqual([3, 4, 5]);
    } finally {
      await after.close();
    }
    const rebuilt = await PostgresReadModels.open(target);
    expect(await rebuilt.checkpoint()).toBe(await store.headPosition());
    await rebuilt.close();
  });

  it('still refuses a schema that holds something else beside the outbox, and one where the rebuild would go that holds an outbox', async () => {
    // The read models pointed at the event store's schema by mistake, the reporter with them.
    const events = await openPostgresEventStore({ connectionString: database.url, schema: 'event_log' });
    await events.close();
    const mistaken = await PostgresOutbox.open({ url: database.url, schema: 'event_log' });
    await publishSome(mistaken);
    const before = await outboxState(mistaken);
    await mistaken.close();
    await expect(rebuild(store, { kind: 'postgres', url: database.url, schema: 'event_log' })).rejects.toThrow(ReadModelsNotUsable);
    await expect(PostgresReadModels.open({ url: database.url, schema: 'event_log' })).rejects.toThrow(/holds tables, but not Beacon's read models/);
    const kept = await PostgresOutbox.open({ url: database.url, schema: 'event_log' });
    expect(await outboxState(kept)).toEqual(before);
    await kept.close();

    await (await PostgresOutbox.open({ url: database.url, schema: 'records_rebuilding' })).close();
    await expect(rebuild(store, { kind: 'postgres', url: database.url, schema: 'records' })).rejects.toThrow(/schema "records_rebuilding" holds a feed outbox, which the rebuild would drop/);
  });
});
