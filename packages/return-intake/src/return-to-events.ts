import type { EventToAppend } from '@beacon/event-store';
import { type Actor, beaconEvents, type EventData, eventId, eventIdsAfter, toEventToAppend } from '@beacon/events';
import type { ReturnFormat } from '@beacon/returns';
import { type CheckedReading, readingKey } from './check-reading.js';
import type { ReadingBuffer } from './reading-buffer.js';
import type { ReadingInForce, ReadingsOnRecord } from './readings-on-record.js';

/** Where a return came from: kept with it for ever, so any figure can be traced to its file and sender. */
export interface ReturnProvenance {
  agency: string;
  submitter: Actor;
  fileName: string;
  sha256: string;
  format: ReturnFormat;
  receivedAt: string;
}

/** The same file from the same agency is the same return, whenever it is sent. */
export const returnIdOf = (agency: string, sha256: string) => `${agency}-${sha256.slice(0, 16)}`;

export interface Correction {
  row: number;
  measureId: string;
  area: string;
  period: { start: string; end: string };
  was: ReadingInForce;
  now: number;
}

/** The readings of this return that supersede readings already on record. */
export function correctionsIn(readings: ReadingBuffer, onRecord: ReadingsOnRecord): Correction[] {
  const corrections: Correction[] = [];
  if (onRecord.size === 0) return corrections;
  for (const reading of readings) {
    const was = onRecord.get(readingKey(reading));
    if (was) corrections.push({ row: reading.row, measureId: reading.measureId, area: reading.area, period: reading.period, was, now: reading.value });
  }
  return corrections;
}

/**
 * A ReadingRecorded's data as its zod schema would give it back, keys in the schema's order (so
 * the same JSON), built without parsing: `shared` was validated with the return's
 * ReturnReceived, whose schema checks returnId, agency, recordedAt and actor as ReadingRecorded's
 * does, and checkReading has checked every figure. A zod parse costs a few microseconds, which
 * a million-row return pays a million times; return-to-events.test.ts proves the two the same.
 * Absent figures are undefined, which JSON leaves out as zod leaves them out.
 */
function readingRecorded(shared: Pick<EventData<'ReadingRecorded'>, 'returnId' | 'agency' | 'recordedAt' | 'actor'>, reading: CheckedReading): EventData<'ReadingRecorded'> {
  return {
    period: reading.period,
    recordedAt: shared.recordedAt,
    actor: shared.actor,
    returnId: shared.returnId,
    row: reading.row,
    measureId: reading.measureId,
    submittedMeasureId: reading.submittedMeasureId,
    area: reading.area,
    agency: shared.agency,
    value: reading.value,
    numerator: reading.numerator,
    denominator: reading.denominator,
    sampleSize: reading.sampleSize,
    note: reading.note,
  };
}

/**
 * Where a return becomes events: one ReturnReceived, then one ReadingRecorded per row and a
 * ReadingSuperseded for each correction, all for one atomic append to the return's stream.
 * Produced lazily so a large return is never held twice in memory. Ids come from the return
 * id and the row, so appending the same return again is recognised as a retry.
 */
export function* returnEvents(returnId: string, provenance: ReturnProvenance, readings: ReadingBuffer, corrections: readonly Correction[]): Generator<EventToAppend> {
  const { agency, submitter, fileName, sha256, format, receivedAt } = provenance;
  const received = toEventToAppend(
    { type: 'ReturnReceived', data: { returnId, agency, fileName, sha256, format, readingCount: readings.length, period: readings.period, recordedAt: receivedAt, actor: submitter } },
    eventId('return', returnId, 'received'),
  );
  yield received;
  // As validated: zod's copy of the actor (its keys in order, nothing extra) is the one to store.
  const { recordedAt, actor } = received.data as EventData<'ReturnReceived'>;
  const shared = { returnId, agency, recordedAt, actor };
  const metadata = { schemaVersion: beaconEvents.ReadingRecorded.version };
  const rowId = eventIdsAfter('return', returnId, 'row');
  const correctionAt = new Map(corrections.map((correction) => [correction.row, correction]));
  for (const reading of readings) {
    const { row, measureId, area, period } = reading;
    yield { id: rowId(row), type: 'ReadingRecorded', data: readingRecorded(shared, reading), metadata };
    const correction = correctionAt.get(row);
    if (correction) {
      yield toEventToAppend(
        {
          type: 'ReadingSuperseded',
          data: {
            measureId,
            area,
            period,
            superseded: { returnId: correction.was.returnId, row: correction.was.row, value: correction.was.value },
            by: { returnId, row, value: reading.value },
            recordedAt,
            actor,
          },
        },
        eventId('return', returnId, 'row', row, 'supersedes'),
      );
    }
  }
}
