import { describe, expect, it } from 'vitest';
import { type MeasureStatus, rollUp, rollUpGroups } from './rollup.js';
import { RollUpSchema } from './schemas.js';

// The Acquisitive Crime priority area for the partnership: SAC Amber, WORRY_BURGLARY Green,
// WORRY_CAR Grey (no wave yet), NI21 Red.
const acquisitive: MeasureStatus[] = [
  { measureId: 'SAC', area: 'DGCDRP', status: 'amber', reason: '14.3 per 1,000 is 4.4% above the 13.7 per 1,000 target (tolerance 5%): Amber' },
  { measureId: 'WORRY_BURGLARY', area: 'DGCDRP', status: 'green' },
  { measureId: 'WORRY_CAR', area: 'DGCDRP', status: 'grey' },
  { measureId: 'NI21', area: 'DGCDRP', status: 'red' },
];

describe('roll-up to a priority area', () => {
  it('worst of its rated measures: Red, with G1 A1 R1 Grey1', () => {
    const result = rollUp({ id: 'ACQUISITIVE', kind: 'priority_area', area: 'DGCDRP', statuses: acquisitive });
    expect(result.rule).toBe('worst');
    expect(result.status).toBe('red');
    expect(result.counts).toEqual({ green: 1, amber: 1, red: 1, grey: 1 });
    expect(result.measures.map((m) => `${m.measureId}:${m.status}`)).toEqual(['SAC:amber', 'WORRY_BURGLARY:green', 'WORRY_CAR:grey', 'NI21:red']);
    expect(result.measures[0]?.reason).toContain('4.4% above');
    expect(result.reason).toBe('Worst of 3 rated measures (1 Green, 1 Amber, 1 Red, 1 Grey; Grey not rated): Red');
    expect(RollUpSchema.parse(result)).toEqual(result);
  });

  it('majority: a three-way tie of one each goes to the worse, Red', () => {
    const result = rollUp({ id: 'ACQUISITIVE', kind: 'priority_area', statuses: acquisitive, rule: 'majority' });
    expect(result.status).toBe('red');
    expect(result.reason).toBe(
      'Majority of 3 rated measures (1 Green, 1 Amber, 1 Red, 1 Grey; Grey not rated): a tie between Green, Amber, Red goes to the worse: Red',
    );
  });

  it('majority and worst-of differ when most measures are Green', () => {
    // G2 A1 R1: worst-of Red, majority Green (2 of 4 rated). G2 A2: tie → Amber.
    const statuses: MeasureStatus[] = [...acquisitive, { measureId: 'SAFE_NIGHT', area: 'DGCDRP', status: 'green' }];
    expect(rollUp({ id: 'X', kind: 'priority_area', statuses }).status).toBe('red');
    expect(rollUp({ id: 'X', kind: 'priority_area', statuses, rule: 'majority' }).status).toBe('green');
    const tie: MeasureStatus[] = ['green', 'green', 'amber', 'amber'].map((status, i) => ({ measureId: `M${i}`, area: 'DBC', status: status as 'green' | 'amber' }));
    expect(rollUp({ id: 'X', kind: 'psa', statuses: tie, rule: 'majority' }).status).toBe('amber');
  });

  it('is Grey only when every measure is Grey, or there are none', () => {
    const allGrey: MeasureStatus[] = [
      { measureId: 'NI15', area: 'DBC', status: 'grey' },
      { measureId: 'NI32', area: 'DBC', status: 'grey' },
    ];
    const grey = rollUp({ id: 'VIOLENT', kind: 'priority_area', statuses: allGrey });
    expect(grey.status).toBe('grey');
    expect(grey.reason).toBe('No rated measure (0 Green, 0 Amber, 0 Red, 2 Grey): Grey');
    expect(rollUp({ id: 'EMPTY', kind: 'psa', statuses: [] }).reason).toBe('No measures: Grey');
    expect(rollUp({ id: 'X', kind: 'psa', statuses: [...allGrey, { measureId: 'NI39', area: 'DBC', status: 'green' }] }).status).toBe('green');
  });
});

describe('roll-up of every group the measures name', () => {
  it('puts a measure under each of its priority areas and PSAs, Grey where it has no status', () => {
    const measures = [
      { id: 'SAC', priorityAreas: ['ACQUISITIVE'], psas: ['PSA23'] },
      { id: 'NI21', priorityAreas: ['ACQUISITIVE', 'ASB'], psas: ['PSA23'] },
      { id: 'NI39', priorityAreas: ['SUBSTANCE'], psas: ['PSA25'] },
    ];
    const statuses: MeasureStatus[] = [
      { measureId: 'SAC', area: 'DGCDRP', status: 'amber' },
      { measureId: 'NI21', area: 'DGCDRP', status: 'green' },
      { measureId: 'NI21', area: 'DBC', status: 'red' },
    ];
    const areas = rollUpGroups({ kind: 'priority_area', measures, statuses, area: 'DGCDRP' });
    expect(areas.map((r) => [r.id, r.status, r.measures.length])).toEqual([
      ['ACQUISITIVE', 'amber', 2],
      ['ASB', 'green', 1],
      ['SUBSTANCE', 'grey', 1],
    ]);
    const psas = rollUpGroups({ kind: 'psa', measures, statuses, area: 'DGCDRP' });
    expect(psas.map((r) => [r.id, r.status, r.counts])).toEqual([
      ['PSA23', 'amber', { green: 1, amber: 1, red: 0, grey: 0 }],
      ['PSA25', 'grey', { green: 0, amber: 0, red: 0, grey: 1 }],
    ]);
  });
});
