/**
 * Run in a worker thread by `rebuild` (through log-reader-worker.mjs): reads the log from the start
 * and decodes it into read-model changes, a batch ahead of the thread that writes them, so reading
 * and writing use a core each. At most two batches wait unacknowledged, which bounds memory.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { StoreConfig } from '@beacon/config';
import { logPages } from '@beacon/event-store';
import { decodeEvents } from '@beacon/read-models';
import { openEventStore } from '@beacon/stores';

const { config, batchSize } = workerData as { config: StoreConfig; batchSize: number };
const port = parentPort;
if (!port) throw new Error('log-reader runs as a worker thread');

let credits = 2;
let wake: (() => void) | undefined;
port.on('message', () => {
  credits++;
  wake?.();
});

const { store } = await openEventStore(config);
try {
  const head = await store.headPosition();
  for await (const page of logPages(store, 0n, batchSize)) {
    while (credits === 0) await new Promise<void>((resolve) => (wake = resolve));
    credits--;
    const batch = decodeEvents(page);
    port.postMessage({ batch, head });
    if (batch.stopped) break;
  }
  port.postMessage({ done: true });
} finally {
  await store.close();
}
