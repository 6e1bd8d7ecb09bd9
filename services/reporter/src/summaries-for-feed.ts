/** Run in a worker thread of contentsInParallel (through contents-worker.mjs): works out the feed contents of its share of the areas, from its own connection. */
import { parentPort, workerData } from 'node:worker_threads';
import { loadCatalogue } from '@beacon/catalogue';
import { feedContents } from '@beacon/feed';
import { PerformanceQueries, ReadModels } from '@beacon/read-models';

const { readModelsFile, catalogueDir, month, asAt, areas } = workerData as { readModelsFile: string; catalogueDir: string; month: string; asAt: string; areas: string[] };
const readModels = new ReadModels(readModelsFile);
try {
  const catalogue = loadCatalogue(catalogueDir);
  const queries = new PerformanceQueries(readModels, catalogue);
  for (const area of areas) parentPort?.postMessage(feedContents(catalogue, queries.summary({ area, period: month, asAt }), asAt));
} finally {
  readModels.close();
}
