import type { EventData } from '@beacon/events';
import { describe, expect, it } from 'vitest';
import { rollingValue } from './rolling.js';
import { type Reading, RollingValueSchema } from './schemas.js';
import {
  ASB_HIGH,
  DA_REPEAT,
  DBC,
  DBC_SAC_2008,
  DGCDRP,
  GBC,
  GBC_SAC_2008,
  monthly,
  NI39,
  NI40,
  NTE_VIOLENCE,
  POPULATIONS,
  SAC,
} from './test-fixtures.js';

const sacReadings = [...monthly('DBC', '2008-04', DBC_SAC_2008), ...monthly('GBC', '2008-04', GBC_SAC_2008)];
const at = '2009-03-31';

describe('rolling value of a count measure as a rate (SAC per 1,000)', () => {
  // Dartford:  100+105+110+115+120+110+105+100+105+110+115+105 = 1,300 over 90,900 (2008)
  //            1,300 / 90,900 × 1,000 = 14.3014 per 1,000
  // Gravesham:  95+100+105+110+115+105+100+ 95+100+105+115+105 = 1,250 over 100,900
  //            1,250 / 100,900 × 1,000 = 12.3885 per 1,000
  // Partnership: (1,300 + 1,250) / (90,900 + 100,900) × 1,000 = 2,550 / 191,800 × 1,000 = 13.2951
  //            NOT the mean of the two rates, (14.3014 + 12.3885) / 2 = 13.3450.
  it('sums the 12 months to March 2009 and divides by the population of 2008', () => {
    const dartford = rollingValue({ measure: SAC, area: DBC, date: at, readings: sacReadings, populations: POPULATIONS });
    expect(dartford.period).toEqual({ start: '2008-04-01', end: '2009-03-31' });
    expect(dartford.numerator).toBe(1300);
    expect(dartford.denominator).toBe(90_900);
    expect(dartford.value).toBeCloseTo(14.3014, 4);
    expect(dartford.population).toMatchObject({ year: 2008, earlierYear: false, illustrative: true });
    expect(dartford.complete).toBe(true);
    expect(dartford.overdue).toBe(false);
    expect(dartford.readings).toHaveLength(12);
    expect(dartford.readings.every((r) => r.area === 'DBC')).toBe(true);

    const gravesham = rollingValue({ measure: SAC, area: GBC, date: at, readings: sacReadings, populations: POPULATIONS });
    expect(gravesham.numerator).toBe(1250);
    expect(gravesham.value).toBeCloseTo(12.3885, 4);
  });

  it('gives the partnership its summed counts over its summed population, never the mean of two rates', () => {
    const partnership = rollingValue({ measure: SAC, area: DGCDRP, date: at, readings: sacReadings, populations: POPULATIONS });
    expect(partnership.members).toEqual(['DBC', 'GBC']);
    expect(partnership.numerator).toBe(2550);
    expect(partnership.denominator).toBe(191_800);
    expect(partnership.value).toBeCloseTo(13.2951, 4);
    expect(partnership.value).not.toBeCloseTo(13.345, 2);
    expect(partnership.readings).toHaveLength(24);
    expect(RollingValueSchema.parse(partnership)).toEqual(partnership);
  });

  it("carries Byar's interval for the partnership rate", () => {
    // O = 2,550: √O = 50.497525; 1/(9O) = 0.0000435730; 1.96/(3√O) = 0.0129379
    //   lower = 2,550 × (1 − 0.0000435730 − 0.0129379)³ = 2,550 × 0.9870185³ = 2,550 × 0.9615589 = 2,451.975
    // O+1 = 2,551: √ = 50.507425; 1/(9·2,551) = 0.0000435559; 1.96/(3·50.507425) = 0.0129354
    //   upper = 2,551 × (1 − 0.0000435559 + 0.0129354)³ = 2,551 × 1.0128918³ = 2,551 × 1.0391762 = 2,650.939
    // as rates: 2,451.975 / 191,800 × 1,000 = 12.7840; 2,650.939 / 191,800 × 1,000 = 13.8214
    const partnership = rollingValue({ measure: SAC, area: DGCDRP, date: at, readings: sacReadings, populations: POPULATIONS });
    expect(partnership.interval?.method).toBe('byar');
    expect(partnership.interval?.lower).toBeCloseTo(12.784, 3);
    expect(partnership.interval?.upper).toBeCloseTo(13.8214, 3);
  });

  it("uses the partnership's own population when a borough's is missing", () => {
    const onlyCombined = [{ area: 'DGCDRP', year: 2008, value: 191_800 }];
    const partnership = rollingValue({ measure: SAC, area: DGCDRP, date: at, readings: sacReadings, populations: onlyCombined });
    expect(partnership.denominator).toBe(191_800);
    expect(partnership.population?.figures).toEqual(onlyCombined);
  });

  it('takes the year whose 30 June is in the window, and falls back to an earlier year saying so', () => {
    // 12 months to May 2009 = June 2008 .. May 2009: 30 June 2008 is in it → 2008.
    // 12 months to June 2009 = July 2008 .. June 2009: 30 June 2009 → 2009, not recorded → 2008 stands in.
    const readings = [...monthly('DBC', '2008-06', [...DBC_SAC_2008, 100])];
    const toMay = rollingValue({ measure: SAC, area: DBC, date: '2009-05-31', readings, populations: POPULATIONS });
    expect(toMay.population).toMatchObject({ year: 2008, earlierYear: false });
    const toJune = rollingValue({ measure: SAC, area: DBC, date: '2009-06-30', readings, populations: POPULATIONS });
    expect(toJune.population).toMatchObject({ year: 2009, earlierYear: true, value: 90_900 });
    expect(toJune.notes.join(' ')).toContain('no population of DBC for 2009: the DBC 2008 figure stands in');
  });

  it('has no value without a population, and keeps the count', () => {
    const noPopulation = rollingValue({ measure: SAC, area: DBC, date: at, readings: sacReadings, populations: [] });
    expect(noPopulation.value).toBeNull();
    expect(noPopulation.numerator).toBe(1300);
    expect(noPopulation.notes).toContain('no population of DBC for 2008 or earlier');
  });
});

describe('missing months', () => {
  const withoutFebruary = sacReadings.filter((r) => !(r.area === 'DBC' && r.period.start === '2009-02-01'));
  const withoutMarch = sacReadings.filter((r) => !(r.area === 'GBC' && r.period.start === '2009-03-01'));

  it('make the 12 months incomplete, and say which', () => {
    // Dartford without February 2009 (115): 1,300 − 115 = 1,185 over 11 months.
    const partnership = rollingValue({ measure: SAC, area: DGCDRP, date: at, readings: withoutFebruary, populations: POPULATIONS });
    expect(partnership.complete).toBe(false);
    expect(partnership.overdue).toBe(false);
    expect(partnership.numerator).toBe(2550 - 115);
    expect(partnership.missing).toEqual([{ area: 'DBC', periods: [{ start: '2009-02-01', end: '2009-02-28' }] }]);
  });

  it('make the return overdue when the latest month is missing', () => {
    const partnership = rollingValue({ measure: SAC, area: DGCDRP, date: at, readings: withoutMarch, populations: POPULATIONS });
    expect(partnership.overdue).toBe(true);
    expect(partnership.missing).toEqual([{ area: 'GBC', periods: [{ start: '2009-03-01', end: '2009-03-31' }] }]);
  });

  it('leave no value at all when no month has a reading', () => {
    const nothing = rollingValue({ measure: SAC, area: DBC, date: '2011-03-31', readings: sacReadings, populations: POPULATIONS });
    expect(nothing.value).toBeNull();
    expect(nothing.overdue).toBe(true);
    expect(nothing.missing[0]?.periods).toHaveLength(12);
  });
});

describe('readings other than monthly', () => {
  // NI 39 (alcohol-related admissions per 100,000, quarterly): 40 + 45 + 50 + 55 = 190 in
  // 2008/09 over Dartford's 90,900: 190 / 90,900 × 100,000 = 209.02 per 100,000.
  const quarters: Reading[] = [
    { area: 'DBC', period: { start: '2008-04-01', end: '2008-06-30' }, value: 40 },
    { area: 'DBC', period: { start: '2008-07-01', end: '2008-09-30' }, value: 45 },
    { area: 'DBC', period: { start: '2008-10-01', end: '2008-12-31' }, value: 50 },
    { area: 'DBC', period: { start: '2009-01-01', end: '2009-03-31' }, value: 55 },
  ];

  it('sums quarters that lie inside the 12 months', () => {
    const ni39 = rollingValue({ measure: NI39, area: DBC, date: at, readings: quarters, populations: POPULATIONS });
    expect(ni39.numerator).toBe(190);
    expect(ni39.value).toBeCloseTo(209.021, 3);
    expect(ni39.complete).toBe(true);
  });

  it('leaves out a quarter that straddles the window, and says so', () => {
    // 12 months to April 2009 = May 2008 .. April 2009: Q1 2008/09 starts in April 2008, outside.
    const ni39 = rollingValue({ measure: NI39, area: DBC, date: '2009-04-30', readings: quarters, populations: POPULATIONS });
    expect(ni39.numerator).toBe(45 + 50 + 55);
    expect(ni39.complete).toBe(false);
    expect(ni39.notes.join(' ')).toContain('Q1 2008/09 is not whole months within');
  });

  it('refuses two readings for the same month: corrections are applied before', () => {
    const twice = [...sacReadings, ...monthly('DBC', '2008-05', [99])];
    expect(() => rollingValue({ measure: SAC, area: DBC, date: at, readings: twice, populations: POPULATIONS })).toThrow(
      /two readings of SAC for DBC cover May 2008/,
    );
  });

  it('ignores readings of other measures when they name theirs', () => {
    const mixed = [...monthly('DBC', '2008-04', DBC_SAC_2008, 'SAC'), ...monthly('DBC', '2008-04', DBC_SAC_2008, 'NI15')];
    expect(rollingValue({ measure: SAC, area: DBC, date: at, readings: mixed, populations: POPULATIONS }).numerator).toBe(1300);
  });

  it('accepts the data of a ReadingRecorded event as it is', () => {
    const recorded: EventData<'ReadingRecorded'> = {
      period: { start: '2008-04-01', end: '2008-04-30' },
      recordedAt: '2008-05-10T09:00:00Z',
      actor: { kind: 'person', id: 'u1' },
      returnId: 'r1',
      row: 2,
      measureId: 'NTE_VIOLENCE',
      area: 'DBC',
      agency: 'POLICE',
      value: 30,
    };
    const value = rollingValue({ measure: NTE_VIOLENCE, area: DBC, date: '2008-04-30', readings: [recorded] });
    expect(value.numerator).toBe(30);
    expect(value.readings[0]).toMatchObject({ returnId: 'r1', row: 2 });
  });

  it('counts a count unit as the sum itself, with a Byar interval on it', () => {
    // 12 months of 30 = 360. Byar: 360·(1 − 1/3,240 − 1.96/(3·18.97367))³ = 360·(1 − 0.000309 − 0.034434)³
    //   = 360·0.965258³ = 360·0.899352 = 323.77; upper 361·(1 − 1/3,249 + 1.96/(3·19))³
    //   = 361·(1 − 0.000308 + 0.034386)³ = 361·1.034078³ = 361·1.105758 = 399.18
    const nte = rollingValue({ measure: NTE_VIOLENCE, area: DBC, date: at, readings: monthly('DBC', '2008-04', Array(12).fill(30)) });
    expect(nte.value).toBe(360);
    expect(nte.denominator).toBeNull();
    expect(nte.interval?.lower).toBeCloseTo(323.77, 2);
    expect(nte.interval?.upper).toBeCloseTo(399.18, 2);
  });
});

describe('rolling value of a ratio measure (repeat domestic abuse, %)', () => {
  // 12 months: numerators 20,21,22,20,23,21,22,20,22,23,22,22 = 258;
  //            denominators 80,85,82,84,86,83,81,84,82,85,84,84 = 1,000 → 258/1,000 × 100 = 25.8%
  const nums = [20, 21, 22, 20, 23, 21, 22, 20, 22, 23, 22, 22];
  const dens = [80, 85, 82, 84, 86, 83, 81, 84, 82, 85, 84, 84];
  const readings = monthly(
    'DBC',
    '2008-04',
    nums.map((numerator, i) => ({ numerator, denominator: dens[i] ?? 1, value: (numerator / (dens[i] ?? 1)) * 100 })),
  );

  it('divides the summed numerator by the summed denominator, with a Wilson interval', () => {
    // Wilson for 258/1,000: p = 0.258; z²/n = 0.0038416; centre = (0.258 + 0.0019208)/1.0038416 = 0.258926
    // half = 1.96·√(0.258·0.742/1,000 + 3.8416/4,000,000)/1.0038416 = 1.96·√(0.000191436 + 0.00000096)/1.0038416
    //      = 1.96·0.0138707/1.0038416 = 0.0270825 → 0.231844 to 0.286009 → 23.18% to 28.60%
    const da = rollingValue({ measure: DA_REPEAT, area: DBC, date: at, readings });
    expect(da.numerator).toBe(258);
    expect(da.denominator).toBe(1000);
    expect(da.value).toBeCloseTo(25.8, 10);
    expect(da.interval?.method).toBe('wilson');
    expect(da.interval?.lower).toBeCloseTo(23.1844, 3);
    expect(da.interval?.upper).toBeCloseTo(28.6009, 3);
  });

  it('sums numerators and denominators across the boroughs for the partnership', () => {
    // Gravesham: 10 of 100 each month → 120 / 1,200. Partnership: (258 + 120)/(1,000 + 1,200) = 378/2,200 = 17.18%
    // (the mean of 25.8% and 10% would be 17.9%).
    const gravesham = monthly('GBC', '2008-04', Array(12).fill({ numerator: 10, denominator: 100, value: 10 }));
    const da = rollingValue({ measure: DA_REPEAT, area: DGCDRP, date: at, readings: [...readings, ...gravesham] });
    expect(da.numerator).toBe(378);
    expect(da.denominator).toBe(2200);
    expect(da.value).toBeCloseTo(17.1818, 4);
  });

  it('leaves out a reading without numerator and denominator, and says so', () => {
    const broken = readings.map((r, i) => (i === 0 ? { area: r.area, period: r.period, value: 25 } : r));
    const da = rollingValue({ measure: DA_REPEAT, area: DBC, date: at, readings: broken });
    expect(da.complete).toBe(false);
    expect(da.numerator).toBe(258 - 20);
    expect(da.notes).toContain('the reading for DBC April 2008 has no numerator and denominator, so it is left out');
  });
});

describe('rolling value of a survey measure (high perceived ASB, KCVS)', () => {
  const waves: Reading[] = [
    { area: 'DBC', period: { start: '2007-10-01', end: '2008-03-31' }, value: 18.1, sampleSize: 350 },
    { area: 'DBC', period: { start: '2008-10-01', end: '2009-03-31' }, value: 16.3, sampleSize: 372 },
    { area: 'DBC', period: { start: '2009-10-01', end: '2010-03-31' }, value: 12, sampleSize: 380 },
    { area: 'GBC', period: { start: '2008-10-01', end: '2009-03-31' }, value: 14, sampleSize: 400 },
  ];

  it('takes the latest wave ending on or before the date, with its sample size', () => {
    // Wilson for 16.3% of 372: p = 0.163; z²/n = 3.8416/372 = 0.0103269
    // centre = (0.163 + 0.0051634)/1.0103269 = 0.166445
    // half = 1.96·√(0.163·0.837/372 + 3.8416/(4·372²))/1.0103269 = 1.96·√(0.00036675 + 0.00000694)/1.0103269
    //      = 1.96·0.0193311/1.0103269 = 0.0375016 → 0.128943 to 0.203946 → 12.89% to 20.39%
    const asb = rollingValue({ measure: ASB_HIGH, area: DBC, date: at, readings: waves });
    expect(asb.period).toEqual({ start: '2008-10-01', end: '2009-03-31' });
    expect(asb.value).toBe(16.3);
    expect(asb.sampleSize).toBe(372);
    expect(asb.interval?.lower).toBeCloseTo(12.8943, 3);
    expect(asb.interval?.upper).toBeCloseTo(20.3946, 3);
    expect(asb.readings).toHaveLength(1);
    expect(asb.complete).toBe(true);
  });

  it('combines the boroughs by sample size for the partnership (summed respondents)', () => {
    // 16.3% of 372 = 60.636 respondents; 14% of 400 = 56; (60.636 + 56)/(372 + 400) = 116.636/772 = 15.108%
    const asb = rollingValue({ measure: ASB_HIGH, area: DGCDRP, date: at, readings: waves });
    expect(asb.sampleSize).toBe(772);
    expect(asb.value).toBeCloseTo(15.1083, 4);
    expect(asb.complete).toBe(true);
  });

  it("is incomplete for the partnership when a borough lacks the latest wave", () => {
    const asb = rollingValue({ measure: ASB_HIGH, area: DGCDRP, date: '2010-03-31', readings: waves });
    expect(asb.complete).toBe(false);
    expect(asb.overdue).toBe(false);
    expect(asb.missing).toEqual([{ area: 'GBC', periods: [{ start: '2009-10-01', end: '2010-03-31' }] }]);
    expect(asb.value).toBe(12);
  });

  it('has no value before the first wave', () => {
    const asb = rollingValue({ measure: ASB_HIGH, area: DBC, date: '2008-01-31', readings: waves });
    expect(asb.value).toBeNull();
    expect(asb.notes).toEqual(['no survey wave ending on or before 31 Jan 2008']);
  });
});

describe('rolling value of a latest measure (NI 40, reported as a rolling count)', () => {
  const readings = [...monthly('DBC', '2009-01', [410, 415, 420]), ...monthly('GBC', '2009-01', [300, 305])];

  it('takes the latest reading, not a sum', () => {
    const ni40 = rollingValue({ measure: NI40, area: DBC, date: at, readings });
    expect(ni40.value).toBe(420);
    expect(ni40.period).toEqual({ start: '2009-03-01', end: '2009-03-31' });
    expect(ni40.overdue).toBe(false);
  });

  it("is overdue when the month's reading has not come in", () => {
    const ni40 = rollingValue({ measure: NI40, area: GBC, date: at, readings });
    expect(ni40.value).toBe(305);
    expect(ni40.overdue).toBe(true);
    expect(ni40.complete).toBe(false);
  });

  it('sums the boroughs for the partnership when they report the same period', () => {
    // February 2009: 415 + 305 = 720
    const ni40 = rollingValue({ measure: NI40, area: DGCDRP, date: '2009-02-28', readings });
    expect(ni40.value).toBe(720);
    expect(ni40.complete).toBe(true);
  });
});

describe('dates', () => {
  it('must be month ends', () => {
    expect(() => rollingValue({ measure: SAC, area: DBC, date: '2009-03-30', readings: [] })).toThrow(/not the last day of a month/);
  });
});
