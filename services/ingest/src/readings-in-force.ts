import type { EventStore } from '@beacon/event-store';
import { fromStoredEvent } from '@beacon/events';
import { type ReadingInForce, type ReadingsOnRecord, readingKey } from '@beacon/return-intake';

/**
 * The readings in force (what readingsOnRecord of @beacon/return-intake works out), kept in
 * memory and brought up to date from the events appended since the last call, by this process
 * or any other. readingsOnRecord reads the whole log for every return, which grows with the
 * store: about 50 ms an upload at 10,000 events. Until the projectors keep this read model.
 */
export function readingsInForce(store: EventStore): () => Promise<ReadingsOnRecord> {
  const inForce = new Map<string, ReadingInForce>();
  let after = 0n;
  const catchUp = async () => {
    for (;;) {
      const page = await store.readAll({ after, maxCount: 10_000 });
      if (page.length === 0) return;
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
