import type { Polarity, Tolerance, Unit } from '@beacon/catalogue';
import { formatShare, formatTolerance, formatValue } from './format.js';
import { intervalsOverlap, significantlyDifferent } from './intervals.js';
import type { DirectionOfTravel, Interval, Trend } from './schemas.js';

/**
 * Direction of travel (method 6 of the spec), polarity-aware:
 * - short trend: the value against the same period last year;
 * - long trend: the value against the average of the previous four periods (the caller
 *   passes the values at the ends of the four reporting periods before this one, e.g. the
 *   rolling values at the previous four quarter ends).
 *
 * The steady band, by `steady`:
 * - 'tolerance' (default): a change no bigger than the measure's tolerance is steady
 *   (relative: tolerance × the value compared with; absolute: in the unit), the same band
 *   that separates Green from Red around a target.
 * - 'significance': a change is steady unless it is statistically significant: short trend,
 *   the two 95% intervals overlap (a conservative test); long trend, the four-period
 *   average lies inside the current value's interval. Where an interval is missing, the
 *   tolerance rule is used instead and the trend says so.
 * Either way, whether the change is significant is reported beside it (null without intervals).
 */
export interface TravelInput {
  polarity: Polarity;
  tolerance: Tolerance;
  unit: Unit;
  current: { value: number; interval?: Interval | null };
  sameTimeLastYear?: { value: number; interval?: Interval | null } | null;
  /** The values of the previous four periods; fewer than four gives no long trend. */
  previousFour?: ReadonlyArray<{ value: number }> | null;
  steady?: 'tolerance' | 'significance';
}

export function directionOfTravel(input: TravelInput): DirectionOfTravel {
  const notes: string[] = [];
  const { current } = input;
  let short: Trend | null = null;
  if (input.sameTimeLastYear) {
    const last = input.sameTimeLastYear;
    const significant = current.interval && last.interval ? !intervalsOverlap(current.interval, last.interval) : null;
    short = trend(input, last.value, significant, 'the same period last year');
  } else {
    notes.push('no value for the same period last year: no short trend');
  }
  let long: Trend | null = null;
  const previous = input.previousFour ?? [];
  if (previous.length === 4) {
    const average = previous.reduce((total, p) => total + p.value, 0) / 4;
    const significant = current.interval ? significantlyDifferent(current.interval, average) : null;
    long = trend(input, average, significant, 'the average of the previous four periods');
  } else {
    notes.push(`${previous.length} of the previous four periods have a value: no long trend`);
  }
  return { polarity: input.polarity, short, long, notes };
}

function trend(input: TravelInput, comparedWith: number, significant: boolean | null, against: string): Trend {
  const { polarity, tolerance, unit } = input;
  const value = input.current.value;
  const change = value - comparedWith;
  const relativeChange = comparedWith === 0 ? null : change / Math.abs(comparedWith);
  const steadyBand = tolerance.type === 'relative' ? tolerance.value * Math.abs(comparedWith) : tolerance.value;
  const improved = polarity === 'down' ? change < 0 : change > 0;
  const withinBand = Math.abs(change) <= steadyBand + 1e-9 * Math.max(1, Math.abs(comparedWith));
  const rule = input.steady === 'significance' && significant !== null ? 'significance' : 'tolerance';
  const isSteady = rule === 'significance' ? significant === false : withinBand;
  const direction = change === 0 || isSteady ? 'steady' : improved ? 'improving' : 'worsening';

  const size = relativeChange === null ? formatValue(Math.abs(change), unit) : formatShare(Math.abs(relativeChange));
  const moved = change === 0 ? 'no change' : `${size} ${change > 0 ? 'higher' : 'lower'}`;
  const why =
    rule === 'significance'
      ? significant
        ? 'a statistically significant change'
        : 'not a statistically significant change'
      : withinBand
        ? `within the steady band (tolerance ${formatTolerance(tolerance, unit)})`
        : `beyond the steady band (tolerance ${formatTolerance(tolerance, unit)})`;
  const fallback = input.steady === 'significance' && significant === null ? ' (no intervals to test, so the tolerance rule)' : '';
  return {
    direction,
    value,
    comparedWith,
    change,
    relativeChange,
    steadyBand,
    significant,
    rule,
    reason: `${formatValue(value, unit)} against ${formatValue(comparedWith, unit)} for ${against}: ${moved}, ${why}${fallback}, where ${polarity === 'down' ? 'lower' : 'higher'} is better: ${direction}`,
  };
}
