import { loadCatalogue } from '@beacon/catalogue';
import { describe, expect, it } from 'vitest';
import { ragAgainstTarget } from './rag.js';
import { rollingValue } from './rolling.js';
import { rollUpGroups } from './rollup.js';
import { type AreaPopulation, type AreaScope, ProgressMeasureSchema, ProgressTargetSchema } from './schemas.js';
import { DBC_SAC_2008, GBC_SAC_2008, monthly } from './test-fixtures.js';

// The catalogue's own measures, targets, areas and (illustrative) populations go in as they are.
describe('with the catalogue in data/catalogue/', () => {
  const catalogue = loadCatalogue();

  it('rates SAC for the partnership against its 2008/09 police target: 13.295 per 1,000 is Green', () => {
    const sac = catalogue.measureById('SAC')?.measure;
    const partnership = catalogue.area('DGCDRP');
    if (sac === undefined || partnership?.kind !== 'partnership') throw new Error('catalogue without SAC or DGCDRP');
    const [target] = catalogue.targetsFor('SAC', 'DGCDRP');
    const area: AreaScope = { id: partnership.id, members: partnership.members };
    const populations: AreaPopulation[] = partnership.members.flatMap((id) => catalogue.population(id, 'all_ages', 2008) ?? []);
    const readings = [...monthly('DBC', '2008-04', DBC_SAC_2008), ...monthly('GBC', '2008-04', GBC_SAC_2008)];
    // (1,300 + 1,250) / (90,900 + 100,900) × 1,000 = 13.2951 against 13.7 → Green
    const value = rollingValue({ measure: sac, area, date: '2009-03-31', readings, populations });
    expect(value.value).toBeCloseTo(13.2951, 4);
    expect(value.population?.illustrative).toBe(true);
    const rag = ragAgainstTarget({ measure: sac, target, value, date: '2009-03-31' });
    expect(rag).toMatchObject({ status: 'green', target: { id: 'SAC-2008-09', version: 1 } });
  });

  it('parses every catalogue measure and target with the progress schemas', () => {
    for (const measure of catalogue.measures) expect(ProgressMeasureSchema.parse(measure).id).toBe(measure.id);
    for (const target of catalogue.targets) expect(ProgressTargetSchema.parse(target).kind).toBe(target.kind);
  });

  it('rolls up the Acquisitive Crime priority area from its four measures: worst-of Red, G1 A1 R1 Grey1', () => {
    const statuses = { SAC: 'amber', WORRY_BURGLARY: 'green', WORRY_CAR: 'grey', NI21: 'red' } as const;
    const measures = catalogue.measuresInPriorityArea('acquisitive-crime');
    expect(measures.map((m) => m.id)).toEqual(['SAC', 'WORRY_BURGLARY', 'WORRY_CAR', 'NI21']);
    const [acquisitive] = rollUpGroups({
      kind: 'priority_area',
      measures: measures,
      statuses: measures.map((m) => ({ measureId: m.id, area: 'DGCDRP', status: statuses[m.id as keyof typeof statuses] })),
      area: 'DGCDRP',
    }).filter((r) => r.id === 'acquisitive-crime');
    expect(acquisitive).toMatchObject({ status: 'red', counts: { green: 1, amber: 1, red: 1, grey: 1 } });
  });
});
