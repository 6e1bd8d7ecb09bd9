import type { EventStore } from '@beacon/event-store';
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
 * The readings in force, keyed by `readingKey`: the last recorded reading for each measure,
 * area and period. Worked out from the whole log until the projectors keep it as a read model.
 */
export async function readingsOnRecord(store: EventStore): Promise<ReadingsOnRecord> {
  const inForce = new Map<string, ReadingInForce>();
  let after = 0n;
  for (;;) {
    const page = await store.readAll({ after, maxCount: 10_000 });
    if (page.length === 0) return inForce;
    for (const stored of page) {
      if (stored.type !== 'ReadingRecorded') continue;
      const event = fromStoredEvent(stored);
      if (event.type !== 'ReadingRecorded') continue;
      const { data } = event;
      inForce.set(readingKey(data), { returnId: data.returnId, row: data.row, value: data.value, recordedAt: data.recordedAt });
    }
    after = page[page.length - 1]!.position;
  }
}
