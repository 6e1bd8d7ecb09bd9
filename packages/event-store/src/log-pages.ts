import type { EventStore, StoredEvent } from './event-store.js';

/** The log after `after` in global order, a page at a time: for readers that go to the end and stop. */
export async function* logPages(store: EventStore, after = 0n, pageSize = 10_000): AsyncGenerator<StoredEvent[]> {
  for (let position = after; ; ) {
    const page = await store.readAll({ after: position, maxCount: pageSize });
    if (page.length === 0) return;
    yield page;
    position = page[page.length - 1]!.position;
  }
}
