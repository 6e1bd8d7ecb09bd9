import { v5 as uuidV5 } from 'uuid';
import { describe, expect, it } from 'vitest';
import { eventId, eventIdsAfter } from './ids.js';

const BEACON_NAMESPACE = '3f1c0b7e-5d2a-5b8e-9c41-7a6f0e2d9b13';

describe('event ids', () => {
  it('are the same for the same thing and differ otherwise', () => {
    expect(eventId('return', 'r1', 'row', 2)).toBe(eventId('return', 'r1', 'row', 2));
    expect(eventId('return', 'r1', 'row', 2)).not.toBe(eventId('return', 'r1', 'row', 3));
    expect(eventId('return', 'r1', 'row', 2)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('never change: an id already stored stays the id of the same thing', () => {
    // The ReturnReceived of the sample return north-kent-police-2008-04.csv, as first stored.
    expect(eventId('return', 'north-kent-police-12aff5420f66046a', 'received')).toBe('f9d7e442-6ef9-5f88-9bbe-0b5424dc590c');
  });

  it('are exactly the uuid package’s v5 of the parts joined, in Beacon’s namespace', () => {
    const names: (string | number)[][] = [
      [],
      [''],
      ['return', 'kcvs-0123456789abcdef', 'received'],
      ['target', 'SAC-DBC-2008-09', 'version', 3],
      ['population', 'DBC', 'aged_10_17', 2008, 9450],
      ['note', 'é £ – 日本語 🙂', '"quoted"\u0000\n'],
      ['long', 'x'.repeat(5_000)],
    ];
    for (let row = 1; row <= 3_000; row++) names.push(['return', `north-kent-police-${(row * 2_654_435_761).toString(16).slice(0, 16)}`, 'row', row, ...(row % 7 === 0 ? ['supersedes'] : [])]);
    for (const parts of names) expect(eventId(...parts), parts.join('/')).toBe(uuidV5(parts.join('\u001f'), BEACON_NAMESPACE));
  });

  it('are the same whether made one by one or after a common start (a return\'s rows)', () => {
    const rowId = eventIdsAfter('return', 'kcvs-0123456789abcdef', 'row');
    const rows = [0, 1, 2, 9, 10, 11, 99, 100, 1_000_001, 2 ** 31, Number.MAX_SAFE_INTEGER, -3, 2.5, 1e21];
    for (let row = 2; row < 2_000; row += 7) rows.push(row);
    for (const row of rows) expect(rowId(row), String(row)).toBe(eventId('return', 'kcvs-0123456789abcdef', 'row', row));
    expect(eventIdsAfter('note', 'é 🙂')(12)).toBe(uuidV5('note\u001fé 🙂\u001f12', BEACON_NAMESPACE));
  });
});
