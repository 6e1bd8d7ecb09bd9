import Database from 'better-sqlite3';
import { migrations, prepareSchema } from './schema.js';

export type Synchronous = 'normal' | 'full';

/** Opens (creating if need be) a Beacon event-store database, ready to use. */
export function openDatabase(file: string, synchronous: Synchronous = 'normal', steps: readonly string[] = migrations): Database.Database {
  const db = new Database(file);
  try {
    // Another process may hold the write lock for a large append.
    db.pragma('busy_timeout = 10000');
    prepareSchema(db, file, steps);
    // In WAL mode NORMAL syncs only at checkpoints: a commit is in the WAL file, so it survives
    // the process being killed; only an OS crash or power cut can undo the last few commits.
    // FULL syncs every commit, which costs ~1.5 ms more per append on this machine's disk.
    db.pragma(`synchronous = ${synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    // 64 MiB of page cache holds the indexes' hot pages while appending.
    db.pragma('cache_size = -65536');
    db.pragma('temp_store = MEMORY');
    // Event ids are random, so an append dirties about one page of the id index per event.
    // Checkpointing every 64 MiB of WAL rather than SQLite's default 4 MiB copies a page that
    // many appends rewrote back once, not once per few appends: bulk appends run ~1.5x faster.
    db.pragma('wal_autocheckpoint = 16384');
    // Once checkpointed, a WAL grown by a big append shrinks back to this size.
    db.pragma('journal_size_limit = 67108864');
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
