import Database from 'better-sqlite3';
import { pageSize, prepareSchema } from './schema.js';

export type Synchronous = 'normal' | 'full';

/** The page cache of a connection, in KiB. */
export const cacheKiB = 16 * 1024;

/**
 * The page cache while appending. A return is one append, and its event ids (UUIDs) land all
 * over the (stream, id) index: ~50 MB of index pages for a million-reading return, which a
 * 16 MiB cache kept missing (measured: 7.2 s of CPU for a million-event append, 4.0 s with
 * 48 MiB). SQLite takes cache pages only as it needs them, so small appends cost no more.
 */
export const appendCacheKiB = 48 * 1024;

/** The WAL size, in pages, at which a commit checkpoints on its own connection: 64 MiB. */
export const walAutocheckpointPages = (64 * 1024 * 1024) / pageSize;

/** Opens (creating if need be) a Beacon event-store database, ready to use. */
export function openDatabase(file: string, synchronous: Synchronous = 'normal'): Database.Database {
  const db = new Database(file);
  try {
    // Another process may hold the write lock for a large append.
    db.pragma('busy_timeout = 10000');
    prepareSchema(db, file);
    // In WAL mode NORMAL syncs only at checkpoints: a commit is in the WAL file, so it survives
    // the process being killed; only an OS crash or power cut can undo the last few commits.
    // FULL syncs every commit, which costs ~1.5 ms more per append on this machine's disk.
    db.pragma(`synchronous = ${synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    // Appends write only the tails of the table and its indexes, so a small cache holds their
    // hot pages; reads of older events come from the OS's file cache. (16 MiB rather than 64 MiB
    // measured the same speed and ~50 MB less memory.) A large append gets more: appendCacheKiB.
    db.pragma(`cache_size = -${cacheKiB}`);
    db.pragma('temp_store = MEMORY');
    // A worker thread checkpoints as appends go (checkpointer.ts); this connection checkpoints
    // itself only when the WAL reaches 64 MiB (4,096 16-KiB pages), which bounds it should that
    // thread fall behind. (Without the thread, 16, 64 and 256 MiB measured within noise.)
    db.pragma(`wal_autocheckpoint = ${walAutocheckpointPages}`);
    // Once checkpointed, a WAL grown by a big append shrinks back to this size.
    db.pragma('journal_size_limit = 67108864');
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
