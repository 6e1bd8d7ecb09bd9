/**
 * returnEvents builds each ReadingRecorded without a zod parse. These properties (fast-check)
 * hold it to what parsing every event through its schema gives: the same ids, types, metadata
 * and data, byte for byte as JSON, in the same order, for any readings a check could let through.
 */
import type { EventToAppend } from '@beacon/event-store';
import { type Actor, eventId, toEventToAppend } from '@beacon/events';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CheckedReading } from './check-reading.js';
import { ReadingBuffer } from './reading-buffer.js';
import { type Correction, type ReturnProvenance, returnEvents } from './return-to-events.js';

const isoDay = (day: number) => new Date(Date.UTC(1900, 0, 1) + day * 86_400_000).toISOString().slice(0, 10);
const finite = (constraints: { min?: number } = {}) => fc.double({ ...constraints, noNaN: true, noDefaultInfinity: true });
const maybe = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined });

/** Readings as checkReading gives them: valid ids and periods, any figures within the schema's bounds. */
const readings = fc
  .array(
    fc.record({
      gap: fc.integer({ min: 1, max: 3 }),
      measureId: fc.constantFrom('SAC', 'NI195a', 'WORRY_CAR'),
      submittedMeasureId: maybe(fc.constantFrom('NI95a', 'sac', 'ni 195a')),
      area: fc.constantFrom('DBC', 'GBC'),
      days: fc.integer({ min: 0, max: 730 }),
      value: finite(),
      numerator: maybe(finite({ min: 0 })),
      denominator: maybe(finite({ min: Number.MIN_VALUE })),
      sampleSize: maybe(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER })),
      note: maybe(fc.string({ unit: 'grapheme' })),
    }),
    { minLength: 1, maxLength: 60 },
  )
  .map((rows) => {
    let row = 1;
    // A start day of its own per reading: no two readings give the same measure, area and period.
    return rows.map(({ gap, days, ...reading }, i): CheckedReading => {
      row += gap;
      const start = 40_000 - 37 * i;
      const checked: CheckedReading = { ...reading, row, period: { start: isoDay(start), end: isoDay(start + days) } };
      for (const key of ['submittedMeasureId', 'numerator', 'denominator', 'sampleSize', 'note'] as const) if (checked[key] === undefined) delete checked[key];
      return checked;
    });
  });

/** Submitters as callers pass them: fields in any order, optional ones missing, extra ones the schema drops. */
const submitters = fc
  .record({ kind: fc.constantFrom('person' as const, 'system' as const), id: fc.string({ minLength: 1 }), name: maybe(fc.string({ minLength: 1 })), extra: maybe(fc.integer()) })
  .map(({ kind, id, name, extra }) => ({ ...(extra !== undefined && { extra }), ...(name !== undefined && { name }), id, agency: 'kcvs', kind }) as Actor);

/** What returnEvents gave when every event went through its zod schema. */
function parsedOneByOne(returnId: string, provenance: ReturnProvenance, all: CheckedReading[], corrections: Correction[]): EventToAppend[] {
  const { agency, submitter: actor, fileName, sha256, format, receivedAt: recordedAt } = provenance;
  const period = { start: all.map((r) => r.period.start).sort()[0] as string, end: all.map((r) => r.period.end).sort().at(-1) as string };
  const events = [
    toEventToAppend(
      { type: 'ReturnReceived', data: { returnId, agency, fileName, sha256, format, readingCount: all.length, period, recordedAt, actor } },
      eventId('return', returnId, 'received'),
    ),
  ];
  for (const { row, measureId, area, period, ...figures } of all) {
    events.push(
      toEventToAppend({ type: 'ReadingRecorded', data: { returnId, row, measureId, area, agency, period, ...figures, recordedAt, actor } }, eventId('return', returnId, 'row', row)),
    );
    const correction = corrections.find((c) => c.row === row);
    if (correction) {
      const { was } = correction;
      events.push(
        toEventToAppend(
          {
            type: 'ReadingSuperseded',
            data: { measureId, area, period, superseded: { returnId: was.returnId, row: was.row, value: was.value }, by: { returnId, row, value: figures.value }, recordedAt, actor },
          },
          eventId('return', returnId, 'row', row, 'supersedes'),
        ),
      );
    }
  }
  return events;
}

describe('the events of a return', () => {
  it('are exactly what parsing each through its schema gives', () => {
    fc.assert(
      fc.property(readings, submitters, fc.subarray([0, 1, 2, 5, 8]), (all, submitter, corrected) => {
        const buffer = new ReadingBuffer();
        for (const reading of all) expect(buffer.add(reading)).toBeUndefined();
        const corrections: Correction[] = all
          .filter((_, i) => corrected.includes(i))
          .map(({ row, measureId, area, period, value }) => ({ row, measureId, area, period, was: { returnId: 'kcvs-earlier', row: 7, value: 1, recordedAt: '2008-01-01T00:00:00Z' }, now: value }));
        const provenance: ReturnProvenance = { agency: 'kcvs', submitter, fileName: 'kcvs.csv', sha256: 'a'.repeat(64), format: 'csv', receivedAt: '2009-04-20T11:15:00.000+01:00' };
        const built = [...returnEvents('kcvs-aaaaaaaaaaaaaaaa', provenance, buffer, corrections)];
        expect(built.map((event) => JSON.stringify(event))).toEqual(parsedOneByOne('kcvs-aaaaaaaaaaaaaaaa', provenance, all, corrections).map((event) => JSON.stringify(event)));
      }),
      { numRuns: 300 },
    );
  });
});
