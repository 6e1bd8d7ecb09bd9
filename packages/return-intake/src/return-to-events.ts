import type { EventToAppend } from '@beacon/event-store';
import { type Actor, eventId, toEventToAppend } from '@beacon/events';
import type { ReturnFormat } from '@beacon/returns';
import { readingKey } from './check-reading.js';
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

/** The period a return covers: from its earliest reading's start to its latest reading's end. */
function periodCovered(readings: ReadingBuffer) {
  let start = '9999-12-31';
  let end = '0000-01-01';
  for (const reading of readings) {
    if (reading.period.start < start) start = reading.period.start;
    if (reading.period.end > end) end = reading.period.end;
  }
  return { start, end };
}

/**
 * Where a return becomes events: one ReturnReceived, then one ReadingRecorded per row and a
 * ReadingSuperseded for each correction, all for one atomic append to the return's stream.
 * Produced lazily so a large return is never held twice in memory. Ids come from the return
 * id and the row, so appending the same return again is recognised as a retry.
 */
export function* returnEvents(returnId: string, provenance: ReturnProvenance, readings: ReadingBuffer, corrections: readonly Correction[]): Generator<EventToAppend> {
  const { agency, submitter: actor, fileName, sha256, format, receivedAt: recordedAt } = provenance;
  yield toEventToAppend(
    { type: 'ReturnReceived', data: { returnId, agency, fileName, sha256, format, readingCount: readings.length, period: periodCovered(readings), recordedAt, actor } },
    eventId('return', returnId, 'received'),
  );
  const correctionAt = new Map(corrections.map((correction) => [correction.row, correction]));
  for (const reading of readings) {
    const { row, measureId, area, period, ...figures } = reading;
    yield toEventToAppend(
      { type: 'ReadingRecorded', data: { returnId, row, measureId, area, agency, period, ...figures, recordedAt, actor } },
      eventId('return', returnId, 'row', row),
    );
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
