import type Database from 'better-sqlite3';

/** Marks a SQLite file as Beacon's read models ("BRDM"), so no other database is mistaken for one. */
const readModelsApplicationId = 0x4252444d;

/**
 * The read models, kept by the projector from the event log. Two timelines everywhere: a
 * reading's period (what it describes) and recorded_at (when Beacon learnt it), so any report
 * can be cut "as at" a moment. Nothing is ever deleted: a correction marks the reading it
 * replaces as superseded, with when and by what.
 *
 * Times are ISO 8601 in UTC with milliseconds (Date#toISOString), so text order is time order.
 * Each step takes the schema from version N to N + 1; steps are only ever added at the end.
 */
export const migrations: readonly string[] = [
  `CREATE TABLE checkpoint (
     projection TEXT PRIMARY KEY,
     position INTEGER NOT NULL
   ) STRICT;
   CREATE TABLE returns (
     return_id TEXT PRIMARY KEY,
     agency TEXT NOT NULL,
     submitter TEXT NOT NULL,
     file_name TEXT NOT NULL,
     sha256 TEXT NOT NULL,
     format TEXT NOT NULL,
     reading_count INTEGER NOT NULL,
     period_start TEXT NOT NULL,
     period_end TEXT NOT NULL,
     recorded_at TEXT NOT NULL,
     position INTEGER NOT NULL
   ) STRICT;
   -- Rows go in in log order (position is the rowid), so a rebuild appends to the table's end;
   -- the one index is the series index every report reads by, and a correction finds the
   -- reading it replaces through it too.
   CREATE TABLE readings (
     position INTEGER PRIMARY KEY,
     return_id TEXT NOT NULL,
     row INTEGER NOT NULL,
     measure_id TEXT NOT NULL,
     area TEXT NOT NULL,
     period_start TEXT NOT NULL,
     period_end TEXT NOT NULL,
     value REAL NOT NULL,
     numerator REAL,
     denominator REAL,
     sample_size INTEGER,
     agency TEXT NOT NULL,
     submitted_measure_id TEXT,
     note TEXT,
     recorded_at TEXT NOT NULL,
     superseded_at TEXT,
     superseded_by_return TEXT,
     superseded_by_row INTEGER
   ) STRICT;
   CREATE INDEX IF NOT EXISTS readings_by_series ON readings (measure_id, area, period_start);
   CREATE TABLE targets (
     target_id TEXT NOT NULL,
     version INTEGER NOT NULL,
     measure_id TEXT NOT NULL,
     area TEXT NOT NULL,
     kind TEXT NOT NULL,
     value REAL,
     direction TEXT,
     period_start TEXT NOT NULL,
     period_end TEXT NOT NULL,
     baseline_value REAL,
     baseline_start TEXT,
     baseline_end TEXT,
     tolerance_type TEXT,
     tolerance_value REAL,
     source TEXT NOT NULL,
     note TEXT,
     recorded_at TEXT NOT NULL,
     position INTEGER NOT NULL,
     PRIMARY KEY (target_id, version)
   ) STRICT;
   CREATE TABLE populations (
     area TEXT NOT NULL,
     base TEXT NOT NULL,
     year INTEGER NOT NULL,
     value INTEGER NOT NULL,
     illustrative INTEGER NOT NULL,
     projected INTEGER NOT NULL,
     source TEXT NOT NULL,
     recorded_at TEXT NOT NULL,
     position INTEGER NOT NULL,
     PRIMARY KEY (area, base, year, position)
   ) STRICT;`,
  `-- "What was corrected since" is asked of every report as at a past moment: only corrected
   -- readings are indexed, so the index stays small and costs a rebuild almost nothing.
   CREATE INDEX readings_by_correction ON readings (superseded_at) WHERE superseded_at IS NOT NULL;`,
  `-- The audit trail of everything but readings, which are audited from the readings and returns
   -- tables themselves (a million readings are not copied): target versions, accounts, tokens,
   -- passwords and refused requests. A subject is what changes ("target:SAC-2008-09",
   -- "token:beacon_AbCd1234"); "was" is the subject's "now" before this change.
   CREATE TABLE audit_trail (
     position INTEGER PRIMARY KEY,
     recorded_at TEXT NOT NULL,
     kind TEXT NOT NULL,
     subject TEXT NOT NULL,
     person TEXT NOT NULL,
     agency TEXT,
     measure_id TEXT,
     area TEXT,
     period_start TEXT,
     period_end TEXT,
     was TEXT,
     now TEXT,
     what TEXT NOT NULL
   ) STRICT;
   CREATE INDEX audit_trail_by_subject ON audit_trail (subject, position);`,
  `-- What the log holds, counted as it is projected (no replay of the log to say it): events of
   -- each type, with where the type was first seen (the order types are listed in), and each
   -- stream once. A read model like the others: written with the checkpoint, after it only.
   CREATE TABLE log_types (
     type TEXT PRIMARY KEY,
     events INTEGER NOT NULL,
     first_position INTEGER NOT NULL
   ) STRICT;
   CREATE TABLE log_streams (
     stream TEXT PRIMARY KEY
   ) STRICT;
   -- Read models made before this step hold no counts of what came before it, and their tables
   -- cannot give them back: they are emptied (not the feed's outbox) and the checkpoint goes back
   -- to the start, so the projector's next catch-up projects the whole log again, counting it.
   DELETE FROM returns; DELETE FROM readings; DELETE FROM targets; DELETE FROM populations;
   DELETE FROM audit_trail; DELETE FROM checkpoint;`,
];

export class ReadModelsNotUsable extends Error {
  override readonly name = 'ReadModelsNotUsable';
  constructor(location: string, reason: string) {
    super(`The read-model database ${location} cannot be used: ${reason}`);
  }
}

/**
 * The feed outbox's tables (packages/feed-publisher): they live beside the read models, in the
 * same file or schema, without being read models. A new read-model database may already hold
 * them, and a rebuild carries them over: they record what was published and cannot be replayed.
 */
export const outboxTables: readonly string[] = ['feed_outbox', 'feed_months'];

/** What a new read-model file may already hold: the outbox, and the counter its AUTOINCREMENT keeps. */
const companionTables = [...outboxTables, 'sqlite_sequence'];

/**
 * Brings `db` to the latest schema, refusing a file that is not Beacon's read models or was made
 * by a newer Beacon. A file holding only the outbox is new: the reporter may open it first.
 */
export function prepareSchema(db: Database.Database, location: string): void {
  const applicationId = db.pragma('application_id', { simple: true }) as number;
  const version = db.pragma('user_version', { simple: true }) as number;
  const tables = db
    .prepare(`SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table' AND name NOT IN (${companionTables.map(() => '?').join(', ')})`)
    .get(...companionTables) as { n: number };
  if (applicationId !== readModelsApplicationId && (applicationId !== 0 || tables.n > 0)) {
    throw new ReadModelsNotUsable(location, 'it is not a Beacon read-model database. Point BEACON_READ_MODELS_FILE at another file.');
  }
  if (version > migrations.length) {
    throw new ReadModelsNotUsable(location, `it was made by a newer Beacon (schema ${version}; this one knows up to ${migrations.length}). Upgrade Beacon, or rebuild it with this one.`);
  }
  if (version === migrations.length) return;
  db.pragma('journal_mode = WAL');
  db.transaction(() => {
    for (let step = version; step < migrations.length; step++) db.exec(migrations[step]!);
    db.pragma(`application_id = ${readModelsApplicationId}`);
    db.pragma(`user_version = ${migrations.length}`);
  })();
}
