import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoredEvent } from '@beacon/event-store';
import { createTestDatabase, type TestDatabase } from '@beacon/event-store-postgres/test-support';
import { PostgresOutbox } from '@beacon/feed-publisher';
import { decodeEvents, ProjectionStopped, ReadModels, ReadModelsNotUsable } from '@beacon/read-models';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresReadModels } from './index.js';
import { PostgresReadModels } from './postgres-read-models.js';
import { migrations } from './schema.js';
import { batchesOf, eventLog, unreadable } from './test-support/event-log.js';
import { postgresRows, sqliteRows } from './test-support/rows.js';

let database: TestDatabase;
let dir: string;
let events: StoredEvent[];
/** The same log projected by SQLite's read models: what every PostgreSQL projection must equal. */
let expected: Awaited<ReturnType<typeof postgresRows>>;

beforeAll(async () => {
  database = await createTestDatabase();
  dir = mkdtempSync(join(tmpdir(), 'beacon-read-models-postgres-'));
  events = await eventLog();
  const sqlite = new ReadModels(join(dir, 'read-models.sqlite'));
  try {
    for (const batch of batchesOf(events, 1_000)) sqlite.project(batch);
    expected = sqliteRows(sqlite);
  } finally {
    sqlite.close();
  }
});
afterAll(async () => {
  await database?.drop();
  rmSync(dir, { recursive: true, force: true });
});

const open = (schema: string) => PostgresReadModels.open({ url: database.url, schema });
const rowsOf = (schema: string) => postgresRows(database.url, schema);

async function projected(schema: string, batchSize: number, log: readonly StoredEvent[] = events): Promise<void> {
  const keeper = await open(schema);
  try {
    for (const batch of batchesOf(log, batchSize)) await keeper.project(batch);
  } finally {
    await keeper.close();
  }
}

describe('PostgreSQL read models (given events, then the same rows as SQLite)', () => {
  it('has a log with something of every kind of row to compare', () => {
    expect(expected.readings?.length).toBeGreaterThan(1_000);
    expect(expected.readings?.filter((r) => r.superseded_at !== null).length).toBeGreaterThanOrEqual(3);
    expect(expected.readings?.some((r) => r.numerator !== null && r.sample_size === null)).toBe(true);
    expect(expected.readings?.some((r) => r.sample_size !== null)).toBe(true);
    expect(expected.readings?.some((r) => r.note !== null)).toBe(true);
    expect(expected.audit_trail?.filter((r) => r.was !== null).length).toBeGreaterThanOrEqual(3);
    for (const table of ['returns', 'targets', 'populations']) expect(expected[table]?.length).toBeGreaterThan(0);
  });

  it.each([1, 7, 1_000])('projects the log in batches of %i into exactly the rows SQLite has', async (batchSize) => {
    await projected(`batches_of_${batchSize}`, batchSize);
    expect(await rowsOf(`batches_of_${batchSize}`)).toEqual(expected);
  });

  it('changes nothing when batches are delivered again, whole or overlapping', async () => {
    const keeper = await open('delivered_twice');
    try {
      await keeper.project(events.slice(0, 800));
      await keeper.project(events.slice(0, 800));
      await keeper.project(events.slice(400, 1_200));
      await keeper.apply(decodeEvents(events.slice(0, 1_200)));
      for (const batch of batchesOf(events.slice(1_000), 500)) await keeper.project(batch);
      expect(await keeper.project(events)).toBe(events.at(-1)?.position);
      expect(await keeper.checkpoint()).toBe(events.at(-1)?.position);
    } finally {
      await keeper.close();
    }
    expect(await rowsOf('delivered_twice')).toEqual(expected);
  });

  it('counts every event once when two projectors write the same batches to one schema at the same time', async () => {
    const [first, second] = await Promise.all([open('two_projectors'), open('two_projectors')]);
    try {
      const run = async (keeper: PostgresReadModels) => {
        for (const batch of batchesOf(events, 50)) await keeper.project(batch);
      };
      await Promise.all([run(first), run(second)]);
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
    expect(await rowsOf('two_projectors')).toEqual(expected);
  });

  it('stops at an event it cannot read, keeping the events before it and the checkpoint after them', async () => {
    const keeper = await open('unreadable');
    const cut = 700;
    const before = events[cut - 1] as StoredEvent;
    const stranger = unreadable(before.position + 1n);
    try {
      const attempt = keeper.project([...events.slice(0, cut), stranger, ...events.slice(cut).map((e, i) => ({ ...e, position: stranger.position + 1n + BigInt(i) }))]);
      await expect(attempt).rejects.toThrow(ProjectionStopped);
      await expect(attempt).rejects.toThrow(`The projector stopped at event NoSuchEvent (position ${stranger.position}, stream "from-the-future")`);
      expect(await keeper.checkpoint()).toBe(before.position);
    } finally {
      await keeper.close();
    }
    // What the events before it make, exactly.
    const sqlite = new ReadModels(join(dir, 'unreadable.sqlite'));
    try {
      sqlite.project(events.slice(0, cut));
      expect(await rowsOf('unreadable')).toEqual(sqliteRows(sqlite));
    } finally {
      sqlite.close();
    }
  });

  it('upgraded from before holdings were kept, is emptied and projects the whole log again to the same rows', async () => {
    const keeper = await open('upgraded');
    await keeper.project(events);
    await keeper.close();
    // As a schema made by the Beacon before holdings were kept (version 1) would be.
    await admin((client) => client.query('DROP TABLE upgraded.log_types; DROP TABLE upgraded.log_streams; UPDATE upgraded.beacon_read_models SET version = 1'));
    const again = await open('upgraded');
    try {
      expect(await again.checkpoint()).toBe(0n);
      await again.project(events);
    } finally {
      await again.close();
    }
    expect(await rowsOf('upgraded')).toEqual(expected);
  });

  it('starts with nothing projected and keeps its records across reopening', async () => {
    const keeper = await open('reopened');
    expect(await keeper.checkpoint()).toBe(0n);
    await keeper.project(events.slice(0, 100));
    await keeper.close();
    const again = await open('reopened');
    try {
      expect(await again.checkpoint()).toBe(events[99]?.position);
      await again.project(events);
    } finally {
      await again.close();
    }
    expect(await rowsOf('reopened')).toEqual(expected);
  });
});

describe('rebuilding PostgreSQL read models', () => {
  it('projects into a fresh schema, then puts it in place of the original in one step: the same rows, and readers carry on', async () => {
    // The original, made wrong on purpose: half the log, so the rebuild visibly replaces it.
    await projected('rebuilt', 1_000, events.slice(0, events.length / 2));
    const { records, close } = await openPostgresReadModels({ url: database.url, schema: 'rebuilt' });
    try {
      const returnsBefore = (await records.returnsBetween('2000-01-01T00:00:00.000Z', '2100-01-01T00:00:00.000Z')).length;
      const rebuild = await PostgresReadModels.rebuilding({ url: database.url, schema: 'rebuilt' });
      try {
        expect(await rebuild.checkpoint()).toBe(0n);
        for (const batch of batchesOf(events, 1_000)) await rebuild.project(batch);
        expect((await records.returnsBetween('2000-01-01T00:00:00.000Z', '2100-01-01T00:00:00.000Z')).length).toBe(returnsBefore);
        await rebuild.replaceOriginal();
        await expect(rebuild.project(events)).rejects.toThrow(/has replaced the original/);
      } finally {
        await rebuild.close();
      }
      expect(await rowsOf('rebuilt')).toEqual(expected);
      // A reader opened on the original reads the rebuilt records through the same statements.
      expect((await records.returnsBetween('2000-01-01T00:00:00.000Z', '2100-01-01T00:00:00.000Z')).length).toBe(expected.returns?.length);
      expect(await records.checkpoint()).toBe(events.at(-1)?.position);
    } finally {
      await close();
    }
    expect(await schemas()).not.toContain('rebuilt_rebuilding');
  });

  it('leaves the original as it was when a rebuild is abandoned half-way, and starts the next one afresh', async () => {
    await projected('abandoned', 1_000);
    const abandoned = await PostgresReadModels.rebuilding({ url: database.url, schema: 'abandoned' });
    await abandoned.project(events.slice(0, 600));
    await abandoned.close();
    expect(await rowsOf('abandoned')).toEqual(expected);
    const { keeper, records, close } = await openPostgresReadModels({ url: database.url, schema: 'abandoned' });
    try {
      expect(await keeper.checkpoint()).toBe(events.at(-1)?.position);
      expect(await records.lastRecordedAt()).toBeDefined();
    } finally {
      await close();
    }
    const next = await PostgresReadModels.rebuilding({ url: database.url, schema: 'abandoned' });
    try {
      expect(await next.checkpoint()).toBe(0n);
      for (const batch of batchesOf(events, 1_000)) await next.project(batch);
      await next.replaceOriginal();
    } finally {
      await next.close();
    }
    expect(await rowsOf('abandoned')).toEqual(expected);
  });

  it('never drops a schema that holds something else: neither the original nor where the rebuild would go', async () => {
    await admin((client) => client.query('CREATE SCHEMA event_log; CREATE TABLE event_log.events (id int); CREATE SCHEMA kept_rebuilding; CREATE TABLE kept_rebuilding.notes (id int)'));
    await expect(PostgresReadModels.rebuilding({ url: database.url, schema: 'event_log' })).rejects.toThrow(ReadModelsNotUsable);
    await expect(PostgresReadModels.rebuilding({ url: database.url, schema: 'kept' })).rejects.toThrow(/schema "kept_rebuilding" holds tables, but not Beacon's read models/);
    const tables = await admin(async (client) => (await client.query("SELECT schemaname, tablename FROM pg_tables WHERE schemaname IN ('event_log', 'kept_rebuilding', 'event_log_rebuilding') ORDER BY 1")).rows);
    expect(tables).toEqual([
      { schemaname: 'event_log', tablename: 'events' },
      { schemaname: 'kept_rebuilding', tablename: 'notes' },
    ]);
  });

  it('moves the feed outbox kept beside the original into its place, exactly: rows, indexes and the identity that numbers them', async () => {
    await projected('with_outbox', 1_000);
    await (await PostgresOutbox.open({ url: database.url, schema: 'with_outbox' })).close();
    await admin((client) =>
      client.query(`INSERT INTO with_outbox.feed_outbox (topic, key, revision, period, value, written_at, sent_at) VALUES
                      ('beacon.test', 'a', 1, '2009-03', '{"n":1}', '2009-04-10T06:00:00.000Z', '2009-04-10T06:00:01.000Z'),
                      ('beacon.test', 'b', 1, '2009-03', '{"n":2}', '2009-04-10T06:00:00.000Z', NULL);
                    INSERT INTO with_outbox.feed_months (month, checked_position) VALUES ('2009-03', 42)`),
    );
    const outbox = () =>
      admin(async (client) => ({
        outbox: (await client.query('SELECT * FROM with_outbox.feed_outbox ORDER BY position')).rows,
        months: (await client.query('SELECT * FROM with_outbox.feed_months ORDER BY month')).rows,
        indexes: (await client.query("SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = 'with_outbox' AND tablename LIKE 'feed%' ORDER BY indexname")).rows,
        identity: (await client.query('SELECT last_value FROM with_outbox.feed_outbox_position_seq')).rows,
      }));
    const before = await outbox();
    expect(before.outbox).toHaveLength(2);
    expect(before.indexes).toHaveLength(4);

    const rebuild = await PostgresReadModels.rebuilding({ url: database.url, schema: 'with_outbox' });
    try {
      for (const batch of batchesOf(events, 1_000)) await rebuild.project(batch);
      await rebuild.replaceOriginal();
    } finally {
      await rebuild.close();
    }
    expect(await outbox()).toEqual(before);
    expect(await rowsOf('with_outbox')).toEqual(expected);
    const next = await admin(async (client) => (await client.query("INSERT INTO with_outbox.feed_outbox (topic, key, revision, period, value, written_at) VALUES ('beacon.test', 'c', 1, '2009-04', '{}', '') RETURNING position")).rows);
    expect(next).toEqual([{ position: '3' }]);
  });

  it('is refused a replace when it is not a rebuild', async () => {
    const keeper = await open('not_a_rebuild');
    try {
      await expect(keeper.replaceOriginal()).rejects.toThrow(/is not a rebuild/);
    } finally {
      await keeper.close();
    }
  });
});

describe('the read models schema', () => {
  it('refuses read models made by a newer Beacon, and a schema that holds something else, leaving them untouched', async () => {
    await (await open('from_the_future')).close();
    await admin((client) => client.query('UPDATE from_the_future.beacon_read_models SET version = 99'));
    const newer = open('from_the_future');
    await expect(newer).rejects.toThrow(ReadModelsNotUsable);
    await expect(newer).rejects.toThrow(`made by a newer Beacon (schema v99; this one knows up to v${migrations.length})`);

    await admin((client) => client.query('CREATE SCHEMA something_else; CREATE TABLE something_else.events (id int)'));
    await expect(open('something_else')).rejects.toThrow(/holds tables, but not Beacon's read models/);
    expect(await admin(async (client) => (await client.query("SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'something_else'")).rows[0].n)).toBe(1);
  });

  it('lets several projectors open new read models at once', async () => {
    const keepers = await Promise.all([open('opened_at_once'), open('opened_at_once'), open('opened_at_once')]);
    await Promise.all(keepers.map((keeper) => keeper.close()));
  });

  it('says what to do when the server cannot be reached or the database does not exist, never showing the password', async () => {
    const nobody = PostgresReadModels.open({ url: 'postgres://beacon:s3cret@127.0.0.1:1/beacon', schema: 'beacon_records' });
    await expect(nobody).rejects.toThrow(ReadModelsNotUsable);
    await expect(nobody).rejects.toThrow(/no PostgreSQL server is listening on 127\.0\.0\.1:1 \(connection refused\)/);
    await expect(nobody).rejects.not.toThrow(/s3cret/);
    const missing = new URL(database.url);
    missing.pathname = '/no_such_beacon_database';
    await expect(PostgresReadModels.open({ url: missing.toString(), schema: 'beacon_records' })).rejects.toThrow(/the database "no_such_beacon_database" does not exist/);
  });

  it('takes only schema names that are safe in SQL and leave room for a rebuild', async () => {
    await expect(open('Beacon; DROP TABLE x')).rejects.toThrow(RangeError);
    await expect(open('a'.repeat(41))).rejects.toThrow(RangeError);
  });
});

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const schemas = () => admin(async (client) => (await client.query<{ nspname: string }>('SELECT nspname FROM pg_namespace')).rows.map((row) => row.nspname));
