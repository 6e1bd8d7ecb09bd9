/**
 * Large appends (more than the server's MaxAppendSize) and what readers may see of them.
 *
 * EventStoreDB appends atomically only up to MaxAppendSize (1 MiB by default). A larger append
 * is written in parts, each an atomic append expecting the revision the previous part left, and
 * every event of it carries `$beacon.batch` in its metadata (the id of its first event, which
 * names the batch). The last event of the last part also carries `$beacon.end`: the commit
 * marker. Readers expose a batch's events only once they have read its marker, so a return is
 * whole or absent for every reader; in the global order they stop at an unfinished batch and wait
 * for it (nothing after it is delivered before it, so a checkpoint never passes it).
 *
 * A batch is abandoned, and never shown, once its stream holds a later event that is not part of
 * it: another append got in between its parts, or the writer gave up and wrote an abandonment
 * event (`$beacon.abandons`) after a failure. A writer killed between parts leaves an unfinished
 * batch at the end of its stream, and readers wait there until the append is retried (ids are
 * deterministic, so the retry finishes it) or the stream moves on.
 */
import type { StoredEvent } from '@beacon/event-store';

export const batchKey = '$beacon.batch';
export const endKey = '$beacon.end';
export const abandonsKey = '$beacon.abandons';
export const storedAtKey = '$beacon.storedAt';

/**
 * An event as read from EventStoreDB, before deciding whether it may be shown: the port's
 * StoredEvent (stream without the prefix, metadata without Beacon's own keys) and where it
 * stands in a large append.
 */
export interface RawEvent extends StoredEvent {
  /** The batch it belongs to, for the parts of a large append. */
  batch: string | undefined;
  /** Whether it is the commit marker of its batch. */
  end: boolean;
  /** The batch an abandonment event gives up. */
  abandons: string | undefined;
}

/**
 * The events of `raw` (in log order, stream order or global order) that readers may see, in
 * that order, up to the first unfinished batch. `blocked` is true when an unfinished batch
 * stopped it: later events exist but must wait.
 */
export function visibleEvents(raw: readonly RawEvent[]): { events: RawEvent[]; blocked: boolean } {
  const outcome = new Map<string, 'committed' | 'abandoned'>();
  /** The batch each stream is in the middle of. */
  const openBatch = new Map<string, string>();
  for (const event of raw) {
    const key = (batch: string) => `${event.stream}\u0000${batch}`;
    const open = openBatch.get(event.stream);
    if (open !== undefined && event.batch !== open) {
      outcome.set(key(open), 'abandoned');
      openBatch.delete(event.stream);
    }
    if (event.batch === undefined) continue;
    if (event.end) {
      outcome.set(key(event.batch), 'committed');
      openBatch.delete(event.stream);
    } else {
      openBatch.set(event.stream, event.batch);
    }
  }
  const events: RawEvent[] = [];
  for (const event of raw) {
    if (event.abandons !== undefined) continue;
    if (event.batch === undefined) {
      events.push(event);
      continue;
    }
    const state = outcome.get(`${event.stream}\u0000${event.batch}`);
    if (state === undefined) return { events, blocked: true };
    if (state === 'committed') events.push(event);
  }
  return { events, blocked: false };
}
