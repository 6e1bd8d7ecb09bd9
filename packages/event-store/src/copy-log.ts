import type { EventStore, EventToAppend, StoredEvent } from './event-store.js';
import { logPages } from './log-pages.js';

export interface CopyProgress {
  /** Events copied (or found already copied) so far. */
  events: number;
  /** Source position of the last event copied. */
  position: bigint;
  /** The source's head position when the copy started: `position / head` is the share done. */
  head: bigint;
}

/**
 * Copies the whole log of `from` into `to`, which should be empty (say, SQLite to PostgreSQL):
 * the same events in the same global order, with their streams, revisions, ids, types, data,
 * metadata and stored times. Positions are the target's own.
 *
 * Each run of consecutive events of one stream becomes one append, never split, so an append
 * of the source (a return) is whole or absent in the target at every moment of the copy. Each
 * append expects the stream at the revision before its first event, so revisions come out the
 * same, and a target that has diverged fails with StreamRevisionConflict instead of mixing logs.
 * An interrupted copy can be run again: what was copied is recognised as a retry (ids are kept)
 * and skipped, then the copy carries on.
 *
 * Copies the log as it is when each page is read; stop the writers for a copy that is final.
 */
export async function copyLog(
  from: EventStore,
  to: EventStore,
  { onProgress, pageSize = 10_000 }: { onProgress?: (progress: CopyProgress) => void; pageSize?: number } = {},
): Promise<CopyProgress> {
  const progress: CopyProgress = { events: 0, position: 0n, head: await from.headPosition() };
  let run: StoredEvent[] = [];
  const flush = async () => {
    const first = run[0];
    if (!first) return;
    const events: EventToAppend[] = run.map(({ id, type, data, metadata, storedAt }) => ({ id, type, data, metadata, storedAt }));
    await to.append(first.stream, events, { expectedRevision: first.revision === 0n ? 'no_stream' : first.revision - 1n });
    progress.events += run.length;
    progress.position = (run.at(-1) as StoredEvent).position;
    run = [];
    onProgress?.({ ...progress });
  };
  for await (const page of logPages(from, 0n, pageSize)) {
    for (const event of page) {
      if (run.length > 0 && (run[0] as StoredEvent).stream !== event.stream) await flush();
      run.push(event);
    }
  }
  await flush();
  return progress;
}
