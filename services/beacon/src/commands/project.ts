import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { EventStore } from '@beacon/event-store';
import { catchUp, type Progress, rebuild } from '@beacon/projector-service';
import { ReadModels } from '@beacon/read-models';
import { SingleBar } from 'cli-progress';
import type { Config } from '../config.js';
import { openEventStore } from '../open-store.js';

/** A bar on a terminal for long replays; nothing for a few events or when output is a file. */
function progressBar(title: string): { onProgress: (p: Progress) => void; stop: () => void } {
  let bar: SingleBar | undefined;
  return {
    onProgress: ({ position, head }) => {
      if (!process.stderr.isTTY || head < 50_000n) return;
      if (!bar) {
        bar = new SingleBar({ format: `${title} [{bar}] {percentage}% | {value} of {total} events`, stream: process.stderr, hideCursor: true });
        bar.start(Number(head), 0);
      }
      bar.update(Number(position));
    },
    stop: () => bar?.stop(),
  };
}

/** Brings the read models up to the end of the log and hands them over open. */
export async function projectToHead(config: Config, store: EventStore): Promise<{ readModels: ReadModels; from: bigint; to: bigint }> {
  mkdirSync(dirname(config.readModelsFile), { recursive: true });
  const readModels = new ReadModels(config.readModelsFile);
  const from = readModels.checkpoint();
  const bar = progressBar('Projecting');
  try {
    const to = await catchUp(store, readModels, { onProgress: bar.onProgress });
    return { readModels, from, to };
  } catch (error) {
    readModels.close();
    throw error;
  } finally {
    bar.stop();
  }
}

/** For a command that reads the read models: the store opened, the read models brought up to date, both closed after `work`. */
export async function withReadModels<T>(config: Config, work: (readModels: ReadModels) => Promise<T> | T): Promise<T> {
  const { store } = await openEventStore(config);
  try {
    const { readModels } = await projectToHead(config, store);
    try {
      return await work(readModels);
    } finally {
      readModels.close();
    }
  } finally {
    await store.close();
  }
}

/** `beacon rebuild`: the read models replayed from zero into a fresh file, then swapped in. */
export async function rebuildCommand(config: Config, store: EventStore, say: (line: string) => void): Promise<void> {
  mkdirSync(dirname(config.readModelsFile), { recursive: true });
  const started = performance.now();
  const bar = progressBar('Rebuilding');
  try {
    const position = await rebuild(store, config.readModelsFile, { onProgress: bar.onProgress, readerThread: config.store });
    bar.stop();
    say(`Read models ${config.readModelsFile} rebuilt from the start of the log to position ${position} in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
  } finally {
    bar.stop();
  }
}
