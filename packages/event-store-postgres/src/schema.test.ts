import { randomBytes } from 'node:crypto';
import { StoreNotUsable, StoreUnavailable } from '@beacon/event-store';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresEventStore } from './postgres-event-store.js';
import { migrations, prepareSchema } from './schema.js';
import { createTestDatabase, serverUrl, type TestDatabase } from './test-support/test-database.js';

let database: TestDatabase;
let admin: pg.Client;
beforeAll(async () => {
  database = await createTestDatabase();
  admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
});
afterAll(async () => {
  await admin?.end();
  await database?.drop();
});

const newSchema = () => `schema_${randomBytes(6).toString('hex')}`;
const event = () => ({ id: crypto.randomUUID(), type: 'Tested', data: { ok: true } });
const open = (schema: string) => openPostgresEventStore({ connectionString: database.url, schema });

/** Opening fails with `kind` and leaves the schema's tables and rows as they were. */
async function expectRefused(schema: string, kind: typeof StoreNotUsable, message: RegExp): Promise<void> {
  const snapshot = () =>
    admin.query(`SELECT c.relname, c.reltuples FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 ORDER BY 1`, [schema]);
  const before = (await snapshot()).rows;
  const error = await open(schema).then(
    () => expect.fail('the store opened'),
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(kind);
  expect((error as Error).message).toMatch(message);
  expect((await snapshot()).rows).toEqual(before);
}

describe('PostgreSQL event store schema', () => {
  it('creates its schema, marks it as a Beacon store, and keeps its events across reopening', async () => {
    const schema = newSchema();
    const first = await open(schema);
    const appended = [event(), event()];
    await first.append('s', appended);
    await first.close();
    const { rows } = await admin.query(`SELECT store, version FROM ${schema}.beacon_store`);
    expect(rows).toEqual([{ store: 'beacon-event-store', version: migrations.length }]);

    const second = await open(schema);
    expect((await second.readStream('s')).map((e) => e.id)).toEqual(appended.map((e) => e.id));
    expect((await second.append('s', [event()], { expectedRevision: 1n })).lastPosition).toBe(3n);
    await second.close();
  });

  it('lets several processes open a new store at once', async () => {
    const schema = newSchema();
    const stores = await Promise.all([open(schema), open(schema), open(schema)]);
    await Promise.all(stores.map((store) => store.close()));
  });

  it("refuses a schema holding someone else's tables, leaving it untouched", async () => {
    const schema = newSchema();
    await admin.query(`CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.incidents (id int PRIMARY KEY, kind text)`);
    await expectRefused(schema, StoreNotUsable, new RegExp(`schema "${schema}" holds tables, but not a Beacon event store.*left untouched`));
  });

  it('refuses a store made by a newer Beacon, leaving it untouched', async () => {
    const schema = newSchema();
    await (await open(schema)).close();
    await admin.query(`UPDATE ${schema}.beacon_store SET version = ${migrations.length + 2}`);
    await expectRefused(
      schema,
      StoreNotUsable,
      new RegExp(`made by a newer Beacon \\(schema v${migrations.length + 2}\\); this Beacon reads up to v${migrations.length}\\. Upgrade Beacon\\.`),
    );
  });

  it('migrates an older store step by step, in one transaction', async () => {
    const schema = newSchema();
    await (await open(schema)).close();
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    const version = async () => (await admin.query(`SELECT version FROM ${schema}.beacon_store`)).rows[0]?.version;
    const hasProjections = async () => (await admin.query(`SELECT to_regclass('${schema}.projections') IS NOT NULL AS found`)).rows[0]?.found;

    const failing = [...migrations, 'CREATE TABLE projections (name text PRIMARY KEY)', 'NOT SQL AT ALL'];
    await expect(prepareSchema(client, schema, schema, failing)).rejects.toThrow();
    expect(await version()).toBe(migrations.length);
    expect(await hasProjections()).toBe(false);

    await prepareSchema(client, schema, schema, [...migrations, 'CREATE TABLE projections (name text PRIMARY KEY)']);
    expect(await version()).toBe(migrations.length + 1);
    expect(await hasProjections()).toBe(true);
    await client.end();
  });

  it('refuses an id that is not a UUID, writing nothing', async () => {
    const store = await open(newSchema());
    await expect(store.append('s', [event(), { ...event(), id: 'row-7' }])).rejects.toThrow(/"row-7" in an append to "s" is not a UUID/);
    expect(await store.headPosition()).toBe(0n);
    await store.close();
  });
});

describe('PostgreSQL event store connection errors', () => {
  const refusal = async (connectionString: string) =>
    openPostgresEventStore({ connectionString, connectionTimeoutMs: 5_000 }).then(
      () => expect.fail('the store opened'),
      (reason: unknown) => reason as Error,
    );
  const url = new URL(serverUrl);

  it('names host and port when no server answers, and says what to do', async () => {
    const error = await refusal('postgres://postgres@127.0.0.1:1/beacon');
    expect(error).toBeInstanceOf(StoreUnavailable);
    expect(error.message).toBe(
      'Cannot connect to the event store at PostgreSQL database "beacon" on 127.0.0.1:1 as user "postgres": no PostgreSQL server is listening on 127.0.0.1:1 (connection refused). Start PostgreSQL there, or correct the host and port in the connection string.',
    );
  });

  it('says when the database does not exist, and how to create it', async () => {
    const error = await refusal(`postgres://postgres@${url.host}/no_such_beacon_db`);
    expect(error).toBeInstanceOf(StoreUnavailable);
    expect(error.message).toMatch(/the database "no_such_beacon_db" does not exist on .*\. Create it \(createdb .* no_such_beacon_db\)/);
  });

  it('says when the server refuses the user, without showing the password', async () => {
    const error = await refusal(`postgres://no_such_beacon_user:secret-pw@${url.host}/postgres`);
    expect(error).toBeInstanceOf(StoreUnavailable);
    expect(error.message).toMatch(/the server refused user "no_such_beacon_user" \(.*\)\. Check the user name and password/);
    expect(error.message).not.toContain('secret-pw');
  });
});
