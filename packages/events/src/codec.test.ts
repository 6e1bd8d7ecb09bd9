import type { StoredEvent } from '@beacon/event-store';
import { describe, expect, it } from 'vitest';
import { fromStoredEvent, InvalidEvent, toEventToAppend, UnreadableEvent } from './codec.js';
import type { EventOfType } from './events.js';
import { eventId } from './ids.js';

const officer = { kind: 'person', id: 'j.smith', name: 'Jo Smith', agency: 'north-kent-police' } as const;

const marchSac: EventOfType<'ReadingRecorded'> = {
  type: 'ReadingRecorded',
  data: {
    returnId: 'r-2009-03-nkp',
    row: 2,
    measureId: 'SAC',
    area: 'dartford',
    agency: 'north-kent-police',
    period: { start: '2009-03-01', end: '2009-03-31' },
    value: 97,
    recordedAt: '2009-04-09T10:15:00Z',
    actor: officer,
  },
};

const stored = (type: string, data: unknown, metadata: Record<string, unknown>): StoredEvent => ({
  id: eventId('test', type),
  stream: 'population-dartford',
  revision: 0n,
  position: 7n,
  type,
  data,
  metadata,
  storedAt: '2026-11-26T06:00:00.000Z',
});

describe('writing an event', () => {
  it('stamps the current schema version and keeps the data', () => {
    const toAppend = toEventToAppend(marchSac, 'id-1');
    expect(toAppend).toEqual({ id: 'id-1', type: 'ReadingRecorded', data: marchSac.data, metadata: { schemaVersion: 1 } });
  });

  it('refuses an invalid event, naming the field', () => {
    const backwards = { ...marchSac, data: { ...marchSac.data, period: { start: '2009-03-31', end: '2009-03-01' } } };
    expect(() => toEventToAppend(backwards, 'id-2')).toThrow(InvalidEvent);
    expect(() => toEventToAppend(backwards, 'id-2')).toThrow(/period\.end: period start must not be after its end/);
    const noActor = { ...marchSac, data: { ...marchSac.data, actor: undefined } } as unknown as typeof marchSac;
    expect(() => toEventToAppend(noActor, 'id-3')).toThrow(/actor/);
  });
});

describe('reading a stored event', () => {
  it('returns current data with where it sits in the log', () => {
    const event = fromStoredEvent({ ...stored('ReadingRecorded', marchSac.data, { schemaVersion: 1 }), stream: 'return-r-2009-03-nkp' });
    expect(event.type).toBe('ReadingRecorded');
    expect(event.data).toEqual(marchSac.data);
    expect(event.position).toBe(7n);
    expect(event.stream).toBe('return-r-2009-03-nkp');
  });

  it('upcasts a version 1 population (no population base) to version 2 as an all-ages estimate', () => {
    const v1 = {
      area: 'dartford',
      population: 92_300,
      source: 'illustrative split',
      illustrative: true,
      period: { start: '2008-01-01', end: '2008-12-31' },
      recordedAt: '2008-04-01T00:00:00Z',
      actor: { kind: 'system', id: 'catalogue' },
    };
    const event = fromStoredEvent(stored('PopulationRecorded', v1, { schemaVersion: 1 }));
    expect(event.type).toBe('PopulationRecorded');
    expect(event.data).toEqual({ ...v1, base: 'all_ages', projected: false });
  });

  it('refuses an event written by a newer Beacon, saying where it is', () => {
    const newer = stored('ReadingRecorded', marchSac.data, { schemaVersion: 9 });
    expect(() => fromStoredEvent(newer)).toThrow(UnreadableEvent);
    expect(() => fromStoredEvent(newer)).toThrow(
      'Event ReadingRecorded at position 7 (stream "population-dartford", revision 0): schema version 9 is newer than this Beacon knows (1); upgrade Beacon',
    );
    expect(() => fromStoredEvent(stored('ReadingForecast', {}, {}))).toThrow(/unknown event type/);
  });

  it('refuses stored data that does not match its schema', () => {
    const broken = stored('ReadingRecorded', { ...marchSac.data, value: 'ninety-seven' }, { schemaVersion: 1 });
    expect(() => fromStoredEvent(broken)).toThrow(/value: .*expected number/i);
  });
});
