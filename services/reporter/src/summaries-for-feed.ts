/**
 * Run in a feed worker thread (through contents-worker.mjs): opens its own connection to the read
 * models and the catalogue once, then works out the feed contents of each share of areas it is
 * sent, one message per area, then "done".
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadCatalogue } from '@beacon/catalogue';
import { feedContents } from '@beacon/feed';
import { PerformanceQueries, ReadModels } from '@beacon/read-models';

const port = parentPort;
if (!port) throw new Error('summaries-for-feed runs as a worker thread');
const { readModelsFile, catalogueDir } = workerData as { readModelsFile: string; catalogueDir: string };
const readModels = new ReadModels(readModelsFile);
const catalogue = loadCatalogue(catalogueDir);
const queries = new PerformanceQueries(readModels, catalogue);

port.on('message', ({ month, asAt, areas }: { month: string; asAt: string; areas: string[] }) => {
  for (const area of areas) port.postMessage({ contents: feedContents(catalogue, queries.summary({ area, period: month, asAt }), asAt) });
  port.postMessage({ done: true });
});
port.postMessage({ ready: true });
