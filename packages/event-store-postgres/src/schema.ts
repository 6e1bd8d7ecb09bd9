import { StoreNotUsable } from '@beacon/event-store';
import type pg from 'pg';

/** What the marker table says about the schema it is in: a Beacon event store. */
export const storeMark = 'beacon-event-store';

/**
 * Each step takes the schema from version N to N + 1 (the step's index + 1), inside the store's
 * schema (it is the search path). Steps are only ever added at the end: the version is kept in
 * the marker table `beacon_store`.
 */
export const migrations: readonly string[] = [
  `-- A stream's name is stored once; events carry its integer key, as in the SQLite store.
   CREATE TABLE streams (
     key bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
     name text NOT NULL UNIQUE
   );
   CREATE TABLE events (
     -- Assigned by the appender under the log_head lock: gap-free and in commit order.
     position bigint PRIMARY KEY,
     stream bigint NOT NULL,
     revision bigint NOT NULL,
     id uuid NOT NULL,
     type text NOT NULL,
     -- json, not jsonb: kept as written (key order, numbers, and \\u0000, which jsonb refuses).
     data json NOT NULL,
     metadata json,
     stored_at timestamptz NOT NULL,
     UNIQUE (stream, revision)
   );
   -- Ids are unique per stream (idempotent retries); led by the stream, like the SQLite store.
   CREATE UNIQUE INDEX events_by_stream_and_id ON events (stream, id);
   -- One row: the last position appended. Appenders lock it for their whole transaction, which
   -- puts appends in one order (see postgres-event-store.ts).
   CREATE TABLE log_head (
     one boolean PRIMARY KEY DEFAULT true CHECK (one),
     position bigint NOT NULL
   );
   INSERT INTO log_head (position) VALUES (0);`,
];

type Query = (text: string, values?: unknown[]) => Promise<pg.QueryResult>;

/**
 * Makes `schema` a Beacon event store at the latest version: creates it in a new or empty
 * schema, migrates an older store in one transaction, and refuses anything else untouched.
 * Concurrent openers wait for each other on an advisory lock named after the schema.
 */
export async function prepareSchema(client: pg.ClientBase, schema: string, location: string, steps: readonly string[] = migrations): Promise<void> {
  const query: Query = (text, values) => client.query(text, values);
  if ((await usableVersion(query, schema, location, steps.length)) === steps.length) return;

  await client.query('BEGIN');
  try {
    await client.query("SELECT pg_advisory_xact_lock(hashtextextended('beacon-event-store:' || $1, 0))", [schema]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoted(schema)}`);
    // Again under the lock: another process may have created or migrated it meanwhile.
    const version = await usableVersion(query, schema, location, steps.length);
    await client.query(`SET LOCAL search_path TO ${quoted(schema)}`);
    for (const step of steps.slice(version)) await client.query(step);
    await client.query(
      `CREATE TABLE IF NOT EXISTS beacon_store (store text PRIMARY KEY CHECK (store = '${storeMark}'), version integer NOT NULL);
       INSERT INTO beacon_store (store, version) VALUES ('${storeMark}', ${steps.length})
         ON CONFLICT (store) DO UPDATE SET version = excluded.version`,
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}

/** The store's schema version (0 for a missing or empty schema), or StoreNotUsable. */
async function usableVersion(query: Query, schema: string, location: string, latestVersion: number): Promise<number> {
  const { rows } = await query(
    `SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1)::int AS relations,
            to_regclass(format('%I.beacon_store', $1::text)) IS NOT NULL AS marked`,
    [schema],
  );
  const { relations, marked } = rows[0] as { relations: number; marked: boolean };
  if (!marked) {
    if (relations === 0) return 0;
    throw new StoreNotUsable(
      location,
      `schema "${schema}" holds tables, but not a Beacon event store (it has no beacon_store table). It was left untouched; give Beacon a schema of its own.`,
    );
  }
  const marks = (await query(`SELECT store, version FROM ${quoted(schema)}.beacon_store`)).rows as { store: string; version: number }[];
  const version = marks.find((mark) => mark.store === storeMark)?.version;
  if (version === undefined) {
    throw new StoreNotUsable(location, `schema "${schema}" has a beacon_store table without the event store's row. It was left untouched.`);
  }
  if (version > latestVersion) {
    throw new StoreNotUsable(
      location,
      `it was made by a newer Beacon (schema v${version}); this Beacon reads up to v${latestVersion}. Upgrade Beacon.`,
    );
  }
  return version;
}

/** Schema names are checked when the store is opened (`checkedSchemaName`); quoting keeps their case. */
export const quoted = (identifier: string) => `"${identifier}"`;

/** Lower-case letters, digits and underscores: safe to put in SQL and in a notification channel's name. */
export function checkedSchemaName(schema: string): string {
  if (!/^[a-z_][a-z0-9_]{0,39}$/.test(schema)) {
    throw new RangeError(`The event store's schema name must be 1 to 40 lower-case letters, digits or underscores, not ${JSON.stringify(schema)}.`);
  }
  return schema;
}
