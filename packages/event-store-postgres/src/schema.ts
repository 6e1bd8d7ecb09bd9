import { StoreNotUsable } from '@beacon/event-store';
import type pg from 'pg';
import { checkedSchemaName, markedVersion, migrateSchema, type SchemaSurvey, type VersionedSchema } from './versioned-schema.js';

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

/** The event store as a versioned schema: its lock, its marker table `beacon_store`, and its refusals. */
const eventStoreSchema: VersionedSchema = {
  lock: storeMark,
  marker: { table: 'beacon_store', column: 'store', mark: storeMark },
  refusals: {
    unmarked: (schema) =>
      `schema "${schema}" holds tables, but not a Beacon event store (it has no beacon_store table). It was left untouched; give Beacon a schema of its own.`,
    withoutMark: (schema) => `schema "${schema}" has a beacon_store table without the event store's row. It was left untouched.`,
    newer: (version, latestVersion) => `it was made by a newer Beacon (schema v${version}); this Beacon reads up to v${latestVersion}. Upgrade Beacon.`,
  },
};

/**
 * Makes `schema` a Beacon event store at the latest version: creates it in a new or empty
 * schema, migrates an older store in one transaction, and refuses anything else untouched.
 * Concurrent openers wait for each other on an advisory lock named after the schema.
 */
export function prepareSchema(client: pg.ClientBase, schema: string, location: string, steps: readonly string[] = migrations): Promise<void> {
  return migrateSchema(client, schema, eventStoreSchema, steps, () => usableVersion(client, schema, location, steps.length));
}

/** The store's schema version (0 for a missing or empty schema), or StoreNotUsable. */
async function usableVersion(client: pg.ClientBase, schema: string, location: string, latestVersion: number): Promise<number> {
  const { rows } = await client.query(
    `SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1)::int AS relations,
            to_regclass(format('%I.beacon_store', $1::text)) IS NOT NULL AS marked`,
    [schema],
  );
  return markedVersion(client, schema, eventStoreSchema, rows[0] as SchemaSurvey, latestVersion, (reason) => new StoreNotUsable(location, reason));
}

/** Checked when the store is opened (see checkedSchemaName). */
export const checkedStoreSchema = (schema: string) => checkedSchemaName(schema, "The event store's");
