import { describe, expect, it } from 'vitest';
import { countInterval } from './intervals.js';
import { DirectionOfTravelSchema } from './schemas.js';
import { directionOfTravel } from './travel.js';

const fivePercent = { type: 'relative', value: 0.05 } as const;

// SAC for the partnership: 2,550 crimes over 191,800 in the 12 months to March 2009 = 13.2951 per 1,000,
// Byar 12.7840 to 13.8214 (see rolling.test.ts).
const now = { value: 2550 / 191.8, interval: countInterval(2550, 191_800, 1000) };

describe('short trend: against the same period last year', () => {
  it('improving: 6.25% lower than last year, beyond the 5% steady band', () => {
    // Last year 2,720 / 191,800 × 1,000 = 14.1814. Change 13.2951 − 14.1814 = −0.8863 = −6.25%;
    // band 5% × 14.1814 = 0.7091, so beyond it, and lower is better → improving.
    const travel = directionOfTravel({
      polarity: 'down',
      tolerance: fivePercent,
      unit: 'rate_per_1000',
      current: now,
      sameTimeLastYear: { value: 2720 / 191.8, interval: countInterval(2720, 191_800, 1000) },
    });
    expect(travel.short?.direction).toBe('improving');
    expect(travel.short?.change).toBeCloseTo(-0.8863, 4);
    expect(travel.short?.relativeChange).toBeCloseTo(-0.0625, 10);
    expect(travel.short?.steadyBand).toBeCloseTo(0.7091, 4);
    // Byar for last year: 13.6534 to 14.7246, which overlaps 12.7840 to 13.8214: not significant.
    expect(travel.short?.significant).toBe(false);
    expect(travel.short?.reason).toBe(
      '13.3 per 1,000 against 14.2 per 1,000 for the same period last year: 6.3% lower, beyond the steady band (tolerance 5%), where lower is better: improving',
    );
    expect(DirectionOfTravelSchema.parse(travel)).toEqual(travel);
  });

  it('steady under the significance rule when the intervals overlap; improving when they do not', () => {
    const lastYear = { value: 2720 / 191.8, interval: countInterval(2720, 191_800, 1000) };
    const bySignificance = directionOfTravel({ polarity: 'down', tolerance: fivePercent, unit: 'rate_per_1000', current: now, sameTimeLastYear: lastYear, steady: 'significance' });
    expect(bySignificance.short).toMatchObject({ direction: 'steady', rule: 'significance', significant: false });
    // 3,000 last year: 15.6413 per 1,000, Byar 15.0865 to 16.2112, clear of 12.7840 to 13.8214 → significant.
    const muchHigher = { value: 3000 / 191.8, interval: countInterval(3000, 191_800, 1000) };
    const significant = directionOfTravel({ polarity: 'down', tolerance: fivePercent, unit: 'rate_per_1000', current: now, sameTimeLastYear: muchHigher, steady: 'significance' });
    expect(significant.short).toMatchObject({ direction: 'improving', significant: true });
  });

  it('falls back to the tolerance rule without intervals, and says so', () => {
    const travel = directionOfTravel({ polarity: 'down', tolerance: fivePercent, unit: 'count', current: { value: 420 }, sameTimeLastYear: { value: 393 }, steady: 'significance' });
    // 420 vs 393: +27 = +6.87% (band 19.65), higher is worse → worsening
    expect(travel.short).toMatchObject({ direction: 'worsening', rule: 'tolerance', significant: null });
    expect(travel.short?.reason).toContain('(no intervals to test, so the tolerance rule)');
  });

  it('is polarity-aware: higher is better for feeling safe', () => {
    // 58% vs 52%: +6 points = +11.5% of 52 (band 2.6 points) → improving; 53% vs 52%: +1.9% → steady
    expect(directionOfTravel({ polarity: 'up', tolerance: fivePercent, unit: 'percent', current: { value: 58 }, sameTimeLastYear: { value: 52 } }).short?.direction).toBe('improving');
    expect(directionOfTravel({ polarity: 'up', tolerance: fivePercent, unit: 'percent', current: { value: 53 }, sameTimeLastYear: { value: 52 } }).short?.direction).toBe('steady');
    expect(directionOfTravel({ polarity: 'up', tolerance: fivePercent, unit: 'percent', current: { value: 46 }, sameTimeLastYear: { value: 52 } }).short?.direction).toBe('worsening');
  });
});

describe('long trend: against the average of the previous four periods', () => {
  it('steady: 2.2% below the average, inside the band', () => {
    // (13.9 + 13.6 + 13.4 + 13.5) / 4 = 13.6; 13.2951 − 13.6 = −0.3049 = −2.24%; band 5% × 13.6 = 0.68 → steady.
    // 13.6 lies inside 12.7840 to 13.8214: not significant either.
    const travel = directionOfTravel({
      polarity: 'down',
      tolerance: fivePercent,
      unit: 'rate_per_1000',
      current: now,
      previousFour: [{ value: 13.9 }, { value: 13.6 }, { value: 13.4 }, { value: 13.5 }],
    });
    expect(travel.long).toMatchObject({ direction: 'steady', comparedWith: 13.6, steadyBand: 0.68, significant: false });
    expect(travel.long?.relativeChange).toBeCloseTo(-0.02242, 5);
    expect(travel.short).toBeNull();
    expect(travel.notes).toEqual(['no value for the same period last year: no short trend']);
  });

  it('needs all four previous periods', () => {
    const travel = directionOfTravel({ polarity: 'down', tolerance: fivePercent, unit: 'rate_per_1000', current: now, previousFour: [{ value: 13.9 }, { value: 13.6 }, { value: 13.4 }] });
    expect(travel.long).toBeNull();
    expect(travel.notes).toContain('3 of the previous four periods have a value: no long trend');
  });

  it('uses an absolute band in the unit', () => {
    // average 20; 21.5 is +1.5 points, within 2 points → steady; 22.5 is +2.5 → worsening (lower is better)
    const previousFour = [{ value: 19 }, { value: 20 }, { value: 21 }, { value: 20 }];
    const absolute = { type: 'absolute', value: 2 } as const;
    expect(directionOfTravel({ polarity: 'down', tolerance: absolute, unit: 'percent', current: { value: 21.5 }, previousFour }).long?.direction).toBe('steady');
    expect(directionOfTravel({ polarity: 'down', tolerance: absolute, unit: 'percent', current: { value: 22.5 }, previousFour }).long?.direction).toBe('worsening');
  });
});
