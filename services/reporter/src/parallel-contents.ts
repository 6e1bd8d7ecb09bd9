import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ReadModelsConfig } from '@beacon/config';
import type { FeedContent } from '@beacon/feed';

type Contents = Array<{ key: string; period: string; content: FeedContent }>;
type FromWorker = { ready: true } | { contents: Contents } | { done: true };

/** What a feed worker is started with (summaries-for-feed.ts). */
export interface FeedWorkerData {
  readModels: ReadModelsConfig;
  catalogueDir: string;
}

/**
 * Worker threads, one per core, that work out the feed contents of many areas: each opens its own
 * connection to the read models (SQLite or PostgreSQL) and loads the catalogue once, and stays for the next month. A
 * month close for 300 partnerships is ~900 summaries, which one thread works through in ~8 s.
 */
export class FeedWorkers {
  private readonly workers: Worker[];
  private readonly started: Promise<unknown>;
  private failure: Error | undefined;

  constructor(options: FeedWorkerData & { count?: number }) {
    const workerData: FeedWorkerData = { readModels: options.readModels, catalogueDir: options.catalogueDir };
    this.workers = Array.from({ length: Math.max(1, options.count ?? availableParallelism()) }, () => {
      const worker = new Worker(new URL('./contents-worker.mjs', import.meta.url), { workerData });
      // Idle workers never keep a command from ending.
      worker.unref();
      worker.once('error', (error) => {
        this.failure = error;
      });
      return worker;
    });
    this.started = Promise.all(this.workers.map((worker) => next(worker, (message) => 'ready' in message)));
  }

  /** Resolves once every worker is ready for work. */
  ready(): Promise<unknown> {
    return this.started;
  }

  /**
   * The contents of `areas` for the month as at `asAt`. Each worker takes a whole run of
   * neighbouring areas (a partnership follows its boroughs in the catalogue, and its summary then
   * reuses the readings theirs read); each area's contents go to `onArea` as soon as they are
   * ready, so they can be sent while the rest are worked out.
   */
  async contents(input: { month: string; asAt: string; areas: readonly string[]; onArea: (contents: Contents) => void }): Promise<void> {
    await this.started;
    if (this.failure) throw this.failure;
    const size = Math.ceil(input.areas.length / this.workers.length);
    await Promise.all(
      this.workers.map((worker, w) => {
        const areas = input.areas.slice(w * size, (w + 1) * size);
        const finished = next(worker, (message) => {
          if ('contents' in message) input.onArea(message.contents);
          return 'done' in message;
        });
        worker.postMessage({ month: input.month, asAt: input.asAt, areas });
        return finished;
      }),
    );
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }
}

/** Handles the worker's messages until `isLast` says one was the last; rejects if the worker fails or stops. */
function next(worker: Worker, isLast: (message: FromWorker) => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: FromWorker) => {
      try {
        if (!isLast(message)) return;
      } catch (error) {
        reject(error);
      }
      settle();
      resolve();
    };
    const onError = (error: Error) => {
      settle();
      reject(error);
    };
    const onExit = (code: number) => {
      settle();
      reject(new Error(`a feed worker stopped with exit code ${code}`));
    };
    const settle = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    worker.on('message', onMessage);
    worker.once('error', onError);
    worker.once('exit', onExit);
  });
}
