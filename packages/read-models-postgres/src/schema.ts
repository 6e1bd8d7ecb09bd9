import { checkedSchemaName, markedVersion, migrateSchema, type VersionedSchema } from '@beacon/event-store-postgres';
import { outboxTables, ReadModelsNotUsable } from '@beacon/read-models';
import type pg from 'pg';

/** What the marker table says about the schema it is in: Beacon's read models. */
const readModelsMark = 'beacon-read-models';

/**
 * Text compared byte by byte, as SQLite compares it: ordering and "as at" comparisons come out
 * the same whatever the database's locale (times are ISO 8601 UTC with milliseconds, so text
 * order is time order).
 */
const text = 'text COLLATE "C"';

/**
 * The read models of packages/read-models/src/schema.ts in PostgreSQL: the same tables, columns
 * (in the same order) and indexes, so answers are the same as SQLite's. Each step takes the
 * schema from version N to N + 1 (the step's index + 1), run with the schema as the search path;
 * steps are only ever added at the end. The version is kept in the marker table `beacon_read_models`.
 */
export const migrations: readonly string[] = [
  `CREATE TABLE checkpoint (
     projection ${text} PRIMARY KEY,
     position bigint NOT NULL
   );
   CREATE TABLE returns (
     return_id ${text} PRIMARY KEY,
     agency ${text} NOT NULL,
     submitter ${text} NOT NULL,
     file_name ${text} NOT NULL,
     sha256 ${text} NOT NULL,
     format ${text} NOT NULL,
     reading_count integer NOT NULL,
     period_start ${text} NOT NULL,
     period_end ${text} NOT NULL,
     recorded_at ${text} NOT NULL,
     position bigint NOT NULL
   );
   CREATE TABLE readings (
     position bigint PRIMARY KEY,
     return_id ${text} NOT NULL,
     row integer NOT NULL,
     measure_id ${text} NOT NULL,
     area ${text} NOT NULL,
     period_start ${text} NOT NULL,
     period_end ${text} NOT NULL,
     value double precision NOT NULL,
     numerator double precision,
     denominator double precision,
     sample_size integer,
     agency ${text} NOT NULL,
     submitted_measure_id ${text},
     note ${text},
     recorded_at ${text} NOT NULL,
     superseded_at ${text},
     superseded_by_return ${text},
     superseded_by_row integer
   );
   -- The series index every report reads by; a correction finds the reading it replaces through it too.
   CREATE INDEX readings_by_series ON readings (measure_id, area, period_start);
   -- Only corrected readings: "what was corrected since" stays cheap and the index small.
   CREATE INDEX readings_by_correction ON readings (superseded_at) WHERE superseded_at IS NOT NULL;
   CREATE TABLE targets (
     target_id ${text} NOT NULL,
     version integer NOT NULL,
     measure_id ${text} NOT NULL,
     area ${text} NOT NULL,
     kind ${text} NOT NULL,
     value double precision,
     direction ${text},
     period_start ${text} NOT NULL,
     period_end ${text} NOT NULL,
     baseline_value double precision,
     baseline_start ${text},
     baseline_end ${text},
     tolerance_type ${text},
     tolerance_value double precision,
     source ${text} NOT NULL,
     note ${text},
     recorded_at ${text} NOT NULL,
     position bigint NOT NULL,
     PRIMARY KEY (target_id, version)
   );
   CREATE TABLE populations (
     area ${text} NOT NULL,
     base ${text} NOT NULL,
     year integer NOT NULL,
     value bigint NOT NULL,
     illustrative integer NOT NULL,
     projected integer NOT NULL,
     source ${text} NOT NULL,
     recorded_at ${text} NOT NULL,
     position bigint NOT NULL,
     PRIMARY KEY (area, base, year, position)
   );
   -- Target versions, accounts, tokens, passwords and refused requests ("was" is the subject's
   -- "now" before the change); readings are audited from the readings and returns tables.
   CREATE TABLE audit_trail (
     position bigint PRIMARY KEY,
     recorded_at ${text} NOT NULL,
     kind ${text} NOT NULL,
     subject ${text} NOT NULL,
     person ${text} NOT NULL,
     agency ${text},
     measure_id ${text},
     area ${text},
     period_start ${text},
     period_end ${text},
     was ${text},
     now ${text},
     what ${text} NOT NULL
   );
   CREATE INDEX audit_trail_by_subject ON audit_trail (subject, position);`,
  `-- What the log holds, counted as it is projected: events of each type, with where the type
   -- was first seen (the order types are listed in), and each stream once.
   CREATE TABLE log_types (
     type ${text} PRIMARY KEY,
     events bigint NOT NULL,
     first_position bigint NOT NULL
   );
   CREATE TABLE log_streams (
     stream ${text} PRIMARY KEY
   );
   -- Read models made before this step hold no counts of what came before it, and their tables
   -- cannot give them back: they are emptied (not the feed's outbox) and the checkpoint goes back
   -- to the start, so the projector's next catch-up projects the whole log again, counting it.
   TRUNCATE returns, readings, targets, populations, audit_trail;
   DELETE FROM checkpoint;`,
];

/** The read models as a versioned schema: their lock, their marker table `beacon_read_models`, and their refusals. */
const readModelsSchema: VersionedSchema = {
  lock: readModelsMark,
  marker: { table: 'beacon_read_models', column: 'read_models', mark: readModelsMark },
  refusals: {
    unmarked: (schema) =>
      `schema "${schema}" holds tables, but not Beacon's read models (it has no beacon_read_models table). It was left untouched; give the read models a schema of their own.`,
    withoutMark: (schema) => `schema "${schema}" has a beacon_read_models table without the read models' row. It was left untouched.`,
    newer: (version, latestVersion) =>
      `it was made by a newer Beacon (schema v${version}; this one knows up to v${latestVersion}). Upgrade Beacon, or rebuild the read models with this one.`,
  },
};

/**
 * Makes `schema` Beacon's read models at the latest version: creates them in a new or empty
 * schema, migrates older ones in one transaction, and refuses anything else untouched.
 * Concurrent openers wait for each other on an advisory lock named after the schema.
 */
export function prepareSchema(client: pg.ClientBase, schema: string, location: string, steps: readonly string[] = migrations): Promise<void> {
  return migrateSchema(client, schema, readModelsSchema, steps, () => usableVersion(client, schema, location, steps.length, 'allowed'));
}

/**
 * What a rebuild may drop: a missing or empty schema, or read models of any version (a newer
 * Beacon's too: rebuilding them with this one is the way back). Anything else is refused
 * (ReadModelsNotUsable), so a schema given by mistake (the event store's, say) is never dropped.
 * The outbox's tables are `allowed` only where the rebuild moves them out before dropping the schema.
 */
export async function checkDroppable(client: pg.ClientBase, schema: string, location: string, outbox: 'allowed' | 'refused'): Promise<void> {
  await usableVersion(client, schema, location, Number.POSITIVE_INFINITY, outbox);
}

/** The read models' schema version (0 for a missing schema, or one empty but for the outbox), or ReadModelsNotUsable. */
async function usableVersion(client: pg.ClientBase, schema: string, location: string, latestVersion: number, outbox: 'allowed' | 'refused'): Promise<number> {
  // The outbox's tables with what they own (indexes, identity sequences) are counted apart from the rest.
  const { rows } = await client.query(
    `WITH outbox AS (
       SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = $1 AND c.relkind = 'r' AND c.relname = ANY ($2::text[])
     ), owned AS (
       SELECT oid FROM outbox
       UNION SELECT indexrelid FROM pg_index WHERE indrelid IN (SELECT oid FROM outbox)
       UNION SELECT objid FROM pg_depend
         WHERE classid = 'pg_class'::regclass AND refclassid = 'pg_class'::regclass AND deptype IN ('a', 'i') AND refobjid IN (SELECT oid FROM outbox)
     )
     SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.oid NOT IN (SELECT oid FROM owned))::int AS relations,
            (SELECT count(*) FROM outbox)::int AS outbox_tables,
            to_regclass(format('%I.beacon_read_models', $1::text)) IS NOT NULL AS marked`,
    [schema, outboxTables],
  );
  const { relations, outbox_tables: outboxTablesHeld, marked } = rows[0] as { relations: number; outbox_tables: number; marked: boolean };
  const notUsable = (reason: string) => new ReadModelsNotUsable(location, reason);
  if (outboxTablesHeld > 0 && outbox === 'refused') {
    throw notUsable(`schema "${schema}" holds a feed outbox, which the rebuild would drop with it. It was left untouched; the outbox belongs in the read models' own schema.`);
  }
  return markedVersion(client, schema, readModelsSchema, { relations, marked }, latestVersion, notUsable);
}

/** Checked as the event store's are (see checkedSchemaName): 40 at most leaves room for the "_rebuilding" suffix. */
export const checkedReadModelsSchema = (schema: string) => checkedSchemaName(schema, "The read models'");
