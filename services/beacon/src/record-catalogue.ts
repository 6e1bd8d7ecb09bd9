import type { Catalogue } from '@beacon/catalogue';
import type { EventStore } from '@beacon/event-store';
import { catalogueRecords, toEventToAppend } from '@beacon/events';

/** A figure in the catalogue was changed without raising its version, so the store would ignore the change. */
export class CatalogueChangedInPlace extends Error {
  override readonly name = 'CatalogueChangedInPlace';
}

/**
 * Appends the catalogue's targets and populations that the store does not hold yet. Appends are
 * idempotent (deterministic ids), so running this on every start-up records each figure once.
 */
export async function recordCatalogue(store: EventStore, catalogue: Catalogue): Promise<{ added: number; alreadyRecorded: number }> {
  let added = 0;
  let alreadyRecorded = 0;
  for (const record of catalogueRecords(catalogue)) {
    const toAppend = toEventToAppend(record.event, record.id);
    const result = await store.append(record.stream, [toAppend], { expectedRevision: 'any' });
    if (!result.alreadyStored) {
      added++;
      continue;
    }
    alreadyRecorded++;
    const stored = (await store.readStream(record.stream)).find((event) => event.id === record.id);
    if (JSON.stringify(stored?.data) !== JSON.stringify(toAppend.data)) {
      const what = record.event.type === 'TargetSet' ? `target "${record.event.data.targetId}" version ${record.event.data.version}` : `a population of ${record.stream}`;
      throw new CatalogueChangedInPlace(
        `The catalogue's ${what} differs from the one already recorded in the event store. Recorded figures are never rewritten: give a revised target a higher version (and the day it was agreed as recordedOn).`,
      );
    }
  }
  return { added, alreadyRecorded };
}
