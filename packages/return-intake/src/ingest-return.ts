import { createHash } from 'node:crypto';
import type { Catalogue } from '@beacon/catalogue';
import { type EventStore, StreamRevisionConflict } from '@beacon/event-store';
import { type Actor, fromStoredEvent, streamOf } from '@beacon/events';
import { type ReturnInput, type ReturnProgress, readReturnInBatches, type RowProblem } from '@beacon/returns';
import type { RowWarning } from './check-reading.js';
import { checkReturn } from './check-return.js';
import type { ReadingsOnRecord } from './readings-on-record.js';
import { type Correction, correctionsIn, returnEvents, returnIdOf } from './return-to-events.js';

export interface ReturnUpload {
  source: ReturnInput;
  fileName: string;
  /** The agency sending the return (an id from agencies.yaml). */
  agency: string;
  submitter: Actor;
  /** Defaults to now; set when loading returns received in the past (the sample returns). */
  receivedAt?: string;
  /** For a workbook: the sheet holding the return (default: the first). */
  sheet?: string;
  /** Check only: say what would happen, store nothing. */
  dryRun?: boolean;
  onProgress?: (progress: ReturnProgress) => void;
}

export interface IngestDependencies {
  store: EventStore;
  catalogue: Catalogue;
  readingsOnRecord: () => Promise<ReadingsOnRecord>;
}

interface Outcome {
  returnId: string;
  fileName: string;
  agency: string;
  warnings: RowWarning[];
}

export type IngestOutcome =
  | (Outcome & { status: 'rejected'; problems: RowProblem[]; problemsNotListed: number })
  | (Outcome & { status: 'already-received'; firstReceivedAt: string; readings: number })
  | (Outcome & { status: 'valid' | 'accepted'; readings: number; corrections: Correction[] });

/** The agency named is not one Beacon knows: nothing was read. */
export class UnknownAgency extends Error {
  override readonly name = 'UnknownAgency';
  constructor(agency: string, catalogue: Catalogue) {
    super(`"${agency}" is not an agency Beacon knows. Agencies: ${catalogue.agencies.map((a) => a.id).join(', ')}.`);
  }
}

/** Passes the bytes on while hashing them, so the file is read once. */
async function* hashing(source: ReturnInput, hash: ReturnType<typeof createHash>): AsyncGenerator<Uint8Array> {
  if ('bytes' in source) {
    hash.update(source.bytes);
    yield source.bytes;
    return;
  }
  for await (const chunk of source.stream as AsyncIterable<Uint8Array | string>) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    hash.update(bytes);
    yield bytes;
  }
}

async function firstReceived(store: EventStore, returnId: string) {
  const [received] = await store.readStream(streamOf.return(returnId), { maxCount: 1 });
  const event = received && fromStoredEvent(received);
  return event?.type === 'ReturnReceived' ? event.data : undefined;
}

/**
 * Takes a return from a data officer: reads and checks every row, then appends the whole return
 * as one atomic append to its own stream, or nothing at all if any row is wrong. The same file
 * sent again is recognised and nothing new is stored.
 */
export async function ingestReturn(upload: ReturnUpload, { store, catalogue, readingsOnRecord }: IngestDependencies): Promise<IngestOutcome> {
  const agency = catalogue.agency(upload.agency);
  if (!agency) throw new UnknownAgency(upload.agency, catalogue);
  const hash = createHash('sha256');
  const rows = readReturnInBatches({ stream: hashing(upload.source, hash) }, { fileName: upload.fileName, sheet: upload.sheet, onProgress: upload.onProgress });
  const checked = await checkReturn(rows, agency, catalogue);
  const sha256 = hash.digest('hex');
  const returnId = returnIdOf(agency.id, sha256);
  const about = { returnId, fileName: upload.fileName, agency: agency.id, warnings: checked.warnings };

  if (checked.problems.length > 0 || !checked.format) {
    return { ...about, status: 'rejected', problems: checked.problems, problemsNotListed: checked.problemsNotListed };
  }
  const alreadyReceived = async () => {
    const first = await firstReceived(store, returnId);
    return first && ({ ...about, status: 'already-received', firstReceivedAt: first.recordedAt, readings: first.readingCount } as const);
  };
  const earlier = await alreadyReceived();
  if (earlier) return earlier;

  const corrections = correctionsIn(checked.readings, await readingsOnRecord());
  if (upload.dryRun) return { ...about, status: 'valid', readings: checked.readings.length, corrections };

  const provenance = {
    agency: agency.id,
    submitter: upload.submitter,
    fileName: upload.fileName,
    sha256,
    format: checked.format,
    receivedAt: upload.receivedAt ?? new Date().toISOString(),
  };
  try {
    await store.append(streamOf.return(returnId), returnEvents(returnId, provenance, checked.readings, corrections), { expectedRevision: 'no_stream' });
  } catch (error) {
    // The same file sent twice at the same moment: the other upload stored it.
    if (error instanceof StreamRevisionConflict) {
      const other = await alreadyReceived();
      if (other) return other;
    }
    throw error;
  }
  return { ...about, status: 'accepted', readings: checked.readings.length, corrections };
}
