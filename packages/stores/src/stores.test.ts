import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, eventStoreVariables, readEnvironment, storeConfigFrom } from '@beacon/config';
import { copyLog, type EventStore, StoreUnavailable, type StoredEvent } from '@beacon/event-store';
import { createTestDatabase, type TestDatabase } from '@beacon/event-store-postgres/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEventStore } from './open-event-store.js';

let dir: string;
let database: TestDatabase;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'beacon-stores-'));
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.drop();
  await rm(dir, { recursive: true, force: true });
});

const configFrom = (env: NodeJS.ProcessEnv) => storeConfigFrom(readEnvironment(eventStoreVariables, env, "Beacon's"), "Beacon's");

describe('choosing the event store by configuration', () => {
  it('is the embedded SQLite store with no configuration at all', () => {
    expect(configFrom({})).toEqual({ kind: 'sqlite', file: join('var', 'events.sqlite') });
  });

  it('reads the PostgreSQL and EventStoreDB settings', () => {
    expect(configFrom({ BEACON_STORE: 'postgres', BEACON_POSTGRES_URL: 'postgres://beacon@db:5432/beacon' })).toEqual({
      kind: 'postgres',
      url: 'postgres://beacon@db:5432/beacon',
      schema: 'beacon',
    });
    expect(configFrom({ BEACON_STORE: 'eventstoredb', EVENTSTORE_URL: 'esdb://localhost:2113?tls=false' })).toEqual({
      kind: 'eventstoredb',
      url: 'esdb://localhost:2113?tls=false',
    });
  });

  it('names every bad or missing setting, without showing a password', () => {
    expect(() => configFrom({ BEACON_STORE: 'mysql' })).toThrow(/BEACON_STORE="mysql": must be sqlite \(the default\), postgres or eventstoredb/);
    expect(() => configFrom({ BEACON_STORE: 'postgres' })).toThrow(/BEACON_POSTGRES_URL is not set: BEACON_STORE=postgres needs/);
    expect(() => configFrom({ BEACON_STORE: 'eventstoredb' })).toThrow(/EVENTSTORE_URL is not set/);
    const error = (() => {
      try {
        configFrom({ BEACON_STORE: 'postgres', BEACON_POSTGRES_URL: 'mysql://beacon:s3cret@db/beacon', BEACON_POSTGRES_SCHEMA: 'Beacon Events' });
      } catch (caught) {
        return caught as Error;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error?.message).toContain('BEACON_POSTGRES_URL="mysql://beacon:***@db/beacon": must be a PostgreSQL connection URL');
    expect(error?.message).toContain('BEACON_POSTGRES_SCHEMA="Beacon Events": must be 1 to 40 lower-case letters');
    expect(error?.message).not.toContain('s3cret');
  });

  it('opens the chosen store, and says clearly when its server cannot be reached', async () => {
    const sqlite = await openEventStore(configFrom({ BEACON_HOME: join(dir, 'home') }));
    expect(sqlite.location).toBe(`SQLite file ${join(dir, 'home', 'events.sqlite')}`);
    await sqlite.store.close();
    const postgres = await openEventStore(configFrom({ BEACON_STORE: 'postgres', BEACON_POSTGRES_URL: database.url }));
    expect(await postgres.store.headPosition()).toBe(0n);
    await postgres.store.close();
    await expect(openEventStore(configFrom({ BEACON_STORE: 'postgres', BEACON_POSTGRES_URL: 'postgres://beacon:pw@127.0.0.1:1/beacon' }))).rejects.toThrow(
      StoreUnavailable,
    );
  });
});

describe('copying the log from SQLite to PostgreSQL', () => {
  it('preserves order, streams, revisions, ids, data, metadata and stored times', async () => {
    const { store: sqlite } = await openEventStore({ kind: 'sqlite', file: join(dir, 'copied.sqlite') });
    const { store: postgres } = await openEventStore({ kind: 'postgres', url: database.url, schema: 'copied' });
    const reading = (returnId: string, row: number) => ({
      id: randomUUID(),
      type: 'ReadingRecorded',
      data: { returnId, row, measureId: 'NI195', value: row / 3, note: 'Dartford — ŵ' },
      metadata: { actor: 'analyst@dartford.gov.uk' },
    });
    // Returns of various sizes, a correction appended to an earlier stream, and a large return.
    for (let i = 0; i < 30; i++) await sqlite.append(`return-${i}`, Array.from({ length: 1 + (i % 7) }, (_, row) => reading(`r${i}`, row)));
    await sqlite.append('return-3', [reading('r3', 99)], { expectedRevision: 3n });
    await sqlite.append('return-big', Array.from({ length: 12_000 }, (_, row) => reading('big', row)));
    await sqlite.append('target-asb', [{ id: randomUUID(), type: 'TargetSet', data: { target: 12.5 } }]);

    const seen: number[] = [];
    const result = await copyLog(sqlite, postgres, { onProgress: ({ events }) => seen.push(events) });
    const [original, copy] = await Promise.all([everything(sqlite), everything(postgres)]);
    expect(result.events).toBe(original.length);
    expect(seen.at(-1)).toBe(original.length);
    expect(copy.map(withoutPosition)).toEqual(original.map(withoutPosition));
    expect(copy.map((e) => e.storedAt)).toEqual(original.map((e) => e.storedAt));
    await sqlite.close();
    await postgres.close();
  });
});

async function everything(store: EventStore): Promise<StoredEvent[]> {
  const all: StoredEvent[] = [];
  for (let after = 0n; ; ) {
    const page = await store.readAll({ after, maxCount: 5_000 });
    if (page.length === 0) return all;
    all.push(...page);
    after = (page.at(-1) as StoredEvent).position;
  }
}

const withoutPosition = ({ position: _, ...rest }: StoredEvent) => rest;
