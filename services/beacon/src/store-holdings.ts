import { type EventStore, logPages } from '@beacon/event-store';

export interface StoreHoldings {
  events: number;
  streams: number;
  /** Events per type, in the order first seen. */
  byType: Map<string, number>;
  head: bigint;
}

/** What the store holds, counted from the log (until the projectors keep read models of it). */
export async function storeHoldings(store: EventStore): Promise<StoreHoldings> {
  const byType = new Map<string, number>();
  const streams = new Set<string>();
  let events = 0;
  for await (const page of logPages(store)) {
    for (const event of page) {
      byType.set(event.type, (byType.get(event.type) ?? 0) + 1);
      streams.add(event.stream);
    }
    events += page.length;
  }
  return { events, streams: streams.size, byType, head: await store.headPosition() };
}
