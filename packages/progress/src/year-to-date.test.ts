import { describe, expect, it } from 'vitest';
import { FinancialYearToDateSchema, ForecastOutturnSchema, type ProgressTarget } from './schemas.js';
import { ASB_HIGH, DA_REPEAT, DBC, DBC_SAC_2008, DGCDRP, monthly, NTE_VIOLENCE, POPULATIONS, SAC } from './test-fixtures.js';
import { financialYearToDate, forecastOutturn } from './year-to-date.js';

const FY2008 = { start: '2008-04-01', end: '2009-03-31' };
const endOfNovember = '2008-11-30'; // 8 months into 2008/09 (April .. November)

// NTE violence in the partnership: 2007/08 in full, and April to November 2008.
// 2007/08: April..November 180+185+190+190+190+190+185+190 = 1,500; December..March 4 × 225 = 900; total 2,400.
// 2008/09 so far: 8 × 225 = 1,800 (all in Dartford's returns, to keep the sums plain; Gravesham reports 0).
const nte = [
  ...monthly('DBC', '2007-04', [180, 185, 190, 190, 190, 190, 185, 190, 225, 225, 225, 225]),
  ...monthly('GBC', '2007-04', Array(12).fill(0)),
  ...monthly('DBC', '2008-04', Array(8).fill(225)),
  ...monthly('GBC', '2008-04', Array(8).fill(0)),
];

describe('forecast outturn for 31 March', () => {
  it('straight line: 1,800 in 8 months → 2,700', () => {
    // 1,800 × 12/8 = 2,700
    const forecast = forecastOutturn({ measure: NTE_VIOLENCE, area: DGCDRP, date: endOfNovember, readings: nte });
    expect(forecast.months).toBe(8);
    expect(forecast.outturnDate).toBe('2009-03-31');
    expect(forecast.yearToDate).toEqual({ numerator: 1800, denominator: null });
    expect(forecast.straightLine?.value).toBe(2700);
    expect(forecast.straightLine?.shareOfYear).toBeCloseTo(8 / 12, 10);
    expect(ForecastOutturnSchema.parse(forecast)).toEqual(forecast);
  });

  it("seasonal: by last year's monthly shares, 1,800 / (1,500 / 2,400) = 2,880", () => {
    // Last year April..November carried 1,500 of 2,400 = 62.5% of the year: 1,800 / 0.625 = 2,880
    const forecast = forecastOutturn({ measure: NTE_VIOLENCE, area: DGCDRP, date: endOfNovember, readings: nte });
    expect(forecast.priorYear).toMatchObject({ financialYear: '2007/08', complete: true });
    expect(forecast.seasonal?.shareOfYear).toBeCloseTo(0.625, 10);
    expect(forecast.seasonal?.value).toBeCloseTo(2880, 10);
    expect(forecast.seasonal?.method).toBe("seasonal: the months so far carried 62.5% of 2007/08's total, so the year so far ÷ 0.6250");
  });

  it('has no seasonal forecast without a full prior year', () => {
    const gap = nte.filter((r) => !(r.area === 'GBC' && r.period.start === '2008-01-01'));
    const forecast = forecastOutturn({ measure: NTE_VIOLENCE, area: DGCDRP, date: endOfNovember, readings: gap });
    expect(forecast.seasonal).toBeNull();
    expect(forecast.straightLine?.value).toBe(2700);
    expect(forecast.notes).toContain('no seasonal forecast: 2007/08 does not have a reading for every month');
  });

  it('turns a forecast count into a rate with the population of the financial year', () => {
    // Dartford SAC, 2007/08 and 2008/09 with the same monthly profile (DBC_SAC_2008).
    // April..November 2008: 100+105+110+115+120+110+105+100 = 865.
    // Straight line: 865 × 12/8 = 1,297.5 → 1,297.5 / 90,900 × 1,000 = 14.2739 per 1,000.
    // Seasonal: last year April..November was 865 of 1,300 = 0.665385 → 865 / 0.665385 = 1,300
    //           → 1,300 / 90,900 × 1,000 = 14.3014 per 1,000.
    const readings = [...monthly('DBC', '2007-04', DBC_SAC_2008), ...monthly('DBC', '2008-04', DBC_SAC_2008.slice(0, 8))];
    const forecast = forecastOutturn({ measure: SAC, area: DBC, date: endOfNovember, readings, populations: POPULATIONS });
    expect(forecast.straightLine?.numerator).toBeCloseTo(1297.5, 10);
    expect(forecast.straightLine?.value).toBeCloseTo(14.2739, 4);
    expect(forecast.seasonal?.shareOfYear).toBeCloseTo(0.665385, 6);
    expect(forecast.seasonal?.numerator).toBeCloseTo(1300, 10);
    expect(forecast.seasonal?.value).toBeCloseTo(14.3014, 4);
    expect(forecast.population).toMatchObject({ year: 2008, value: 90_900 });
  });

  it('profiles numerator and denominator separately for a ratio', () => {
    // Last year: 10 of 50 a month April..November (80 of 400), then 30 of 50 December..March (120 of 200):
    //   numerator share 80/200 = 0.4, denominator share 400/600 = 0.6667.
    // This year April..November: 12 of 50 a month = 96 of 400 (24%).
    // Straight line: 24% (both scale by 12/8). Seasonal: (96/0.4) / (400/0.6667) = 240/600 = 40%.
    const readings = [
      ...monthly('DBC', '2007-04', [...Array(8).fill({ numerator: 10, denominator: 50 }), ...Array(4).fill({ numerator: 30, denominator: 50 })]),
      ...monthly('DBC', '2008-04', Array(8).fill({ numerator: 12, denominator: 50 })),
    ];
    const forecast = forecastOutturn({ measure: DA_REPEAT, area: DBC, date: endOfNovember, readings });
    expect(forecast.straightLine?.value).toBeCloseTo(24, 10);
    expect(forecast.seasonal?.shareOfYear).toBeCloseTo(0.4, 10);
    expect(forecast.seasonal?.shareOfDenominator).toBeCloseTo(2 / 3, 10);
    expect(forecast.seasonal?.value).toBeCloseTo(40, 10);
  });

  it('at March is the outturn itself', () => {
    const readings = monthly('DBC', '2008-04', DBC_SAC_2008);
    const forecast = forecastOutturn({ measure: NTE_VIOLENCE, area: DBC, date: '2009-03-31', readings });
    expect(forecast.straightLine?.value).toBe(1300);
  });

  it('is not worked out for a survey measure', () => {
    expect(() => forecastOutturn({ measure: ASB_HIGH, area: DBC, date: endOfNovember, readings: [] })).toThrow(/count and ratio measures/);
  });
});

describe('financial year to date against the pro-rata target', () => {
  it('a count: 1,800 so far against 8/12 of an annual 2,600 = 1,733.3', () => {
    // worse by 1,800 − 1,733.33 = 66.67 = 3.85% of 1,733.33 ≤ 5% → Amber.
    // Byar on 1,800: 1,717.8 to 1,885.1, which includes 1,733.3: not significant.
    const local: ProgressTarget = { id: 'NTE-local', version: 1, kind: 'value', value: 2600, period: FY2008 };
    const ytd = financialYearToDate({ measure: NTE_VIOLENCE, area: DGCDRP, date: endOfNovember, readings: nte, target: local });
    expect(ytd.period).toEqual({ start: '2008-04-01', end: '2008-11-30' });
    expect(ytd.financialYear).toBe('2008/09');
    expect(ytd.months).toBe(8);
    expect(ytd.value).toBe(1800);
    expect(ytd.annualTarget).toBe(2600);
    expect(ytd.proRataTarget).toBeCloseTo(1733.333, 3);
    expect(ytd.interval?.lower).toBeCloseTo(1717.8, 1);
    expect(ytd.interval?.upper).toBeCloseTo(1885.1, 1);
    expect(ytd.rag.status).toBe('amber');
    expect(ytd.rag.gap?.relative).toBeCloseTo(0.0385, 4);
    expect(ytd.rag.reason).toBe(
      '1,800 in 2008/09 to date is 3.8% above the pro-rata 1,733.3 target (8/12 of 2,600) (tolerance 5%); the gap is not statistically significant (95% interval 1,717.8 to 1,885.1 includes 1,733.3): Amber',
    );
    expect(FinancialYearToDateSchema.parse(ytd)).toEqual(ytd);
  });

  it('a direction target is pro-rated from its baseline', () => {
    // reduce from 393 (2007/08): 8/12 × 393 = 262 so far; 240 so far is below it → Green
    const reduce: ProgressTarget = { kind: 'direction', direction: 'reduce', period: FY2008 };
    const readings = monthly('DBC', '2008-04', Array(8).fill(30));
    const ytd = financialYearToDate({
      measure: NTE_VIOLENCE,
      area: DBC,
      date: endOfNovember,
      readings,
      target: reduce,
      baseline: { value: 393, period: { start: '2007-04-01', end: '2008-03-31' } },
    });
    expect(ytd.value).toBe(240);
    expect(ytd.proRataTarget).toBeCloseTo(262, 10);
    expect(ytd.rag.status).toBe('green');
    expect(ytd.rag.reason).toBe('240 in 2008/09 to date is 8.4% below the pro-rata 262 baseline (8/12 of 393): Green');
  });

  it('a rate: the year-to-date rate annualised against the annual target', () => {
    // Dartford SAC April..November 2008: 865 → 865 / 90,900 × 1,000 = 9.5160 per 1,000 so far;
    // annualised × 12/8 = 14.2739 per 1,000 a year vs 13.7: worse by 4.19% → Amber.
    // (The same as 9.5160 so far against 8/12 × 13.7 = 9.1333: 9.5160 / 9.1333 − 1 = 4.19%.)
    const sac: ProgressTarget = { kind: 'value', value: 13.7, period: FY2008 };
    const readings = monthly('DBC', '2008-04', DBC_SAC_2008.slice(0, 8));
    const ytd = financialYearToDate({ measure: SAC, area: DBC, date: endOfNovember, readings, populations: POPULATIONS, target: sac });
    expect(ytd.numerator).toBe(865);
    expect(ytd.denominator).toBe(90_900);
    expect(ytd.value).toBeCloseTo(14.2739, 4);
    expect(ytd.proRataTarget).toBe(13.7);
    expect(ytd.rag.status).toBe('amber');
    expect(ytd.rag.gap?.relative).toBeCloseTo(0.04189, 5);
    expect(ytd.rag.gap?.relative).toBeCloseTo(865 / 90.9 / ((13.7 * 8) / 12) - 1, 10);
    expect(ytd.basis).toContain('annualised (× 12/8)');
    expect(ytd.rag.reason.startsWith('14.3 per 1,000 a year in 2008/09 to date is 4.2% above the 13.7 per 1,000 target (tolerance 5%)')).toBe(true);
  });

  it('a percentage is not pro-rated', () => {
    // April..November numerators 20+21+22+20+23+21+22+20 = 169 over 80+85+82+84+86+83+81+84 = 665 → 25.41%
    const nums = [20, 21, 22, 20, 23, 21, 22, 20];
    const dens = [80, 85, 82, 84, 86, 83, 81, 84];
    const readings = monthly('DBC', '2008-04', nums.map((numerator, i) => ({ numerator, denominator: dens[i] ?? 1 })));
    const ytd = financialYearToDate({ measure: DA_REPEAT, area: DBC, date: endOfNovember, readings, target: { kind: 'value', value: 22, period: FY2008 } });
    expect(ytd.value).toBeCloseTo(25.4135, 4);
    expect(ytd.proRataTarget).toBe(22);
    expect(ytd.rag.status).toBe('red');
    expect(ytd.interval?.method).toBe('wilson');
  });

  it('is Grey when a month is missing, and when there is no target', () => {
    const gap = nte.filter((r) => !(r.area === 'DBC' && r.period.start === '2008-11-01'));
    const overdue = financialYearToDate({ measure: NTE_VIOLENCE, area: DGCDRP, date: endOfNovember, readings: gap, target: { kind: 'value', value: 2600, period: FY2008 } });
    expect(overdue.overdue).toBe(true);
    expect(overdue.rag).toMatchObject({ status: 'grey', rule: 'no_reading' });
    const untargeted = financialYearToDate({ measure: NTE_VIOLENCE, area: DGCDRP, date: endOfNovember, readings: nte });
    expect(untargeted.rag).toMatchObject({ status: 'grey', rule: 'no_target' });
    expect(untargeted.proRataTarget).toBeNull();
  });
});
