import type { Baseline, Period } from '@beacon/catalogue';
import { financialYear, financialYearLabel, financialYearStartYear } from '@beacon/periods';
import { addMonths, endOfMonth } from 'date-fns';
import { assertMonthEnd, day, iso, monthsIntoFinancialYear, multiplierOf } from './calendar.js';
import { formatValue } from './format.js';
import { scaleInterval } from './intervals.js';
import { ragAgainstTarget } from './rag.js';
import { countValue, populationFor, ratioInterval, type RollingValueInput, sumMonths } from './rolling.js';
import type { FinancialYearToDate, Forecast, ForecastOutturn, ProgressMeasure, ProgressTarget } from './schemas.js';

/**
 * The financial year to date (method 2 of the spec), for count and ratio measures: the sums
 * from 1 April to the month end `date`, against the pro-rata annual target.
 *
 * - count unit: the count so far against months/12 of the annual target
 *   (8 months in: 8/12 of it).
 * - rate unit: the rate so far is annualised (× 12/months) and compared with the annual
 *   target as it stands. This is the same test as "the rate so far against months/12 of the
 *   target", but keeps the figure in the target's own words (per 1,000 a year). The
 *   population is that of the year the financial year starts in (its 30 June is the ONS
 *   mid-year estimate).
 * - percent (ratio): the ratio of the sums so far against the target itself (a percentage is
 *   not pro-rated).
 * A direction target is pro-rated the same way from its baseline.
 *
 * Survey and latest measures have no year to date (their progress is their latest value):
 * asking for one is an error.
 */
export interface YearToDateInput extends RollingValueInput {
  target?: ProgressTarget | null;
  /** Stands in when a direction target has no baseline. */
  baseline?: Baseline | null;
  incomplete?: 'grey' | 'rate';
}

function assertSummable(measure: ProgressMeasure, what: string): void {
  if (measure.method !== 'count' && measure.method !== 'ratio') {
    throw new RangeError(`${measure.id}: a ${what} is worked out for count and ratio measures, not ${measure.method} ones`);
  }
}

const yearToDatePeriod = (date: string): Period => ({ start: financialYear(financialYearStartYear(date)).start, end: date });

export function financialYearToDate(input: YearToDateInput): FinancialYearToDate {
  const { measure, area, date } = input;
  assertMonthEnd(date);
  assertSummable(measure, 'financial year to date');
  const startYear = financialYearStartYear(date);
  const period = yearToDatePeriod(date);
  const months = monthsIntoFinancialYear(date);
  const sums = sumMonths(measure, area, input.readings, period);
  const notes = [...sums.notes];
  const annualise = 12 / months;
  const multiplier = multiplierOf(measure.unit);

  let value: number | null = null;
  let numerator: number | null = null;
  let denominator: number | null = null;
  let population: FinancialYearToDate['population'] = null;
  let interval: FinancialYearToDate['interval'] = null;
  let proRata: (annual: number) => number;
  let basis: string;
  const fraction = `${months}/12`;

  if (measure.method === 'ratio') {
    proRata = (annual) => annual;
    basis = `the ratio of the sums since 1 April against the target itself (a ${measure.unit === 'percent' ? 'percentage' : 'ratio'} is not pro-rated)`;
    if (sums.readings.length > 0 && sums.denominator > 0) {
      numerator = sums.numerator;
      denominator = sums.denominator;
      value = (sums.numerator / sums.denominator) * multiplier;
      interval = ratioInterval(measure.unit, sums.numerator, sums.denominator);
    }
  } else if (measure.unit === 'count') {
    proRata = (annual) => (annual * months) / 12;
    basis = `the count since 1 April against ${fraction} of the annual figure`;
    if (sums.readings.length > 0) {
      const counted = countValue(measure, area, sums.numerator, startYear, [], []);
      ({ value, numerator, interval } = counted);
    }
  } else {
    proRata = (annual) => annual;
    basis = `the rate since 1 April annualised (× 12/${months}) against the annual figure, the same test as the rate so far against ${fraction} of it`;
    if (sums.readings.length > 0) {
      const counted = countValue(measure, area, sums.numerator, startYear, input.populations ?? [], []);
      notes.push(...counted.notes);
      numerator = counted.numerator;
      denominator = counted.denominator;
      population = counted.population;
      value = counted.value === null ? null : counted.value * annualise;
      interval = counted.interval === null ? null : scaleInterval(counted.interval, annualise);
    }
  }

  // The target (or the direction target's baseline) pro-rated, and the rating against it.
  const target = input.target ?? null;
  const baseline = target?.baseline ?? input.baseline ?? null;
  const annualTarget = target === null ? null : target.kind === 'value' ? target.value : (baseline?.value ?? null);
  const proRataTarget = annualTarget === null ? null : proRata(annualTarget);
  let ragTarget: ProgressTarget | null = null;
  if (target !== null) {
    const common = { id: target.id, version: target.version, period: target.period, tolerance: target.tolerance };
    ragTarget =
      target.kind === 'value'
        ? { ...common, kind: 'value', value: proRataTarget ?? target.value }
        : { ...common, kind: 'direction', direction: target.direction, baseline: baseline === null || proRataTarget === null ? undefined : { ...baseline, value: proRataTarget } };
  }
  const label = measure.unit === 'count' ? ` (${fraction} of ${annualTarget === null ? '' : formatValue(annualTarget, measure.unit)})` : '';
  const comparatorNoun = target?.kind === 'direction' ? 'baseline' : 'target';
  const words =
    proRataTarget === null
      ? undefined
      : {
          value: `${formatValue(value ?? 0, measure.unit)}${measure.method === 'count' && measure.unit !== 'count' ? ' a year' : ''} in ${financialYearLabel(startYear)} to date`,
          comparator: `the ${measure.unit === 'count' ? 'pro-rata ' : ''}${formatValue(proRataTarget, measure.unit)} ${comparatorNoun}${label}`,
        };
  const rag = ragAgainstTarget({
    measure,
    target: ragTarget,
    value: { area: area.id, value, interval, complete: sums.complete, overdue: sums.overdue, missing: sums.missing, readings: sums.readings },
    date,
    incomplete: input.incomplete,
    words,
  });

  return {
    measureId: measure.id,
    area: area.id,
    date,
    financialYear: financialYearLabel(startYear),
    period,
    months,
    value,
    basis,
    numerator,
    denominator,
    population,
    interval,
    annualTarget,
    proRataTarget,
    complete: sums.complete,
    overdue: sums.overdue,
    missing: sums.missing,
    readings: sums.readings,
    rag,
    notes,
  };
}

/**
 * The forecast outturn for 31 March (method 2 of the spec), for count and ratio measures:
 * - straight line: the sums so far × 12/months (1,800 in 8 months → 2,700);
 * - seasonal: the sums so far divided by the share of last year's total that fell in the
 *   same months (last year's monthly profile), only when last year has a reading for every
 *   month for every member. A ratio profiles its numerator and denominator separately.
 * A rate unit divides the forecast count by the population of the financial year.
 */
export function forecastOutturn(input: RollingValueInput): ForecastOutturn {
  const { measure, area, date } = input;
  assertMonthEnd(date);
  assertSummable(measure, 'forecast outturn');
  const startYear = financialYearStartYear(date);
  const months = monthsIntoFinancialYear(date);
  const current = sumMonths(measure, area, input.readings, yearToDatePeriod(date));
  const priorYear = financialYear(startYear - 1);
  const prior = sumMonths(measure, area, input.readings, priorYear);
  const priorSoFar = sumMonths(measure, area, input.readings, { start: priorYear.start, end: iso(endOfMonth(addMonths(day(date), -12))) });
  const notes = [...current.notes];
  if (!current.complete) notes.push('the year so far has months missing, so both forecasts understate');

  const multiplier = multiplierOf(measure.unit);
  const population = measure.method === 'count' && measure.unit !== 'count' ? populationFor(area, startYear, input.populations ?? []) : null;
  if (measure.method === 'count' && measure.unit !== 'count' && population === null) notes.push(`no population of ${area.id} for ${startYear} or earlier`);

  const inUnit = (numerator: number, denominator: number | null): number | null => {
    if (measure.method === 'ratio') return denominator === null || denominator === 0 ? null : (numerator / denominator) * multiplier;
    if (measure.unit === 'count') return numerator;
    return population === null ? null : (numerator / population.value) * multiplier;
  };
  const forecast = (share: number, shareOfDenominator: number | null, method: string): Forecast | null => {
    const numerator = current.numerator / share;
    const denominator = measure.method === 'ratio' && shareOfDenominator !== null ? current.denominator / shareOfDenominator : null;
    const value = inUnit(numerator, denominator);
    return value === null ? null : { value, numerator, denominator, shareOfYear: share, shareOfDenominator, method };
  };

  const hasYearToDate = current.readings.length > 0;
  const straightLine = hasYearToDate ? forecast(months / 12, measure.method === 'ratio' ? months / 12 : null, `straight line: the ${months} months so far × 12/${months}`) : null;

  let seasonal: Forecast | null = null;
  if (!hasYearToDate) {
    notes.push('no readings since 1 April, so no forecast');
  } else if (!prior.complete) {
    notes.push(`no seasonal forecast: ${financialYearLabel(startYear - 1)} does not have a reading for every month`);
  } else {
    const share = prior.numerator > 0 ? priorSoFar.numerator / prior.numerator : 0;
    const shareOfDenominator = measure.method === 'ratio' ? (prior.denominator > 0 ? priorSoFar.denominator / prior.denominator : 0) : null;
    if (share <= 0 || (shareOfDenominator !== null && shareOfDenominator <= 0)) {
      notes.push(`no seasonal forecast: the same months of ${financialYearLabel(startYear - 1)} carried none of its total`);
    } else {
      seasonal = forecast(
        share,
        shareOfDenominator,
        `seasonal: the months so far carried ${(share * 100).toFixed(1)}% of ${financialYearLabel(startYear - 1)}'s total, so the year so far ÷ ${share.toFixed(4)}`,
      );
    }
  }

  return {
    measureId: measure.id,
    area: area.id,
    date,
    financialYear: financialYearLabel(startYear),
    outturnDate: financialYear(startYear).end,
    months,
    yearToDate: hasYearToDate ? { numerator: current.numerator, denominator: measure.method === 'ratio' ? current.denominator : null } : null,
    straightLine,
    seasonal,
    priorYear: { financialYear: financialYearLabel(startYear - 1), complete: prior.complete, readings: prior.readings },
    population,
    complete: current.complete,
    readings: current.readings,
    notes,
  };
}
