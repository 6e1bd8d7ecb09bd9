import type { Tolerance, Unit } from '@beacon/catalogue';
import { shortDate } from '@beacon/periods';

/** Numbers in words as the strategy group reads them: at most one decimal, thousands with commas. */
const oneDecimal = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 1 });

export const formatNumber = (x: number) => oneDecimal.format(x);

/** 14.3 per 1,000; 25.8%; 353. */
export function formatValue(value: number, unit: Unit): string {
  switch (unit) {
    case 'rate_per_1000':
      return `${formatNumber(value)} per 1,000`;
    case 'rate_per_100000':
      return `${formatNumber(value)} per 100,000`;
    case 'percent':
      return `${formatNumber(value)}%`;
    case 'count':
      return formatNumber(value);
  }
}

/** A fraction as a percentage: 0.0439 → "4.4%". */
export const formatShare = (fraction: number) => `${formatNumber(fraction * 100)}%`;

/** A difference in the unit: "3.8 points" for percent, "0.6 per 1,000", "7". */
export function formatDifference(difference: number, unit: Unit): string {
  return unit === 'percent' ? `${formatNumber(difference)} ${difference === 1 ? 'point' : 'points'}` : formatValue(difference, unit);
}

/** "5%" (relative) or "2 points" / "0.5 per 1,000" (absolute). */
export const formatTolerance = (tolerance: Tolerance, unit: Unit) =>
  tolerance.type === 'relative' ? formatShare(tolerance.value) : formatDifference(tolerance.value, unit);

export const formatDate = shortDate;

export const capitalise = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);
