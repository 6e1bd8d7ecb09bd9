import { type EventStore, logPages } from '@beacon/event-store';
import { fromStoredEvent } from '@beacon/events';
import { readingKey } from './check-reading.js';

/** The reading currently in force for a measure, area and period, which a new one would supersede. */
export interface ReadingInForce {
  returnId: string;
  row: number;
  value: number;
  recordedAt: string;
}

export type ReadingsOnRecord = ReadonlyMap<string, ReadingInForce>;

/**
 * The readings in force, keyed by `readingKey` (the last recorded reading for each measure,
 * area and period), kept in memory and brought up to date from the events appended since the
 * last call, by this process or any other. Until the projectors keep this read model.
 */
export function keepReadingsOnRecord(store: EventStore): () => Promise<ReadingsOnRecord> {
  const inForce = new Map<string, ReadingInForce>();
  let after = 0n;
  const catchUp = async () => {
    for await (const page of logPages(store, after)) {
      for (const stored of page) {
        const event = stored.type === 'ReadingRecorded' ? fromStoredEvent(stored) : undefined;
        if (event?.type === 'ReadingRecorded') {
          const { data } = event;
          inForce.set(readingKey(data), { returnId: data.returnId, row: data.row, value: data.value, recordedAt: data.recordedAt });
        }
        // Only past an event once it is applied: one that fails to decode fails every call, not just the first.
        after = stored.position;
      }
    }
  };
  // One catch-up at a time: two uploads at once must not apply the same page twice out of order.
  let caughtUp: Promise<void> = Promise.resolve();
  return async () => {
    const run = caughtUp.then(catchUp);
    caughtUp = run.catch(() => undefined);
    await run;
    return inForce;
  };
}

/** The readings in force now, read from the whole log once. */
export const readingsOnRecord = (store: EventStore): Promise<ReadingsOnRecord> => keepReadingsOnRecord(store)();
