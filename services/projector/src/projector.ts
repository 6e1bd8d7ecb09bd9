import { rmSync, renameSync } from 'node:fs';
import { type EventStore, logPages, type Subscription } from '@beacon/event-store';
import { ReadModels } from '@beacon/read-models';

export interface Progress {
  position: bigint;
  head: bigint;
}

/** Projects everything in the log after the read models' checkpoint, up to the head as it was when called. */
export async function catchUp(store: EventStore, readModels: ReadModels, options: { batchSize?: number; onProgress?: (progress: Progress) => void } = {}): Promise<bigint> {
  const head = await store.headPosition();
  let position = readModels.checkpoint();
  for await (const page of logPages(store, position, options.batchSize ?? 5_000)) {
    position = readModels.project(page);
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
export function follow(store: EventStore, readModels: ReadModels, options: { batchSize?: number; onBatch?: (position: bigint) => void } = {}): Subscription {
  return store.subscribe({
    after: readModels.checkpoint(),
    batchSize: options.batchSize ?? 5_000,
    onEvents: (events) => {
      const position = readModels.project(events);
      options.onBatch?.(position);
    },
  });
}

/**
 * Rebuilds the read models from the start of the log into a fresh file beside `file`, then puts
 * it in `file`'s place. Until then the old read models stay as they were, so a rebuild that is
 * stopped half-way changes nothing. The projector must not be running on `file` meanwhile.
 */
export async function rebuild(store: EventStore, file: string, options: { onProgress?: (progress: Progress) => void } = {}): Promise<bigint> {
  const fresh = `${file}.rebuilding`;
  for (const suffix of ['', '-wal', '-shm']) rmSync(fresh + suffix, { force: true });
  const readModels = new ReadModels(fresh, { synchronous: 'off' });
  let position: bigint;
  try {
    position = await catchUp(store, readModels, { batchSize: 10_000, ...options });
    // Back to the journal the projector runs with, before the file takes the old one's place.
    readModels.db.pragma('journal_mode = WAL');
  } finally {
    readModels.close();
  }
  for (const suffix of ['-wal', '-shm']) rmSync(file + suffix, { force: true });
  renameSync(fresh, file);
  return position;
}
