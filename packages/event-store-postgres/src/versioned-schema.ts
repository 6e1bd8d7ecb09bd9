import type pg from 'pg';
import { inClientTransaction } from './transaction.js';

/**
 * What Beacon keeps in a schema of its own at a version (the event store, the read models): how
 * it is locked, marked and refused. The version is kept in a marker table in the schema, one row
 * holding the mark and the version; each migration step takes the schema from version N to N + 1.
 */
export interface VersionedSchema {
  /** Names the advisory lock concurrent openers wait for each other on, with the schema's name after a colon. */
  lock: string;
  /** The marker table, its key column and the key's one value. */
  marker: { table: string; column: string; mark: string };
  /** Why a schema is refused (each is left untouched). */
  refusals: {
    /** It holds tables, but no marker table. */
    unmarked(schema: string): string;
    /** Its marker table lacks the mark's row. */
    withoutMark(schema: string): string;
    /** A newer Beacon made it. */
    newer(version: number, latestVersion: number): string;
  };
}

/** What a schema holds, as the caller counts it: its relations, and whether one is the marker table. */
export interface SchemaSurvey {
  relations: number;
  marked: boolean;
}

/**
 * Makes `schema` the `kind` at the latest version (`steps.length`): creates it in a new or empty
 * schema, migrates an older one in one transaction (each pending step with the schema as the
 * search path, then the version in the marker table), and leaves anything else untouched.
 * Concurrent openers wait for each other on the kind's advisory lock for the schema.
 * `usableVersion` says the schema's version or throws (see markedVersion); it is asked again
 * under the lock, as another process may have created or migrated the schema meanwhile.
 */
export async function migrateSchema(
  client: pg.ClientBase,
  schema: string,
  kind: VersionedSchema,
  steps: readonly string[],
  usableVersion: () => Promise<number>,
): Promise<void> {
  if ((await usableVersion()) === steps.length) return;
  const { table, column, mark } = kind.marker;
  await inClientTransaction(client, async () => {
    await client.query(`SELECT pg_advisory_xact_lock(hashtextextended('${kind.lock}:' || $1, 0))`, [schema]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoted(schema)}`);
    const version = await usableVersion();
    await client.query(`SET LOCAL search_path TO ${quoted(schema)}`);
    for (const step of steps.slice(version)) await client.query(step);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${table} (${column} text PRIMARY KEY CHECK (${column} = '${mark}'), version integer NOT NULL);
       INSERT INTO ${table} (${column}, version) VALUES ('${mark}', ${steps.length})
         ON CONFLICT (${column}) DO UPDATE SET version = excluded.version`,
    );
  });
}

/**
 * The version of the `kind` in `schema` as `survey` found it: 0 for a schema holding nothing, the
 * marker table's otherwise. Refused with `notUsable` (the kind's refusals give the reason) when
 * the schema holds something else, or was made by a Beacon newer than `latestVersion`.
 */
export async function markedVersion(
  client: pg.ClientBase,
  schema: string,
  kind: VersionedSchema,
  survey: SchemaSurvey,
  latestVersion: number,
  notUsable: (reason: string) => Error,
): Promise<number> {
  if (!survey.marked) {
    if (survey.relations === 0) return 0;
    throw notUsable(kind.refusals.unmarked(schema));
  }
  const { table, column, mark } = kind.marker;
  const marks = (await client.query<{ mark: string; version: number }>(`SELECT ${column} AS mark, version FROM ${quoted(schema)}.${table}`)).rows;
  const version = marks.find((row) => row.mark === mark)?.version;
  if (version === undefined) throw notUsable(kind.refusals.withoutMark(schema));
  if (version > latestVersion) throw notUsable(kind.refusals.newer(version, latestVersion));
  return version;
}

/** Schema names are checked when opened (`checkedSchemaName`); quoting keeps their case. */
export const quoted = (identifier: string) => `"${identifier}"`;

/**
 * 1 to 40 lower-case letters, digits and underscores: safe to put in SQL and in a notification
 * channel's name, and short enough to take a suffix (the read models' "_rebuilding") within
 * PostgreSQL's 63 bytes. `whose` begins the message: "The event store's".
 */
export function checkedSchemaName(schema: string, whose: string): string {
  if (!/^[a-z_][a-z0-9_]{0,39}$/.test(schema)) {
    throw new RangeError(`${whose} schema name must be 1 to 40 lower-case letters, digits or underscores, not ${JSON.stringify(schema)}.`);
  }
  return schema;
}
