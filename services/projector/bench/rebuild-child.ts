/** Child process of projector.bench.ts: one rebuild, measured on its own, so its peak memory is its own. */
import { openSqliteEventStore } from '@beacon/event-store-sqlite';
import { rebuild } from '../src/projector.js';

const [storeFile, readModelsFile] = process.argv.slice(2) as [string, string];
const store = await openSqliteEventStore({ file: storeFile });
const started = performance.now();
const position = await rebuild(store, { kind: 'sqlite', file: readModelsFile }, {
  readerThread: { kind: 'sqlite', file: storeFile },
  onProgress: ({ position, head }) => process.stderr.write(`\r  rebuilding: ${((Number(position) / Number(head)) * 100).toFixed(0)}%`),
});
const seconds = (performance.now() - started) / 1000;
await store.close();
process.stderr.write('\n');
console.log(JSON.stringify({ events: Number(position), seconds, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
