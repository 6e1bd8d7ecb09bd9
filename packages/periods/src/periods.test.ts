import { addDays, addMonths, differenceInCalendarMonths, endOfMonth, format, parseISO } from 'date-fns';
import { describe, expect, it } from 'vitest';
import { checkPeriodFor, describePeriod, financialYear, financialYearLabel, financialYearStartYear, monthEndFrom, shortDate, wholeMonths } from './periods.js';

describe('the financial year', () => {
  it('runs from 1 April to 31 March', () => {
    expect(financialYear(2008)).toEqual({ start: '2008-04-01', end: '2009-03-31' });
    expect(financialYearLabel(2008)).toBe('2008/09');
    expect(financialYearLabel(2099)).toBe('2099/00');
    expect(financialYearStartYear('2009-03-31')).toBe(2008);
    expect(financialYearStartYear('2009-04-01')).toBe(2009);
  });
});

describe('describing periods as the strategy group says them', () => {
  it.each([
    [{ start: '2009-03-01', end: '2009-03-31' }, 'March 2009'],
    [{ start: '2008-04-01', end: '2008-06-30' }, 'Q1 2008/09'],
    [{ start: '2009-01-01', end: '2009-03-31' }, 'Q4 2008/09'],
    [{ start: '2008-12-01', end: '2009-03-31' }, 'tranche 3 2008/09'],
    [{ start: '2008-04-01', end: '2009-03-31' }, '2008/09'],
    [{ start: '2008-09-15', end: '2008-11-20' }, '15 Sep 2008 to 20 Nov 2008'],
  ])('%o is %s', (period, words) => expect(describePeriod(period)).toBe(words));
});

describe("a reading's period against its measure's frequency", () => {
  it('accepts a calendar month for a monthly measure, including February of a leap year', () => {
    expect(checkPeriodFor('monthly', { start: '2008-02-01', end: '2008-02-29' })).toEqual({ ok: true });
  });

  it('refuses a month that does not end on its last day, with an example of the right one', () => {
    expect(checkPeriodFor('monthly', { start: '2008-04-01', end: '2008-04-30' }).ok).toBe(true);
    expect(checkPeriodFor('monthly', { start: '2008-04-01', end: '2008-05-01' })).toEqual({
      ok: false,
      reason: 'this measure is reported monthly, so the period must be one calendar month',
      fix: "use the month's first and last day, e.g. 01/04/2008 to 30/04/2008",
    });
  });

  it('wants financial quarters, not calendar ones shifted by a month', () => {
    expect(checkPeriodFor('quarterly', { start: '2009-01-01', end: '2009-03-31' }).ok).toBe(true);
    const shifted = checkPeriodFor('quarterly', { start: '2008-05-01', end: '2008-07-31' });
    expect(shifted).toMatchObject({ ok: false, fix: "use the quarter's first and last day, e.g. 01/04/2008 to 30/06/2008" });
  });

  it('knows the NI 195 tranches and the financial year', () => {
    expect(checkPeriodFor('tranche', { start: '2008-08-01', end: '2008-11-30' }).ok).toBe(true);
    expect(checkPeriodFor('tranche', { start: '2008-07-01', end: '2008-10-31' }).ok).toBe(false);
    expect(checkPeriodFor('annual', { start: '2008-04-01', end: '2009-03-31' }).ok).toBe(true);
    expect(checkPeriodFor('annual', { start: '2008-01-01', end: '2008-12-31' }).ok).toBe(false);
  });

  it('takes any survey fieldwork period up to two years', () => {
    expect(checkPeriodFor('survey_wave', { start: '2008-09-29', end: '2008-12-19' }).ok).toBe(true);
    expect(checkPeriodFor('survey_wave', { start: '2006-04-01', end: '2008-12-19' }).ok).toBe(false);
  });
});

describe('reading dates digit by digit, as date-fns reads them', () => {
  const iso = (date: Date) => format(date, 'yyyy-MM-dd');
  const fromDateFns = (period: { start: string; end: string }) => {
    const [start, end] = [parseISO(period.start), parseISO(period.end)];
    const months = start.getDate() === 1 && iso(endOfMonth(end)) === period.end ? differenceInCalendarMonths(end, start) + 1 : undefined;
    return { months, startYear: start.getMonth() >= 3 ? start.getFullYear() : start.getFullYear() - 1 };
  };

  it('gives the same whole months and financial years for periods from 1900 to 2099', () => {
    let seed = 1;
    const next = (n: number) => {
      seed = (seed * 48_271) % 2_147_483_647;
      return seed % n;
    };
    for (let i = 0; i < 5_000; i++) {
      const first = new Date(1900 + next(199), next(12), 1);
      // Half the periods run from a month's first day to a month's last, as readings do.
      const start = next(2) === 0 ? first : addDays(first, next(31));
      const end = next(2) === 0 ? endOfMonth(addMonths(start, next(30))) : addDays(start, next(800));
      const period = { start: iso(start), end: iso(end) };
      expect({ months: wholeMonths(period), startYear: financialYearStartYear(period.start) }, `${period.start} to ${period.end}`).toEqual(fromDateFns(period));
    }
  });
});

describe('month ends and short dates without a Date', () => {
  it('counts months as date-fns does, across years and leap years', () => {
    expect(monthEndFrom('2009-03-31', 0)).toBe('2009-03-31');
    expect(monthEndFrom('2009-03-15', -1)).toBe('2009-02-28');
    expect(monthEndFrom('2008-03-01', -1)).toBe('2008-02-29');
    expect(monthEndFrom('2009-03-31', -12)).toBe('2008-03-31');
    expect(monthEndFrom('2008-11-30', 3)).toBe('2009-02-28');
    for (let i = -40; i <= 40; i++) {
      const expected = format(endOfMonth(addMonths(parseISO('2010-01-31'), i)), 'yyyy-MM-dd');
      expect(monthEndFrom('2010-01-31', i), `${i} months`).toBe(expected);
    }
  });

  it("writes a date as date-fns' 'd MMM yyyy'", () => {
    for (let day = 0; day < 800; day += 7) {
      const date = format(addDays(parseISO('2008-01-01'), day), 'yyyy-MM-dd');
      expect(shortDate(date)).toBe(format(parseISO(date), 'd MMM yyyy'));
    }
  });
});
