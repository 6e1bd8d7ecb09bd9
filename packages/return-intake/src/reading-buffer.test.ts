import { describe, expect, it } from 'vitest';
import type { CheckedReading } from './check-reading.js';
import { ReadingBuffer } from './reading-buffer.js';

const isoDay = (day: number) => new Date(Date.UTC(2000, 0, 1) + day * 86_400_000).toISOString().slice(0, 10);

/** 50,000 readings: several chunks of the buffer and several growths of its table; figures now and then. */
function manyReadings(): CheckedReading[] {
  return Array.from({ length: 50_000 }, (_, i): CheckedReading => {
    const reading: CheckedReading = {
      row: 2 + i + Math.floor(i / 1_000),
      measureId: ['SAC', 'NI15', 'NI195a'][i % 3] as string,
      area: i % 2 === 0 ? 'DBC' : 'GBC',
      period: { start: isoDay(Math.floor(i / 6)), end: isoDay(Math.floor(i / 6) + (i % 5)) },
      value: i / 7,
    };
    if (i % 11 === 0) reading.submittedMeasureId = 'NI95a';
    if (i % 3 === 2) reading.numerator = i % 13;
    if (i % 3 === 2) reading.denominator = 13;
    if (i % 17 === 0) reading.sampleSize = 1_100 + i;
    if (i % 19 === 0) reading.note = `note ${i} – "quoted"`;
    return reading;
  });
}

describe('the reading buffer', () => {
  it('gives back every reading as it was added, in order, across its chunks', () => {
    const readings = manyReadings();
    const buffer = new ReadingBuffer();
    for (const reading of readings) expect(buffer.add(reading)).toBeUndefined();
    expect(buffer.length).toBe(readings.length);
    expect([...buffer]).toStrictEqual(readings);
    expect(buffer.at(4_096)).toStrictEqual(readings[4_096]);
    expect(() => buffer.at(readings.length)).toThrow(RangeError);
  });

  it('finds a second reading for the same measure, area and period, answering the first one\'s row and keeping nothing', () => {
    const readings = manyReadings();
    const buffer = new ReadingBuffer();
    for (const reading of readings) buffer.add(reading);
    for (const i of [0, 1, 4_095, 4_096, 49_999]) {
      const first = readings[i] as CheckedReading;
      expect(buffer.add({ ...first, row: 1_000_000 + i, value: -1 })).toBe(first.row);
    }
    // The same measure and area over a different period, or another area: not a duplicate.
    const first = readings[0] as CheckedReading;
    expect(buffer.add({ ...first, row: 2_000_000, period: { start: first.period.start, end: isoDay(4_000) } })).toBeUndefined();
    expect(buffer.add({ ...first, row: 2_000_001, area: 'GBC' })).toBeUndefined();
    expect(buffer.length).toBe(readings.length + 2);
  });

  it('knows the period its readings cover', () => {
    const buffer = new ReadingBuffer();
    for (const reading of manyReadings()) buffer.add(reading);
    expect(buffer.period).toEqual({ start: isoDay(0), end: isoDay(Math.floor(49_999 / 6) + 4) });
  });
});
