import { describe, expect, it } from 'vitest';
import { byarInterval, countInterval, intervalsOverlap, proportionInterval, significantlyDifferent, wilsonInterval } from './intervals.js';

describe('the Wilson score interval for a proportion', () => {
  // Published values: Newcombe RG (1998), "Two-sided confidence intervals for the single
  // proportion: comparison of seven methods", Statistics in Medicine 17:857-872, Table I,
  // method 3 (score method without continuity correction), 95% limits to 4 decimals.
  it.each([
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0, 0.1611],
    [1, 29, 0.0061, 0.1718],
  ])('%i of %i → %f to %f (Newcombe 1998, Table I)', (successes, trials, lower, upper) => {
    const limits = wilsonInterval(successes, trials);
    expect(limits.lower).toBeCloseTo(lower, 4);
    expect(limits.upper).toBeCloseTo(upper, 4);
  });

  it('works through 81/263 by hand', () => {
    // p = 81/263 = 0.307985; z² = 1.96² = 3.8416; z²/n = 0.014607; z²/2n = 0.007303
    // centre = (p + z²/2n) / (1 + z²/n) = (0.307985 + 0.007303) / 1.014607 = 0.310749
    // half   = z·√(p(1−p)/n + z²/4n²) / (1 + z²/n)
    //        = 1.96·√(0.00081038 + 0.00001388) / 1.014607 = 1.96·0.028710 / 1.014607 = 0.055462
    // → 0.310749 ∓ 0.055462 = 0.255288 to 0.366211 (Newcombe: 0.2553 to 0.3662)
    const { lower, upper } = wilsonInterval(81, 263);
    expect(lower).toBeCloseTo(0.255288, 5);
    expect(upper).toBeCloseTo(0.366211, 5);
  });

  it('never leaves 0..1 and is scaled to percent on request', () => {
    expect(wilsonInterval(0, 20).lower).toBe(0);
    expect(wilsonInterval(20, 20).upper).toBe(1);
    const percent = proportionInterval(15, 148, 100);
    expect(percent).toMatchObject({ level: 0.95, method: 'wilson' });
    expect(percent.lower).toBeCloseTo(6.24, 2);
    expect(percent.upper).toBeCloseTo(16.05, 2);
  });

  it('refuses impossible proportions', () => {
    expect(() => wilsonInterval(5, 0)).toThrow(RangeError);
    expect(() => wilsonInterval(6, 5)).toThrow(RangeError);
  });
});

describe("Byar's approximation for a count", () => {
  // Formula: APHO Technical Briefing 3, "Commonly used public health statistics and their
  // confidence intervals" (Association of Public Health Observatories, 2008):
  //   lower = O·(1 − 1/(9O) − 1.96/(3√O))³,  upper = (O+1)·(1 − 1/(9(O+1)) + 1.96/(3√(O+1)))³.
  // Exact Poisson limits to compare with: lower = χ²(2O; 0.025)/2, upper = χ²(2O+2; 0.975)/2
  // (Ulm K, 1990, Am J Epidemiol 131:373-375), with χ² quantiles from the NIST/SEMATECH
  // e-Handbook of Statistical Methods, table 1.3.6.7.4 (critical values of the chi-square
  // distribution, 3 decimals): χ²(20; .025) = 9.591, χ²(22; .975) = 36.781 → 4.7955, 18.3905;
  // χ²(10; .025) = 3.247, χ²(12; .975) = 23.337 → 1.6235, 11.6685;
  // χ²(40; .025) = 24.433, χ²(42; .975) = 61.777 → 12.2165, 30.8885;
  // χ²(2; .025) = 0.051, χ²(4; .975) = 11.143 → 0.0255, 5.5715; χ²(2; .975) = 7.378 → 3.689.
  it('O = 10 by hand: 4.7874 to 18.3916', () => {
    // lower: 1/90 = 0.0111111; 1.96/(3·√10) = 1.96/9.486833 = 0.2066019
    //        10·(1 − 0.0111111 − 0.2066021)³ = 10·0.7822867³ = 10·0.4787380 = 4.787380
    // upper: 1/99 = 0.0101010; 1.96/(3·√11) = 1.96/9.949874 = 0.1969874
    //        11·(1 − 0.0101010 + 0.1969874)³ = 11·1.1868864³ = 11·1.6719661 = 18.391627
    const { lower, upper } = byarInterval(10);
    expect(lower).toBeCloseTo(4.7874, 4);
    expect(upper).toBeCloseTo(18.3916, 4);
  });

  it.each([
    // O, Byar lower, Byar upper (computed), exact lower, exact upper (from the χ² table above)
    [1, 0.0131, 5.5639, 0.0255, 5.5715],
    [5, 1.6113, 11.6683, 1.6235, 11.6685],
    [10, 4.7874, 18.3916, 4.7955, 18.3905],
    [20, 12.2113, 30.8901, 12.2165, 30.8885],
  ])('O = %i → %f to %f, within 0.05 of the exact Poisson limits', (count, lower, upper, exactLower, exactUpper) => {
    const limits = byarInterval(count);
    expect(limits.lower).toBeCloseTo(lower, 4);
    expect(limits.upper).toBeCloseTo(upper, 4);
    expect(Math.abs(limits.lower - exactLower)).toBeLessThan(0.05);
    expect(Math.abs(limits.upper - exactUpper)).toBeLessThan(0.05);
  });

  it('O = 0 has lower limit 0 and upper close to the exact 3.689', () => {
    // upper: 1·(1 − 1/9 + 1.96/3)³ = (1 − 0.111111 + 0.653333)³ = 1.542222³ = 3.668098
    const { lower, upper } = byarInterval(0);
    expect(lower).toBe(0);
    expect(upper).toBeCloseTo(3.6681, 4);
    expect(Math.abs(upper - 3.689)).toBeLessThan(0.05);
  });

  it('gives a rate interval by dividing the count limits by the population', () => {
    // 2,550 crimes over 191,800 people: Byar on 2,550 is 2,451.975 to 2,650.939 (see
    // rolling.test.ts for the arithmetic); ÷ 191,800 × 1,000 = 12.7840 to 13.8214 per 1,000.
    const rate = countInterval(2550, 191_800, 1000);
    expect(rate).toMatchObject({ level: 0.95, method: 'byar' });
    expect(rate.lower).toBeCloseTo(12.784, 3);
    expect(rate.upper).toBeCloseTo(13.8214, 3);
  });
});

describe('significance', () => {
  it('of a gap to a fixed figure: the figure lies outside the interval', () => {
    expect(significantlyDifferent({ lower: 23.18, upper: 28.6 }, 22)).toBe(true);
    expect(significantlyDifferent({ lower: 12.89, upper: 20.39 }, 15)).toBe(false);
  });

  it('of a change from last year: the two intervals do not overlap (conservative)', () => {
    expect(intervalsOverlap({ lower: 1, upper: 2 }, { lower: 2, upper: 3 })).toBe(true);
    expect(intervalsOverlap({ lower: 1, upper: 2 }, { lower: 2.01, upper: 3 })).toBe(false);
  });
});
