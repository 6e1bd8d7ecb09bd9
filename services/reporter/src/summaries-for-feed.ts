/**
 * Run in a feed worker thread (through contents-worker.mjs): opens its own connection to the read
 * models and the catalogue once, then works out the feed contents of each share of areas it is
 * sent, one message per area, then "done".
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadCatalogue } from '@beacon/catalogue';
import type { ReadModelsConfig } from '@beacon/config';
import { feedContents } from '@beacon/feed';
import { PerformanceQueries, ReadModels, type RecordBook } from '@beacon/read-models';
import type { FeedWorkerData } from './parallel-contents.js';

const port = parentPort;
if (!port) throw new Error('summaries-for-feed runs as a worker thread');
const { readModels, catalogueDir } = workerData as FeedWorkerData;

/** SQLite's records are opened here; @beacon/stores (every store's driver) is loaded only by workers on PostgreSQL. */
async function recordsIn(config: ReadModelsConfig): Promise<RecordBook> {
  if (config.kind === 'sqlite') return new ReadModels(config.file).records;
  return (await (await import('@beacon/stores')).openReadModels(config)).records;
}

const catalogue = loadCatalogue(catalogueDir);
const queries = new PerformanceQueries(await recordsIn(readModels), catalogue);

port.on('message', async ({ month, asAt, areas }: { month: string; asAt: string; areas: string[] }) => {
  for (const area of areas) port.postMessage({ contents: feedContents(catalogue, await queries.summary({ area, period: month, asAt }), asAt) });
  port.postMessage({ done: true });
});
port.postMessage({ ready: true });
