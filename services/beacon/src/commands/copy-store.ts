import type { StoreConfig } from '@beacon/config';
import { copyLog } from '@beacon/event-store';
import { openEventStore } from '@beacon/stores';
import { SingleBar } from 'cli-progress';
import type { Config } from '../config.js';

/** Where to copy to, as typed: a PostgreSQL URL, an EventStoreDB connection string, or a SQLite file. */
export function destinationOf(to: string, schema = 'beacon'): StoreConfig {
  if (/^postgres(ql)?:\/\//.test(to)) return { kind: 'postgres', url: to, schema };
  if (/^(esdb|esdb\+discover|kurrentdb|kurrentdb\+discover):\/\//.test(to)) return { kind: 'eventstoredb', url: to };
  return { kind: 'sqlite', file: to };
}

/**
 * `beacon copy-store --to DEST`: the whole event log copied from the configured store to another
 * (e.g. the embedded SQLite file to PostgreSQL), keeping order, streams, revisions, ids and
 * stored times. Run it again after an interruption: what was copied is recognised and skipped.
 * Then point BEACON_STORE at the copy and `beacon rebuild` the read models from it.
 */
export async function copyStoreCommand(config: Config, options: { to: string; schema?: string }, say: (line: string) => void): Promise<number> {
  const source = await openEventStore(config.store);
  try {
    const destination = await openEventStore(destinationOf(options.to, options.schema));
    try {
      say(`Copying the event log from ${source.location} to ${destination.location}`);
      const bar = process.stderr.isTTY ? new SingleBar({ format: 'Copying [{bar}] {percentage}% | {value} events', stream: process.stderr, hideCursor: true }) : undefined;
      const head = await source.store.headPosition();
      bar?.start(Number(head), 0);
      const copied = await copyLog(source.store, destination.store, { onProgress: ({ position }) => bar?.update(Number(position)) });
      bar?.stop();
      say(`  ${copied.events.toLocaleString('en-GB')} events copied (the copy's last position is ${await destination.store.headPosition()}).`);
      say('  Next: set BEACON_STORE (and its URL) to the copy, then run beacon rebuild.');
      return 0;
    } finally {
      await destination.store.close();
    }
  } finally {
    await source.store.close();
  }
}
