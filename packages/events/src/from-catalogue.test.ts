import { loadCatalogue } from '@beacon/catalogue';
import { describe, expect, it } from 'vitest';
import { toEventToAppend } from './codec.js';
import { catalogueRecords } from './from-catalogue.js';

const catalogue = loadCatalogue();

describe("the catalogue's targets and populations as events", () => {
  const records = catalogueRecords(catalogue);

  it('records the serious acquisitive crime target of 13.7 per 1,000 as set when the plan was published', () => {
    const sac = records.find((record) => record.stream === 'target-SAC-2008-09');
    expect(sac?.event).toEqual({
      type: 'TargetSet',
      data: expect.objectContaining({
        targetId: 'SAC-2008-09',
        version: 1,
        measureId: 'SAC',
        area: 'DGCDRP',
        target: { kind: 'value', value: 13.7 },
        source: 'police_target',
        period: { start: '2008-04-01', end: '2009-03-31' },
        recordedAt: '2008-04-01T00:00:00Z',
        actor: expect.objectContaining({ kind: 'system', id: 'catalogue' }),
      }),
    });
  });

  it('records direction-only targets as directions', () => {
    const nte = records.find((record) => record.stream === 'target-NTE_VIOLENCE-2008-09');
    expect(nte?.event.data).toMatchObject({ target: { kind: 'direction', direction: 'reduce' } });
  });

  it("records each borough's populations, and not the partnership's, which is their sum", () => {
    const populations = records.filter((record) => record.event.type === 'PopulationRecorded').map((record) => record.event.data);
    expect(populations.map((p) => 'area' in p && p.area).sort()).toEqual(['DBC', 'DBC', 'GBC', 'GBC']);
    const allAges2008 = populations.filter((p) => 'base' in p && p.base === 'all_ages').reduce((sum, p) => sum + ('population' in p ? p.population : 0), 0);
    expect(allAges2008).toBe(191_800);
  });

  it('gives every record a valid event and an id that is unique and the same on every run', () => {
    expect(records.filter((record) => record.event.type === 'TargetSet')).toHaveLength(catalogue.targets.length);
    for (const record of records) expect(() => toEventToAppend(record.event, record.id)).not.toThrow();
    expect(new Set(records.map((record) => record.id)).size).toBe(records.length);
    expect(catalogueRecords(catalogue).map((record) => record.id)).toEqual(records.map((record) => record.id));
  });
});
