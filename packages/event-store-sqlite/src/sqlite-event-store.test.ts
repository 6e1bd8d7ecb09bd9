import { randomUUID } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StoreNotUsable } from '@beacon/event-store';
import { describeEventStoreContract } from '@beacon/event-store/contract';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { beaconApplicationId, migrations, prepareSchema } from './schema.js';
import { openSqliteEventStore } from './sqlite-event-store.js';

describeEventStoreContract('SQLite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'beacon-event-store-'));
  const file = join(dir, 'events.sqlite');
  return {
    store: await openSqliteEventStore({ file }),
    openAnother: () => openSqliteEventStore({ file }),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});

describe('SQLite event store file', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'beacon-event-store-file-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const event = () => ({ id: randomUUID(), type: 'Tested', data: { ok: true } });

  /** Opening `file` fails with StoreNotUsable and leaves its bytes exactly as they were. */
  async function expectRefused(file: string, message: RegExp): Promise<void> {
    const before = await readFile(file);
    const error = await openSqliteEventStore({ file }).then(
      () => expect.fail('the store opened'),
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(StoreNotUsable);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toContain(file);
    expect((await readFile(file)).equals(before)).toBe(true);
  }

  it('initialises a new file and marks it as a Beacon store in WAL mode', async () => {
    const file = join(dir, 'new.sqlite');
    const store = await openSqliteEventStore({ file });
    await store.append('s', [event()]);
    await store.close();

    const db = new Database(file, { readonly: true });
    expect(db.pragma('application_id', { simple: true })).toBe(beaconApplicationId);
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.length);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('initialises an empty file', async () => {
    const file = join(dir, 'empty.sqlite');
    await writeFile(file, '');
    const store = await openSqliteEventStore({ file });
    expect(await store.headPosition()).toBe(0n);
    await store.close();
  });

  it('keeps its events across reopening', async () => {
    const file = join(dir, 'kept.sqlite');
    const first = await openSqliteEventStore({ file });
    const appended = [event(), event()];
    await first.append('s', appended);
    await first.close();

    const second = await openSqliteEventStore({ file });
    expect((await second.readStream('s')).map((e) => e.id)).toEqual(appended.map((e) => e.id));
    expect((await second.append('s', [event()], { expectedRevision: 1n })).lastPosition).toBe(3n);
    await second.close();
  });

  it('refuses a file that is not a SQLite database, leaving it untouched', async () => {
    const file = join(dir, 'notes.sqlite');
    await writeFile(file, 'Quarterly ASB figures, Dartford and Gravesham\n'.repeat(200));
    await expectRefused(file, /not a SQLite database/);
  });

  it("refuses someone else's SQLite database, leaving it untouched", async () => {
    const file = join(dir, 'other.sqlite');
    const other = new Database(file);
    other.exec("CREATE TABLE incidents (id INTEGER PRIMARY KEY, kind TEXT); INSERT INTO incidents (kind) VALUES ('ASB')");
    other.close();
    await expectRefused(file, /SQLite database, but not a Beacon event store \(it has no application id\)/);
  });

  it('refuses a SQLite database that belongs to another application, even an empty one', async () => {
    const file = join(dir, 'marked.sqlite');
    const other = new Database(file);
    other.pragma('application_id = 1234');
    other.close();
    await expectRefused(file, /not a Beacon event store \(its application id is 0x4d2, not Beacon's\)/);
  });

  it('refuses a store made by a newer Beacon, leaving it untouched', async () => {
    const file = join(dir, 'newer.sqlite');
    await (await openSqliteEventStore({ file })).close();
    const db = new Database(file);
    db.pragma('user_version = 3');
    db.close();
    await expectRefused(
      file,
      new RegExp(`made by a newer Beacon \\(schema v3\\); this Beacon reads up to v${migrations.length}\\. Upgrade Beacon\\.`),
    );
  });

  it('migrates an older store step by step, in one transaction', async () => {
    const file = join(dir, 'older.sqlite');
    await (await openSqliteEventStore({ file })).close();
    const db = new Database(file);

    const failing = [...migrations, 'CREATE TABLE projections (name TEXT PRIMARY KEY)', 'NOT SQL AT ALL'];
    expect(() => prepareSchema(db, file, failing)).toThrow();
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.length);
    expect(db.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'projections'").pluck().get()).toBe(0);

    const next = [...migrations, 'CREATE TABLE projections (name TEXT PRIMARY KEY)'];
    prepareSchema(db, file, next);
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.length + 1);
    expect(db.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'projections'").pluck().get()).toBe(1);
    db.close();
  });

  it('stops polling when the last subscription stops', async () => {
    const store = await openSqliteEventStore({ file: join(dir, 'timers.sqlite') });
    const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
    const before = timers();
    const subscriptions = [store.subscribe({ after: 0n, onEvents: () => {} }), store.subscribe({ after: 0n, onEvents: () => {} })];
    expect(timers()).toBe(before + 1);
    await subscriptions[0]?.stop();
    expect(timers()).toBe(before + 1);
    await subscriptions[1]?.stop();
    expect(timers()).toBe(before);
    await store.close();
  });

  it('checkpoints in a worker thread once enough is appended, and close() ends it', async () => {
    const file = join(dir, 'checkpointed.sqlite');
    const store = await openSqliteEventStore({ file });
    const text = 'x'.repeat(100_000);
    const large = () => Array.from({ length: 100 }, () => ({ id: randomUUID(), type: 'Tested', data: { text } }));
    // 20 MB: past the checkpointer's 16 MiB, short of the appender's own 64 MiB checkpoint.
    await store.append('a', large());
    await store.append('b', large());
    // Only a checkpoint copies pages from the WAL into the database file.
    const deadline = performance.now() + 10_000;
    while (statSync(file).size < 10_000_000 && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(statSync(file).size).toBeGreaterThan(10_000_000);
    await store.close();
    // The thread's connection was closed first: the store's own close, the last, removed the WAL.
    expect(existsSync(`${file}-wal`)).toBe(false);

    const reopened = await openSqliteEventStore({ file });
    expect(await reopened.headPosition()).toBe(200n);
    await reopened.close();
  });

  it('leaves the checkpoint of an append past its own 64 MiB to the thread, instead of holding the append up', async () => {
    const file = join(dir, 'large.sqlite');
    const store = await openSqliteEventStore({ file });
    const text = 'x'.repeat(100_000);
    await store.append('a', Array.from({ length: 700 }, () => ({ id: randomUUID(), type: 'Tested', data: { text } })));
    // Appended and acknowledged, but not yet copied into the database file (the thread is only starting)...
    expect(statSync(file).size).toBeLessThan(10_000_000);
    // ...which the thread then does.
    const deadline = performance.now() + 20_000;
    while (statSync(file).size < 70_000_000 && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(statSync(file).size).toBeGreaterThan(70_000_000);
    // Small appends after it checkpoint as before, and the store closes clean.
    await store.append('b', [event()]);
    await store.close();
    expect(existsSync(`${file}-wal`)).toBe(false);
  });

  it('refuses event data that JSON cannot represent, writing nothing', async () => {
    const store = await openSqliteEventStore({ file: join(dir, 'data.sqlite') });
    await expect(store.append('s', [event(), { id: randomUUID(), type: 'Tested', data: undefined }])).rejects.toThrow(TypeError);
    expect(await store.headPosition()).toBe(0n);
    await store.close();
  });
});
