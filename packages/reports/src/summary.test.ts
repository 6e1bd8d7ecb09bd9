import { describe, expect, it } from 'vitest';
import { changesBetween } from './changes.js';
import { measureStatus } from './measure-status.js';
import { recordsFromArrays } from './records.js';
import { summaryFor } from './summary.js';
import { catalogue, DBC_SAC_2008, GBC_SAC_2008, monthly, populations, targets } from './test-records.js';

const MARCH_2009 = '2009-03-31';
const area = (id: string) => catalogue.area(id)!;
const measure = (id: string) => catalogue.measureById(id)!.measure;

describe('worked examples, by hand, at March 2009 (plan targets of 1 April 2008)', () => {
  it('SAC (count as a rate per 1,000) against 13.7: each borough and the partnership from summed counts and populations', () => {
    const records = recordsFromArrays({
      readings: [...monthly('SAC', 'DBC', '2008-04', DBC_SAC_2008), ...monthly('SAC', 'GBC', '2008-04', GBC_SAC_2008)],
      targets,
      populations,
    });
    const at = (id: string) => measureStatus({ catalogue, records }, measure('SAC'), area(id), MARCH_2009);
    // Dartford: 1,300 / 90,900 × 1,000 = 14.30; the band is 5% of 13.7 = 0.685, so up to 14.385 is Amber.
    expect(at('DBC').rolling.value).toBeCloseTo(14.3014, 4);
    expect(at('DBC').rag).toMatchObject({ status: 'amber', rule: 'target' });
    // Gravesham: 1,250 / 100,900 × 1,000 = 12.39, below 13.7.
    expect(at('GBC').rolling.value).toBeCloseTo(12.3885, 4);
    expect(at('GBC').rag.status).toBe('green');
    // The partnership: 2,550 / 191,800 × 1,000 = 13.295, not the average of the two rates (13.345).
    const partnership = at('DGCDRP');
    expect(partnership.rolling.value).toBeCloseTo(13.2951, 4);
    expect(partnership.rag.status).toBe('green');
    // Byar's 95% interval for 2,550 offences, as a rate: 12.79 to 13.82 per 1,000.
    expect(partnership.rolling.interval?.lower).toBeCloseTo(12.785, 2);
    expect(partnership.rolling.interval?.upper).toBeCloseTo(13.821, 2);
    // The boroughs are rated against the partnership's rate target, and say so.
    expect(at('DBC').provenance.target).toMatchObject({ id: 'SAC-2008-09', version: 1, inheritedFrom: { area: 'DGCDRP', measureId: 'SAC' } });
    expect(partnership.provenance.target?.inheritedFrom).toBeNull();
  });

  it('repeat domestic abuse (ratio) against 22%: summed numerators over summed denominators', () => {
    const records = recordsFromArrays({
      readings: [
        ...monthly('DA_REPEAT', 'DBC', '2008-04', Array(12).fill({ value: 25, numerator: 30, denominator: 120 })),
        ...monthly('DA_REPEAT', 'GBC', '2008-04', Array(12).fill({ value: 20, numerator: 20, denominator: 100 })),
      ],
      targets,
    });
    const at = (id: string) => measureStatus({ catalogue, records }, measure('DA_REPEAT'), area(id), MARCH_2009);
    // Dartford 360 / 1,440 = 25%: 3 points worse than 22, beyond the 1.1-point band (5% of 22): Red.
    expect(at('DBC').rag.status).toBe('red');
    expect(at('GBC').rag.status).toBe('green');
    // The partnership: 600 / 2,640 = 22.73% (the average of 25% and 20% would be 22.5%): 0.73 worse, within 1.1: Amber.
    expect(at('DGCDRP').rolling.value).toBeCloseTo(22.7273, 4);
    expect(at('DGCDRP').rag.status).toBe('amber');
    expect(at('DGCDRP').rolling.interval?.method).toBe('wilson');
  });

  it('high perceived ASB (survey with sample sizes) against 15%: respondents summed, significance reported', () => {
    const wave = { start: '2009-01-01', end: '2009-03-31' };
    const reading = (a: string, value: number, sampleSize: number, row: number) => ({
      measureId: 'ASB_HIGH',
      area: a,
      period: wave,
      value,
      sampleSize,
      returnId: 'kcvs-q4',
      row,
      agency: 'kcvs',
      recordedAt: '2009-04-20T10:00:00.000Z',
    });
    const records = recordsFromArrays({ readings: [reading('DBC', 18, 500, 2), reading('GBC', 14, 600, 3)], targets });
    const status = measureStatus({ catalogue, records }, measure('ASB_HIGH'), area('DGCDRP'), MARCH_2009);
    // (18% × 500 + 14% × 600) / 1,100 = 174 / 1,100 = 15.82%: 0.82 points worse, beyond the 0.75-point band: Red.
    expect(status.rolling.value).toBeCloseTo(15.818, 3);
    expect(status.rag.status).toBe('red');
    // Wilson's interval for 174 of 1,100 is 13.8% to 18.1%: it includes 15%, so the gap is not significant.
    expect(status.rolling.interval?.lower).toBeCloseTo(13.77, 1);
    expect(status.rolling.interval?.upper).toBeCloseTo(18.1, 1);
    expect(status.rag.significance?.significant).toBe(false);
    expect(status.provenance.readings.map((r) => [r.returnId, r.row, r.agency])).toEqual([
      ['kcvs-q4', 2, 'kcvs'],
      ['kcvs-q4', 3, 'kcvs'],
    ]);
  });

  it('NTE violence ("reduce", no figure) against the 2007/08 outturn taken from the readings', () => {
    const records = recordsFromArrays({
      readings: [
        ...monthly('NTE_VIOLENCE', 'DBC', '2007-04', [...Array(12).fill(20), ...Array(12).fill(18)]),
        ...monthly('NTE_VIOLENCE', 'GBC', '2007-04', [...Array(12).fill(15), ...Array(12).fill(16)]),
      ],
      targets,
    });
    const at = (id: string) => measureStatus({ catalogue, records }, measure('NTE_VIOLENCE'), area(id), MARCH_2009);
    // Dartford: 240 → 216, 10% lower: Green.
    expect(at('DBC').rag).toMatchObject({ status: 'green', rule: 'baseline' });
    expect(at('DBC').provenance.target?.baseline).toMatchObject({ value: 240, from: 'readings', period: { start: '2007-04-01', end: '2008-03-31' } });
    // Gravesham: 180 → 192, 12 more against a band of 9 (5% of 180): Red.
    expect(at('GBC').rag.status).toBe('red');
    // The partnership: 420 → 408: Green.
    expect(at('DGCDRP').rag.status).toBe('green');
    // Against the same month last year Dartford is improving (10% down); the partnership's 2.9% fall
    // is within the 5% tolerance, so steady.
    expect(at('DBC').travel?.short?.direction).toBe('improving');
    expect(at('GBC').travel?.short?.direction).toBe('worsening');
    expect(at('DGCDRP').travel?.short?.direction).toBe('steady');
  });

  it('an overdue return is Grey, and "what changed" names the measure, the borough, the month and who owes it', () => {
    const readings = [...monthly('SAC', 'DBC', '2008-04', DBC_SAC_2008), ...monthly('SAC', 'GBC', '2008-04', GBC_SAC_2008.slice(0, 11))];
    const records = recordsFromArrays({ readings, targets, populations });
    const status = measureStatus({ catalogue, records }, measure('SAC'), area('DGCDRP'), MARCH_2009);
    expect(status.rag.status).toBe('grey');
    expect(status.rolling.overdue).toBe(true);
    const summary = summaryFor({ catalogue, records, area: 'DGCDRP', date: MARCH_2009 });
    const changes = changesBetween({ catalogue, before: summary, after: summary, corrections: [], returns: [] });
    expect(changes.overdue.find((o) => o.measureId === 'SAC')).toEqual({
      measureId: 'SAC',
      name: measure('SAC').name,
      owners: ['north-kent-police'],
      missing: [{ area: 'GBC', periods: [{ start: '2009-03-01', end: '2009-03-31' }] }],
    });
  });

  it('rolls up a priority area worst-of with the counts beside it, or by majority', () => {
    const records = recordsFromArrays({
      readings: [
        ...monthly('SAC', 'DBC', '2008-04', DBC_SAC_2008),
        ...monthly('DA_REPEAT', 'DBC', '2008-04', Array(12).fill({ value: 25, numerator: 30, denominator: 120 })),
      ],
      targets,
      populations,
    });
    const summary = summaryFor({ catalogue, records, area: 'DBC', date: MARCH_2009 });
    const acquisitive = summary.priorityAreas.find((p) => p.id === 'acquisitive-crime')!;
    // SAC Amber; the two worry measures and NI 21 have no readings: Grey, counted but not rated.
    expect(acquisitive.rollUp).toMatchObject({ status: 'amber', counts: { green: 0, amber: 1, red: 0, grey: 3 } });
    const violent = summary.priorityAreas.find((p) => p.id === 'violent-crime')!;
    expect(violent.rollUp).toMatchObject({ status: 'red', counts: { green: 0, amber: 0, red: 1, grey: 5 } });
    // PSA 23 takes both: worst-of is Red; by majority, a tie of one Amber and one Red goes to the worse.
    expect(summary.psas.find((p) => p.id === 'PSA23')!.rollUp.status).toBe('red');
    const majority = summaryFor({ catalogue, records, area: 'DBC', date: MARCH_2009, rule: 'majority' });
    expect(majority.psas.find((p) => p.id === 'PSA23')!.rollUp.status).toBe('red');
    expect(summary.counts).toEqual({ green: 0, amber: 1, red: 1, grey: summary.measures.length - 2 });
  });
});

describe('as at', () => {
  it('shows only what was recorded by then, and the correction after it', () => {
    const original = monthly('SAC', 'DBC', '2008-04', DBC_SAC_2008);
    const march = original[11]!;
    // Recorded 10 April 2009 (170 offences), corrected on 20 April to 105.
    const wrong = { ...march, value: 170, returnId: 'first', row: 99, supersededAt: '2009-04-20T11:00:00.000Z' };
    const corrected = { ...march, recordedAt: '2009-04-20T11:00:00.000Z' };
    const readings = [...original.slice(0, 11), wrong, corrected, ...monthly('SAC', 'GBC', '2008-04', GBC_SAC_2008)];
    const at = (asAt: string | null) =>
      measureStatus({ catalogue, records: recordsFromArrays({ readings, targets, populations, asAt }) }, measure('SAC'), area('DGCDRP'), MARCH_2009);
    // As at 15 April: (1,300 − 105 + 170 + 1,250) / 191,800 × 1,000 = 13.634: Green but only just.
    expect(at('2009-04-15T12:00:00.000Z').rolling.value).toBeCloseTo(13.634, 3);
    // After the correction: 13.295.
    expect(at(null).rolling.value).toBeCloseTo(13.2951, 4);
    // As at 5 April, March was not in yet: overdue, Grey.
    expect(at('2009-04-05T00:00:00.000Z').rag.status).toBe('grey');
  });
});
