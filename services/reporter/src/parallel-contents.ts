import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { FeedContent } from '@beacon/feed';

type Contents = Array<{ key: string; period: string; content: FeedContent }>;

/**
 * The feed contents of many areas worked out on every core: each worker opens its own connection
 * to the read models and takes a share of the areas. Each area's contents are handed to `onArea`
 * as soon as they are ready (so they can be sent while the rest are worked out), in the order of
 * each worker's share. A month close for 300 partnerships is ~900 summaries, which one thread
 * works through in ~13 s.
 */
export async function contentsInParallel(input: {
  readModelsFile: string;
  catalogueDir: string;
  month: string;
  asAt: string;
  areas: readonly string[];
  workers?: number;
  onArea: (contents: Contents) => void;
}): Promise<void> {
  const workers = Math.max(1, Math.min(input.workers ?? availableParallelism(), input.areas.length));
  // Whole runs of neighbouring areas per worker: a partnership follows its boroughs in the
  // catalogue, and its summary then reuses the readings their summaries already read.
  const size = Math.ceil(input.areas.length / workers);
  const shares = Array.from({ length: workers }, (_, w) => input.areas.slice(w * size, (w + 1) * size));
  await Promise.all(
    shares.map(
      (areas) =>
        new Promise<void>((resolve, reject) => {
          const worker = new Worker(new URL('./contents-worker.mjs', import.meta.url), {
            workerData: { readModelsFile: input.readModelsFile, catalogueDir: input.catalogueDir, month: input.month, asAt: input.asAt, areas },
          });
          let received = 0;
          worker.on('message', (contents: Contents) => {
            try {
              input.onArea(contents);
            } catch (error) {
              void worker.terminate();
              reject(error);
              return;
            }
            if (++received === areas.length) resolve();
          });
          worker.once('error', reject);
          worker.once('exit', (code) => (received === areas.length ? resolve() : reject(new Error(`a feed worker stopped with exit code ${code}`))));
        }),
    ),
  );
}
