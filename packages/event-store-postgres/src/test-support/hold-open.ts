/**
 * Child process for concurrency.test.ts: appends 1,500 events to the stream "slow", produced
 * lazily; after the first 1,200 (so one INSERT is in the open transaction) it says "holding" and
 * blocks for the given milliseconds before producing the rest, then says "appended".
 */
import { openPostgresEventStore } from '../postgres-event-store.js';

const [connectionString, schema, holdMs] = process.argv.slice(2);
if (!connectionString || !schema || !holdMs) throw new Error('usage: hold-open.ts <connection string> <schema> <hold ms>');
const store = await openPostgresEventStore({ connectionString, schema });

function* produce() {
  for (let i = 0; i < 1_500; i++) {
    if (i === 1_200) {
      process.stdout.write('holding\n');
      // Blocks this process, transaction open, as a slow producer of a large return would.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Number(holdMs));
    }
    yield { id: crypto.randomUUID(), type: 'Held', data: { i } };
  }
}

await store.append('slow', produce(), { expectedRevision: 'no_stream' });
process.stdout.write('appended\n');
await store.close();
