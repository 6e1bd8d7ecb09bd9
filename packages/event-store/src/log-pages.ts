import type { EventStore, StoredEvent } from './event-store.js';

/**
 * The log after `after` in global order, a page at a time: for readers that go to the end and
 * stop. The next page is asked for as soon as a page arrives, before it is handed over, so a
 * store on a server reads it while the reader works on this one.
 */
export async function* logPages(store: EventStore, after = 0n, pageSize = 10_000): AsyncGenerator<StoredEvent[]> {
  let next = store.readAll({ after, maxCount: pageSize });
  try {
    for (;;) {
      const page = await next;
      const last = page.at(-1);
      if (!last) return;
      next = store.readAll({ after: last.position, maxCount: pageSize });
      yield page;
    }
  } finally {
    // A reader that stops early leaves a page asked for: its answer (or failure) goes nowhere.
    next.catch(() => {});
  }
}
