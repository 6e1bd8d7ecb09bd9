import type { Frequency, Period, Unit } from '@beacon/catalogue';
import { calendarDay, daysInMonth, financialYear, financialYearStartYear, wholeMonths } from '@beacon/periods';
import { differenceInCalendarMonths, format, isValid, parseISO } from 'date-fns';

/**
 * Month arithmetic for rolling windows and financial years. The financial year itself comes
 * from @beacon/periods; this file only adds what the progress maths needs on top.
 */

export const iso = (date: Date) => format(date, 'yyyy-MM-dd');

export function day(isoDate: string): Date {
  const date = parseISO(isoDate);
  if (!isValid(date) || !/^\d{4}-\d{2}-\d{2}$/.test(isoDate)) throw new RangeError(`not a date: ${isoDate}`);
  return date;
}

/**
 * Months are counted as integers (year × 12 + month − 1) and written back as text: every status
 * walks a few hundred months, and date-fns' parse and format cost microseconds each.
 */
const monthIndex = (isoDate: string) => {
  const { year, month } = calendarDay(isoDate);
  return year * 12 + month - 1;
};
const keyOf = (index: number) => `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;

/** Progress is measured at month ends (the rolling 12 months, the financial year to date). */
export function assertMonthEnd(isoDate: string): void {
  const { year, month, day: dayOfMonth } = calendarDay(isoDate);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(isoDate) || dayOfMonth !== daysInMonth(year, month)) throw new RangeError(`${isoDate} is not the last day of a month`);
}

/** "2009-03" for any day of March 2009. */
export const monthKey = (isoDate: string) => isoDate.slice(0, 7);

/** The calendar month as a period, from its key. */
export function monthPeriod(key: string): Period {
  const { year, month } = calendarDay(`${key}-01`);
  return { start: `${key}-01`, end: `${key}-${String(daysInMonth(year, month)).padStart(2, '0')}` };
}

/** The keys of the `months` months ending with the month of `endDate`, oldest first. */
export function monthsEnding(endDate: string, months: number): string[] {
  const first = monthIndex(endDate) - months + 1;
  return Array.from({ length: months }, (_, i) => keyOf(first + i));
}

/** The `months` months ending on the month end `endDate`, as a period. */
export function windowEnding(endDate: string, months: number): Period {
  return { start: `${keyOf(monthIndex(endDate) - months + 1)}-01`, end: endDate };
}

/** Month keys a reading's period covers, or undefined if it is not made of whole months. */
export function monthsCovered(period: Period): string[] | undefined {
  const count = wholeMonths(period);
  return count === undefined ? undefined : monthsEnding(period.end, count);
}

export const within = (inner: Period, outer: Period) => inner.start >= outer.start && inner.end <= outer.end;
export const overlaps = (a: Period, b: Period) => a.start <= b.end && b.start <= a.end;

/** Months of the financial year up to and including the month of `date` (April = 1 .. March = 12). */
export function monthsIntoFinancialYear(date: string): number {
  const fy = financialYear(financialYearStartYear(date));
  return differenceInCalendarMonths(day(date), day(fy.start)) + 1;
}

/**
 * The population year for a period: the year whose 30 June (the ONS mid-year estimate) falls
 * in it. Exactly one does in any 12 consecutive months, e.g. 2008 for 2008/09 and for the 12
 * months to November 2008; for a shorter period it is the year its financial year starts in.
 */
export function populationYear(period: Period): number {
  const startYear = day(period.start).getFullYear();
  for (const year of [startYear, startYear + 1]) {
    const midYear = `${year}-06-30`;
    if (midYear >= period.start && midYear <= period.end) return year;
  }
  return financialYearStartYear(period.start);
}

/**
 * The end of the latest period a measure of this frequency should have a reading for by
 * `date` (an older latest reading is overdue), or null for survey waves, which keep no timetable.
 */
export function latestExpectedEnd(frequency: Frequency, date: string): string | null {
  const ends = (months: number[]) => {
    const candidates: string[] = [];
    const { year } = calendarDay(date);
    for (const y of [year - 1, year]) for (const m of months) candidates.push(`${keyOf(y * 12 + m)}-${String(daysInMonth(y, m + 1)).padStart(2, '0')}`);
    return candidates.filter((end) => end <= date).sort().at(-1) ?? null;
  };
  switch (frequency) {
    case 'monthly':
      return ends([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    case 'quarterly':
      return ends([2, 5, 8, 11]);
    case 'tranche':
      return ends([2, 6, 10]);
    case 'annual':
      return ends([2]);
    case 'survey_wave':
      return null;
  }
}

/** What the numerator / denominator is multiplied by to give the value in the unit. */
export function multiplierOf(unit: Unit): number {
  switch (unit) {
    case 'rate_per_1000':
      return 1000;
    case 'rate_per_100000':
      return 100_000;
    case 'percent':
      return 100;
    case 'count':
      return 1;
  }
}

export const isRate = (unit: Unit) => unit === 'rate_per_1000' || unit === 'rate_per_100000';
