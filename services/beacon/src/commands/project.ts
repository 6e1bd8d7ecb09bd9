import { readModelsWhere } from '@beacon/config';
import type { EventStore } from '@beacon/event-store';
import { catchUp, type Progress, rebuild } from '@beacon/projector-service';
import { type OpenedReadModels, openReadModels } from '@beacon/stores';
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
export async function projectToHead(config: Config, store: EventStore): Promise<{ readModels: OpenedReadModels; from: bigint; to: bigint }> {
  const readModels = await openReadModels(config.readModels);
  const bar = progressBar('Projecting');
  try {
    const from = await readModels.keeper.checkpoint();
    const to = await catchUp(store, readModels.keeper, { onProgress: bar.onProgress });
    return { readModels, from, to };
  } catch (error) {
    await readModels.close();
    throw error;
  } finally {
    bar.stop();
  }
}

/** For a command that reads the read models: the store opened, the read models brought up to date, both closed after `work`. */
export async function withReadModels<T>(config: Config, work: (readModels: OpenedReadModels) => Promise<T> | T): Promise<T> {
  const { store } = await openEventStore(config);
  try {
    const { readModels } = await projectToHead(config, store);
    try {
      return await work(readModels);
    } finally {
      await readModels.close();
    }
  } finally {
    await store.close();
  }
}

/** `beacon rebuild`: the read models replayed from zero into fresh ones (a file or a schema), then swapped in. */
export async function rebuildCommand(config: Config, store: EventStore, say: (line: string) => void): Promise<void> {
  const started = performance.now();
  const bar = progressBar('Rebuilding');
  try {
    const position = await rebuild(store, config.readModels, { onProgress: bar.onProgress, readerThread: config.store });
    bar.stop();
    say(`Read models ${readModelsWhere(config.readModels)} rebuilt from the start of the log to position ${position} in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
  } finally {
    bar.stop();
  }
}
