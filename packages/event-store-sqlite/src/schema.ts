import { StoreNotUsable } from '@beacon/event-store';
import type Database from 'better-sqlite3';

/** Marks a SQLite file as a Beacon event store ("BEAC" in ASCII), so no other database is mistaken for one. */
export const beaconApplicationId = 0x42454143;

/**
 * Each step takes the schema from version N to N + 1 (the step's index + 1). Steps are only
 * ever added at the end: a store records its version in `user_version`.
 */
export const migrations: readonly string[] = [
  `CREATE TABLE events (
     position INTEGER PRIMARY KEY,
     stream TEXT NOT NULL,
     revision INTEGER NOT NULL,
     id TEXT NOT NULL,
     type TEXT NOT NULL,
     data TEXT NOT NULL,
     metadata TEXT,
     stored_at TEXT NOT NULL,
     UNIQUE (stream, revision),
     -- Ids are unique per stream, not globally: an index led by the stream keeps an append's
     -- index writes on a few neighbouring pages, where a global index of random UUIDs would
     -- touch one page per event (measured: about 4 times slower appends).
     UNIQUE (stream, id)
   ) STRICT`,
];

/**
 * Makes `db` a Beacon event store at the latest schema version: initialises a new or empty
 * file, migrates an older store, and refuses anything else without writing to it.
 */
export function prepareSchema(db: Database.Database, location: string, steps: readonly string[] = migrations): void {
  // Read-only look first: switching to WAL would already write to someone else's file.
  if (refuseUnlessUsable(db, location, steps.length) === steps.length) return;

  const journalMode = db.pragma('journal_mode = WAL', { simple: true });
  if (journalMode !== 'wal') {
    throw new StoreNotUsable(location, `its file system does not support SQLite's WAL mode (journal mode stayed "${journalMode}").`);
  }
  db.transaction(() => {
    // Again under the write lock: another process may have initialised or migrated it meanwhile.
    const version = refuseUnlessUsable(db, location, steps.length);
    for (const step of steps.slice(version)) db.exec(step);
    db.pragma(`application_id = ${beaconApplicationId}`);
    db.pragma(`user_version = ${steps.length}`);
  }).immediate();
}

/** The store's schema version (0 for a new file), or StoreNotUsable. */
function refuseUnlessUsable(db: Database.Database, location: string, latestVersion: number): number {
  let applicationId: number;
  let version: number;
  let tables: number;
  try {
    applicationId = db.pragma('application_id', { simple: true }) as number;
    version = db.pragma('user_version', { simple: true }) as number;
    tables = db.prepare('SELECT count(*) FROM sqlite_schema').pluck().get() as number;
  } catch (error) {
    if (isSqliteError(error, 'SQLITE_NOTADB')) {
      throw new StoreNotUsable(location, 'the file is not a SQLite database, so not a Beacon event store. It was left untouched.');
    }
    throw error;
  }
  if (applicationId === 0 && version === 0 && tables === 0) return 0;
  if (applicationId !== beaconApplicationId) {
    const owner =
      applicationId === 0 ? 'it has no application id' : `its application id is 0x${(applicationId >>> 0).toString(16)}, not Beacon's`;
    throw new StoreNotUsable(location, `it is a SQLite database, but not a Beacon event store (${owner}). It was left untouched.`);
  }
  if (version > latestVersion) {
    throw new StoreNotUsable(
      location,
      `it was made by a newer Beacon (schema v${version}); this Beacon reads up to v${latestVersion}. Upgrade Beacon.`,
    );
  }
  return version;
}

export function isSqliteError(error: unknown, code: string): boolean {
  return error instanceof Error && 'code' in error && error.code === code;
}
