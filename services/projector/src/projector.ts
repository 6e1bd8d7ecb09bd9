import { existsSync, renameSync, rmSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { ReadModelsConfig, StoreConfig } from '@beacon/config';
import { type EventStore, logPages, type Subscription } from '@beacon/event-store';
import { type DecodedBatch, outboxTables, ReadModels, type RecordKeeper } from '@beacon/read-models';
import { PostgresReadModels } from '@beacon/read-models-postgres';

export interface Progress {
  position: bigint;
  head: bigint;
}

/** Projects everything in the log after the read models' checkpoint, up to the head as it was when called. */
export async function catchUp(store: EventStore, readModels: RecordKeeper, options: { batchSize?: number; onProgress?: (progress: Progress) => void } = {}): Promise<bigint> {
  const head = await store.headPosition();
  let position = await readModels.checkpoint();
  for await (const page of logPages(store, position, options.batchSize ?? 5_000)) {
    position = await readModels.project(page);
    options.onProgress?.({ position, head });
    if (position >= head) break;
  }
  return position;
}

/**
 * The projector at work: follows the log from the read models' checkpoint, projecting each batch
 * with its checkpoint in one transaction. If it meets an event it cannot project, it stops, and
 * `closed` rejects with ProjectionStopped naming the event.
 */
export async function follow(store: EventStore, readModels: RecordKeeper, options: { batchSize?: number; onBatch?: (position: bigint) => void } = {}): Promise<Subscription> {
  return store.subscribe({
    after: await readModels.checkpoint(),
    batchSize: options.batchSize ?? 5_000,
    onEvents: async (events) => {
      const position = await readModels.project(events);
      options.onBatch?.(position);
    },
  });
}

// Small batches keep the reader and the writer both busy, and little in flight between them
// (measured on 1.1M events: 1,000 gave ~160k events/s and 375 MB; 5,000 ~140k/s and 490 MB).
const REBUILD_BATCH = 1_000;

interface RebuildOptions {
  onProgress?: (progress: Progress) => void;
  /** The store's configuration: the log is then read and decoded in a worker thread while this one writes (about twice as fast on two cores). */
  readerThread?: StoreConfig;
}

/**
 * Rebuilds the read models from the start of the log into fresh ones beside them (a file beside
 * the SQLite file, or a schema beside the PostgreSQL one), then puts those in their place. Until
 * then the old read models stay as they were, so a rebuild that is stopped half-way changes
 * nothing. The feed outbox kept beside them comes across untouched: it is the record of what
 * was published, which the log cannot give back. Neither the projector nor the reporter may be
 * running on them meanwhile.
 */
export function rebuild(store: EventStore, target: ReadModelsConfig, options: RebuildOptions = {}): Promise<bigint> {
  return target.kind === 'sqlite' ? rebuildFile(store, target.file, options) : rebuildSchema(store, target, options);
}

async function rebuildFile(store: EventStore, file: string, options: RebuildOptions): Promise<bigint> {
  const fresh = `${file}.rebuilding`;
  for (const suffix of ['', '-wal', '-shm']) rmSync(fresh + suffix, { force: true });
  const readModels = new ReadModels(fresh, { synchronous: 'off' });
  let position: bigint;
  try {
    // One transaction for the whole rebuild (each batch a savepoint inside it): pages hot in the
    // indexes are written once, not once per batch, and the fresh file is whole or thrown away.
    readModels.db.exec('BEGIN');
    position = await replay(store, readModels, options);
    readModels.db.exec('COMMIT');
    // Last thing before the swap, so that little time is left for the reporter to add to the old
    // outbox what would then be lost (it must be stopped, as the projector must). Unlike the read
    // models, the outbox cannot be made again: it is on disk before the old file goes.
    readModels.db.pragma('synchronous = FULL');
    carryOutboxOver(readModels.db, file);
    // Back to the journal the projector runs with, before the file takes the old one's place.
    readModels.db.pragma('journal_mode = WAL');
  } finally {
    readModels.close();
  }
  for (const suffix of ['-wal', '-shm']) rmSync(file + suffix, { force: true });
  renameSync(fresh, file);
  return position;
}

/**
 * Copies the feed outbox's tables from the old read-model file into the fresh one: the same SQL
 * (so the same columns, constraints and indexes), the same rows at the same positions, and the
 * same AUTOINCREMENT counter, so no position is ever handed out twice.
 */
function carryOutboxOver(db: ReadModels['db'], file: string): void {
  if (!existsSync(file)) return;
  db.prepare('ATTACH DATABASE ? AS old').run(file);
  try {
    const names = outboxTables.map(() => '?').join(', ');
    db.transaction(() => {
      // Tables before the indexes on them; those SQLite makes for a table's keys have no SQL.
      const objects = db
        .prepare(`SELECT type, name, sql FROM old.sqlite_schema WHERE tbl_name IN (${names}) AND sql IS NOT NULL ORDER BY type = 'index'`)
        .all(...outboxTables) as { type: string; name: string; sql: string }[];
      for (const { sql } of objects) db.exec(sql);
      for (const { name } of objects.filter((object) => object.type === 'table')) db.exec(`INSERT INTO main."${name}" SELECT * FROM old."${name}"`);
      // The copy set the counter to the highest position copied; the old one may be further on.
      if (db.prepare("SELECT 1 FROM main.sqlite_schema WHERE name = 'sqlite_sequence'").get()) {
        db.prepare(`DELETE FROM main.sqlite_sequence WHERE name IN (${names})`).run(...outboxTables);
        db.prepare(`INSERT INTO main.sqlite_sequence (name, seq) SELECT name, seq FROM old.sqlite_sequence WHERE name IN (${names})`).run(...outboxTables);
      }
    })();
  } finally {
    db.exec('DETACH DATABASE old');
  }
}

async function rebuildSchema(store: EventStore, target: { url: string; schema: string }, options: RebuildOptions): Promise<bigint> {
  const readModels = await PostgresReadModels.rebuilding({ url: target.url, schema: target.schema });
  try {
    const position = await replay(store, readModels, options);
    await readModels.replaceOriginal();
    return position;
  } finally {
    await readModels.close();
  }
}

const replay = (store: EventStore, readModels: RecordKeeper, options: RebuildOptions) =>
  options.readerThread
    ? rebuildWithReaderThread(options.readerThread, readModels, options.onProgress)
    : catchUp(store, readModels, { batchSize: REBUILD_BATCH, ...(options.onProgress && { onProgress: options.onProgress }) });

/** The log read and decoded in a worker thread, a batch ahead; written here, one batch at a time. */
function rebuildWithReaderThread(config: StoreConfig, readModels: RecordKeeper, onProgress?: (progress: Progress) => void): Promise<bigint> {
  return new Promise((resolve, reject) => {
    const reader = new Worker(new URL('./log-reader-worker.mjs', import.meta.url), {
      workerData: { config, batchSize: REBUILD_BATCH },
      // Decoding makes many short-lived objects: a larger young generation collects them far
      // less often (measured: a quarter of the reader's time went to collection with the default).
      resourceLimits: { maxYoungGenerationSizeMb: 64 },
    });
    let position = 0n;
    let failed = false;
    let finished = false;
    // Batches are written in the order they came, each after the one before has committed.
    let writing: Promise<void> = Promise.resolve(readModels.checkpoint()).then((checkpoint) => {
      position = checkpoint;
    });
    const fail = (error: unknown) => {
      if (finished || failed) return;
      failed = true;
      void reader.terminate();
      reject(error);
    };
    reader.on('message', (message: { batch: DecodedBatch; head: bigint } | { done: true }) => {
      if (failed) return;
      if ('done' in message) {
        writing = writing.then(() => {
          finished = true;
          void reader.terminate().then(() => resolve(position));
        }, fail);
        return;
      }
      writing = writing.then(async () => {
        if (failed) return;
        // The reader decodes the next batch while this one is written.
        reader.postMessage('more');
        position = await readModels.apply(message.batch);
        onProgress?.({ position, head: message.head });
      });
      writing.catch(fail);
    });
    reader.once('error', fail);
    reader.once('exit', (code) => code !== 0 && !failed && !finished && fail(new Error(`the rebuild's log reader stopped with exit code ${code}`)));
  });
}
