import type { Frequency, Period } from '@beacon/catalogue';
import { addMonths, endOfMonth, format, isValid, parseISO } from 'date-fns';

/**
 * The partnership's calendar: the UK local-government financial year runs 1 April to 31 March
 * (2008/09 = 2008-04-01..2009-03-31), with quarters Q1 Apr-Jun .. Q4 Jan-Mar, and NI 195's
 * cleanliness surveys in three four-month tranches (Apr-Jul, Aug-Nov, Dec-Mar).
 */

const day = (isoDate: string) => {
  const date = parseISO(isoDate);
  if (!isValid(date)) throw new RangeError(`not a date: ${isoDate}`);
  return date;
};

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
/** Days in a month (1-12) of a year, leap years included. */
export const daysInMonth = (year: number, month: number) =>
  month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);

const PLAIN_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A month as people ask for one in a query or a form: "2009-03". */
export const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
/** What to write instead of a month that is not one. */
export const MONTH_HINT = 'write a month as YYYY-MM, e.g. 2009-03';

/** The two digits of `text` at `at` as a number. */
const twoDigits = (text: string, at: number) => (text.charCodeAt(at) - 48) * 10 + text.charCodeAt(at + 1) - 48;

/**
 * Year, month (1-12) and day of a date. Return intake checks every row's period, so a plain
 * yyyy-mm-dd is read digit by digit (parseISO and date-fns cost ~3 µs a row); anything else
 * goes through parseISO, as before.
 */
export function calendarDay(isoDate: string): { year: number; month: number; day: number } {
  if (PLAIN_DATE.test(isoDate)) {
    const year = twoDigits(isoDate, 0) * 100 + twoDigits(isoDate, 2);
    const month = twoDigits(isoDate, 5);
    const dayOfMonth = twoDigits(isoDate, 8);
    if (month >= 1 && month <= 12 && dayOfMonth >= 1 && dayOfMonth <= daysInMonth(year, month)) return { year, month, day: dayOfMonth };
  }
  const date = day(isoDate);
  return { year: date.getFullYear(), month: date.getMonth() + 1, day: date.getDate() };
}

/**
 * The last day of the month `months` months from the month of `isoDate` (0: its own month; -12:
 * the same month last year), counted as integers: reports ask it thousands of times.
 */
export function monthEndFrom(isoDate: string, months = 0): string {
  const { year, month } = calendarDay(isoDate);
  const index = year * 12 + month - 1 + months;
  const y = Math.floor(index / 12);
  const m = (index % 12) + 1;
  return `${y}-${String(m).padStart(2, '0')}-${String(daysInMonth(y, m)).padStart(2, '0')}`;
}

const MONTH_ABBREVIATIONS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** 2009-04-15 → "15 Apr 2009", as date-fns' 'd MMM yyyy' writes it, without a Date. */
export function shortDate(isoDate: string): string {
  const { year, month, day: dayOfMonth } = calendarDay(isoDate);
  return `${dayOfMonth} ${MONTH_ABBREVIATIONS[month - 1]} ${year}`;
}

/** A date as officers write it in returns, day first: 2008-04-01 → 01/04/2008. */
export const ukDate = (isoDate: string) => format(day(isoDate), 'dd/MM/yyyy');

/** Label of a financial year by the year it starts in: 2008 → "2008/09". */
export const financialYearLabel = (startYear: number) => `${startYear}/${String((startYear + 1) % 100).padStart(2, '0')}`;

/** The year (April) in which the financial year holding this date starts. */
export const financialYearStartYear = (isoDate: string) => {
  const { year, month } = calendarDay(isoDate);
  return month >= 4 ? year : year - 1;
};

export const financialYear = (startYear: number): Period => ({ start: `${startYear}-04-01`, end: `${startYear + 1}-03-31` });

/** Whole months from the start of `period` to its end, e.g. 3 for a quarter; undefined if it does not span whole months. */
export function wholeMonths(period: Period): number | undefined {
  const start = calendarDay(period.start);
  const end = calendarDay(period.end);
  if (start.day !== 1 || end.day !== daysInMonth(end.year, end.month)) return undefined;
  return calendarMonthsBetween(start, end) + 1;
}

/** As date-fns differenceInCalendarMonths(end, start). */
const calendarMonthsBetween = (start: { year: number; month: number }, end: { year: number; month: number }) =>
  (end.year - start.year) * 12 + end.month - start.month;

/** Month of the financial year the period starts in: April = 0 .. March = 11. */
const monthOfFinancialYear = (isoDate: string) => (calendarDay(isoDate).month + 8) % 12;

export const isCalendarMonth = (period: Period) => wholeMonths(period) === 1;
export const isFinancialQuarter = (period: Period) => wholeMonths(period) === 3 && monthOfFinancialYear(period.start) % 3 === 0;
export const isTranche = (period: Period) => wholeMonths(period) === 4 && monthOfFinancialYear(period.start) % 4 === 0;
export const isFinancialYear = (period: Period) => wholeMonths(period) === 12 && monthOfFinancialYear(period.start) === 0;

/** "March 2009", "Q4 2008/09", "tranche 3 2008/09", "2008/09", or the dates themselves. */
export function describePeriod(period: Period): string {
  const fy = financialYearLabel(financialYearStartYear(period.start));
  if (isCalendarMonth(period)) return format(day(period.start), 'MMMM yyyy');
  if (isFinancialQuarter(period)) return `Q${monthOfFinancialYear(period.start) / 3 + 1} ${fy}`;
  if (isTranche(period)) return `tranche ${monthOfFinancialYear(period.start) / 4 + 1} ${fy}`;
  if (isFinancialYear(period)) return fy;
  return `${format(day(period.start), 'd MMM yyyy')} to ${format(day(period.end), 'd MMM yyyy')}`;
}

export type PeriodCheck = { ok: true } | { ok: false; reason: string; fix: string };

const monthExample = (start: string) => {
  const first = day(start);
  return `${format(first, '01/MM/yyyy')} to ${format(endOfMonth(first), 'dd/MM/yyyy')}`;
};
const quarterExample = (start: string) => {
  const fyStart = new Date(financialYearStartYear(start), 3, 1);
  const quarterStart = addMonths(fyStart, Math.floor(monthOfFinancialYear(start) / 3) * 3);
  return `${format(quarterStart, 'dd/MM/yyyy')} to ${format(endOfMonth(addMonths(quarterStart, 2)), 'dd/MM/yyyy')}`;
};

/** Whether a reading's period is the kind its measure is reported for (an overdue return is judged by the same rule). */
export function checkPeriodFor(frequency: Frequency, period: Period): PeriodCheck {
  switch (frequency) {
    case 'monthly':
      return isCalendarMonth(period)
        ? { ok: true }
        : { ok: false, reason: 'this measure is reported monthly, so the period must be one calendar month', fix: `use the month's first and last day, e.g. ${monthExample(period.start)}` };
    case 'quarterly':
      return isFinancialQuarter(period)
        ? { ok: true }
        : {
            ok: false,
            reason: 'this measure is reported quarterly, so the period must be a financial quarter (Apr-Jun, Jul-Sep, Oct-Dec, Jan-Mar)',
            fix: `use the quarter's first and last day, e.g. ${quarterExample(period.start)}`,
          };
    case 'tranche':
      return isTranche(period)
        ? { ok: true }
        : { ok: false, reason: 'this measure is surveyed in tranches, so the period must be Apr-Jul, Aug-Nov or Dec-Mar', fix: 'use the tranche\'s first and last day, e.g. 01/04/2008 to 31/07/2008' };
    case 'annual':
      return isFinancialYear(period)
        ? { ok: true }
        : { ok: false, reason: 'this measure is reported yearly, so the period must be a financial year (1 April to 31 March)', fix: 'use e.g. 01/04/2008 to 31/03/2009' };
    case 'survey_wave': {
      // A wave is whatever fieldwork period the survey had, but never longer than the Place Survey's two years.
      const months = calendarMonthsBetween(calendarDay(period.start), calendarDay(period.end)) + 1;
      return months <= 24
        ? { ok: true }
        : { ok: false, reason: 'a survey wave covers its fieldwork period, at most two years', fix: 'give the fieldwork start and end dates of the wave' };
    }
  }
}


