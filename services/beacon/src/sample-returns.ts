import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Catalogue } from '@beacon/catalogue';
import type { EventStore } from '@beacon/event-store';
import { type IngestOutcome, ingestReturn, keepReadingsOnRecord } from '@beacon/return-intake';
import { z } from 'zod';

export const sampleReturnsDir = fileURLToPath(new URL('../../../data/sample-returns/', import.meta.url));

const Manifest = z.array(z.object({ file: z.string().min(1), agency: z.string().min(1), submitter: z.string().min(1), receivedAt: z.iso.datetime({ offset: true }) }));

/**
 * Loads the illustrative sample returns as their agencies sent them, in the order and at the
 * times they were received, so the demonstration has history to show. Idempotent: a return
 * already held is recognised and nothing new is stored.
 */
export async function loadSampleReturns(store: EventStore, catalogue: Catalogue, dir = sampleReturnsDir): Promise<IngestOutcome[]> {
  const manifest = Manifest.parse(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')));
  const outcomes: IngestOutcome[] = [];
  // One view of the readings in force for all the returns, caught up before each: not a replay per return.
  const onRecord = keepReadingsOnRecord(store);
  for (const entry of manifest) {
    const outcome = await ingestReturn(
      {
        source: { bytes: readFileSync(join(dir, entry.file)) },
        fileName: entry.file,
        agency: entry.agency,
        submitter: { kind: 'person', id: entry.submitter, agency: entry.agency },
        receivedAt: entry.receivedAt,
      },
      { store, catalogue, readingsOnRecord: onRecord },
    );
    outcomes.push(outcome);
  }
  return outcomes;
}
