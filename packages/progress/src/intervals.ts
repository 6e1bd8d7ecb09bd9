import type { Interval } from './schemas.js';

/**
 * 95% confidence intervals, the public-health indicator way (APHO Technical Briefing 3,
 * "Commonly used public health statistics and their confidence intervals", 2008):
 * - proportions (a survey percentage with its sample size, a numerator over a denominator):
 *   the Wilson score interval;
 * - counts, and rates made from counts (count / population × multiplier): Byar's
 *   approximation to the exact Poisson limits of the count, divided through by the population.
 *
 * z is 1.96, as the briefing writes it (not 1.959964...), so the published worked values
 * are reproduced to the last digit.
 */
export const Z95 = 1.96;

export interface Limits {
  lower: number;
  upper: number;
}

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

/**
 * Wilson score interval for a proportion of `successes` in `trials` (Newcombe 1998, method 3):
 * (2np̂ + z² ± z√(z² + 4np̂(1−p̂))) / 2(n + z²). `successes` need not be whole: a survey gives
 * p̂ and n, and p̂·n goes in. Limits are proportions (0-1).
 */
export function wilsonInterval(successes: number, trials: number): Limits {
  if (!(trials > 0)) throw new RangeError(`a Wilson interval needs trials > 0, not ${trials}`);
  if (successes < 0 || successes > trials) throw new RangeError(`successes ${successes} outside 0..${trials}`);
  const p = successes / trials;
  const z2 = Z95 * Z95;
  const centre = (p + z2 / (2 * trials)) / (1 + z2 / trials);
  const half = (Z95 * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials))) / (1 + z2 / trials);
  return { lower: clamp01(centre - half), upper: clamp01(centre + half) };
}

/**
 * Byar's approximation to the 95% Poisson limits of an observed count O:
 * lower = O·(1 − 1/(9O) − z/(3√O))³, upper = (O+1)·(1 − 1/(9(O+1)) + z/(3√(O+1)))³;
 * the lower limit of 0 is 0.
 */
export function byarInterval(count: number): Limits {
  if (!(count >= 0)) throw new RangeError(`a count cannot be ${count}`);
  const lower = count === 0 ? 0 : count * (1 - 1 / (9 * count) - Z95 / (3 * Math.sqrt(count))) ** 3;
  const next = count + 1;
  const upper = next * (1 - 1 / (9 * next) + Z95 / (3 * Math.sqrt(next))) ** 3;
  return { lower: Math.max(0, lower), upper };
}

/** Wilson interval of a proportion, scaled to the unit (× 100 for percent). */
export function proportionInterval(successes: number, trials: number, multiplier: number): Interval {
  const { lower, upper } = wilsonInterval(successes, trials);
  return { lower: lower * multiplier, upper: upper * multiplier, level: 0.95, method: 'wilson' };
}

/**
 * Byar interval of a count, or of a rate from it: rate = count / denominator × multiplier
 * (a count unit has denominator 1 and multiplier 1). The population is taken as exact.
 */
export function countInterval(count: number, denominator = 1, multiplier = 1): Interval {
  const { lower, upper } = byarInterval(count);
  return { lower: (lower / denominator) * multiplier, upper: (upper / denominator) * multiplier, level: 0.95, method: 'byar' };
}

/** Scale an interval (e.g. to annualise a year-to-date rate). */
export const scaleInterval = (interval: Interval, factor: number): Interval => ({
  ...interval,
  lower: interval.lower * factor,
  upper: interval.upper * factor,
});

/**
 * Is the gap between a value and a fixed figure (a target, a trajectory point, a baseline)
 * statistically significant? Yes when the figure lies outside the value's 95% interval.
 */
export const significantlyDifferent = (interval: Limits, figure: number) => figure < interval.lower || figure > interval.upper;

/**
 * Is the change between two values (this year and the same period last year) significant?
 * Documented conservative test: yes only when their 95% intervals do not overlap. Overlapping
 * intervals can still differ at the 5% level, so this misses some real changes, but a change
 * it calls significant is one (non-overlap of two 95% intervals is roughly p < 0.006).
 */
export const intervalsOverlap = (a: Limits, b: Limits) => a.lower <= b.upper && b.lower <= a.upper;
