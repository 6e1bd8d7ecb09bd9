import type { Period, Unit } from '@beacon/catalogue';
import { describePeriod } from '@beacon/periods';
import {
  assertMonthEnd,
  isRate,
  latestExpectedEnd,
  monthPeriod,
  monthsCovered,
  monthsEnding,
  multiplierOf,
  overlaps,
  populationYear,
  windowEnding,
  within,
} from './calendar.js';
import { formatDate } from './format.js';
import { countInterval, proportionInterval } from './intervals.js';
import type { AreaPopulation, AreaScope, Interval, Missing, PopulationUsed, ProgressMeasure, Reading, RollingValue } from './schemas.js';

/**
 * The rolling value of a measure for an area at a month end (method 1 of the spec):
 * - count: the sum of the counts over the 12 months to `date`; for a rate unit divided by the
 *   population of the year (the year whose 30 June falls in the 12 months) × 1,000 or × 100,000.
 * - ratio: the 12-month sums of numerator and denominator, divided (× 100 for percent).
 * - survey: the latest wave ending on or before `date`.
 * - latest: the latest reading ending on or before `date` (it already covers a rolling period).
 *
 * For the partnership (an area with members) the boroughs' numerators and denominators are
 * summed before dividing: never an average of their rates. Readings are taken as the
 * projector holds them: corrections applied (one reading per area and period), cut "as at".
 */
export interface RollingValueInput {
  measure: ProgressMeasure;
  area: AreaScope;
  /** A month end: the rolling value "at March 2009" is at 2009-03-31. */
  date: string;
  /** Readings of this measure (any others are ignored when they name their measure). */
  readings: readonly Reading[];
  /** Population figures in the measure's population base; needed for rate units of the count method. */
  populations?: readonly AreaPopulation[];
}

export function rollingValue(input: RollingValueInput): RollingValue {
  assertMonthEnd(input.date);
  switch (input.measure.method) {
    case 'count':
    case 'ratio':
      return summedOver(input, windowEnding(input.date, 12));
    case 'survey':
      return latestSnapshot(input, null);
    case 'latest':
      return latestSnapshot(input, latestExpectedEnd(input.measure.frequency, input.date));
  }
}

export const membersOf = (area: AreaScope) => area.members ?? [area.id];

const ofMeasure = (measure: ProgressMeasure) => (reading: Reading) => reading.measureId === undefined || reading.measureId === measure.id;

// ---------------------------------------------------------------------------
// Sums over whole months (count and ratio methods; also the financial year to date)
// ---------------------------------------------------------------------------

export interface MonthlySums {
  period: Period;
  /** count: the summed counts; ratio: the summed numerators. */
  numerator: number;
  /** ratio: the summed denominators; count: 0. */
  denominator: number;
  readings: Reading[];
  missing: Missing;
  complete: boolean;
  /** Some member has no reading for the last month of the period. */
  overdue: boolean;
  notes: string[];
}

/**
 * Sum a measure's readings over the whole months of `period`, for each member of the area.
 * A reading counts when its period is whole months inside `period` (monthly, quarterly and
 * tranche readings all do); ratio readings need both numerator and denominator.
 */
export function sumMonths(measure: ProgressMeasure, area: AreaScope, readings: readonly Reading[], period: Period): MonthlySums {
  const months = monthsEnding(period.end, monthsCovered(period)?.length ?? 0);
  const lastMonth = months.at(-1);
  const sums: MonthlySums = { period, numerator: 0, denominator: 0, readings: [], missing: [], complete: true, overdue: false, notes: [] };
  for (const member of membersOf(area)) {
    const covered = new Map<string, Reading>();
    for (const reading of readings.filter(ofMeasure(measure))) {
      if (reading.area !== member || !overlaps(reading.period, period)) continue;
      const readingMonths = monthsCovered(reading.period);
      const label = () => `${member} ${describePeriod(reading.period)}`;
      if (readingMonths === undefined || !within(reading.period, period)) {
        sums.notes.push(`the reading for ${label()} is not whole months within ${describePeriod(period)}, so it is left out`);
        continue;
      }
      if (measure.method === 'ratio' && (reading.numerator === undefined || reading.denominator === undefined)) {
        sums.notes.push(`the reading for ${label()} has no numerator and denominator, so it is left out`);
        continue;
      }
      for (const month of readingMonths) {
        const other = covered.get(month);
        if (other !== undefined) {
          throw new RangeError(
            `two readings of ${measure.id} for ${member} cover ${describePeriod(monthPeriod(month))} (${describePeriod(other.period)} and ${describePeriod(reading.period)}): corrections must be applied before progress is worked out`,
          );
        }
        covered.set(month, reading);
      }
      sums.readings.push(reading);
      if (measure.method === 'ratio') {
        sums.numerator += reading.numerator ?? 0;
        sums.denominator += reading.denominator ?? 0;
      } else {
        sums.numerator += reading.value;
      }
    }
    const absent = months.filter((month) => !covered.has(month));
    if (absent.length > 0) {
      sums.complete = false;
      sums.missing.push({ area: member, periods: absent.map(monthPeriod) });
      if (lastMonth !== undefined && absent.includes(lastMonth)) sums.overdue = true;
    }
  }
  return sums;
}

/**
 * The population that divides a count for `year`: the boroughs' figures summed, or the
 * partnership's own figure when a borough's is missing. The year's own figure is preferred;
 * failing that, the latest earlier one stands in (ONS estimates come out a year late) and
 * the result says so.
 */
export function populationFor(area: AreaScope, year: number, populations: readonly AreaPopulation[]): PopulationUsed | null {
  const figureFor = (id: string) => {
    const own = populations.filter((p) => p.area === id && p.year <= year).sort((a, b) => b.year - a.year);
    return own[0];
  };
  const used = (figures: AreaPopulation[]): PopulationUsed => ({
    value: figures.reduce((total, f) => total + f.value, 0),
    year,
    figures,
    earlierYear: figures.some((f) => f.year !== year),
    illustrative: figures.some((f) => f.illustrative === true),
  });
  const candidates: PopulationUsed[] = [];
  const memberFigures = membersOf(area).map(figureFor);
  if (memberFigures.every((f) => f !== undefined)) candidates.push(used(memberFigures as AreaPopulation[]));
  if (area.members !== undefined) {
    const own = figureFor(area.id);
    if (own !== undefined) candidates.push(used([own]));
  }
  return candidates.find((c) => !c.earlierYear) ?? candidates[0] ?? null;
}

function summedOver(input: RollingValueInput, period: Period): RollingValue {
  const { measure, area, date } = input;
  const sums = sumMonths(measure, area, input.readings, period);
  const base = {
    measureId: measure.id,
    area: area.id,
    members: membersOf(area),
    date,
    method: measure.method,
    unit: measure.unit,
    period,
    complete: sums.complete,
    overdue: sums.overdue,
    missing: sums.missing,
    readings: sums.readings,
    notes: sums.notes,
    sampleSize: null,
  };
  const none = { ...base, value: null, numerator: null, denominator: null, population: null, interval: null };
  if (sums.readings.length === 0) return { ...none, notes: [...sums.notes, `no readings in ${describePeriod(period)}`] };

  if (measure.method === 'ratio') {
    const multiplier = multiplierOf(measure.unit);
    if (sums.denominator === 0) return { ...none, notes: [...sums.notes, 'the denominators sum to 0'] };
    return {
      ...base,
      value: (sums.numerator / sums.denominator) * multiplier,
      numerator: sums.numerator,
      denominator: sums.denominator,
      population: null,
      interval: ratioInterval(measure.unit, sums.numerator, sums.denominator),
    };
  }
  return { ...base, ...countValue(measure, area, sums.numerator, populationYear(period), input.populations ?? [], base.notes) };
}

/** A summed count as the measure's unit: the count itself, or a rate on the year's population. */
export function countValue(
  measure: ProgressMeasure,
  area: AreaScope,
  count: number,
  year: number,
  populations: readonly AreaPopulation[],
  notes: string[],
): Pick<RollingValue, 'value' | 'numerator' | 'denominator' | 'population' | 'interval' | 'notes'> {
  if (measure.unit === 'percent') throw new RangeError(`${measure.id}: a count measure cannot be in percent; use the ratio method`);
  if (measure.unit === 'count') return { value: count, numerator: count, denominator: null, population: null, interval: countInterval(count), notes };
  const population = populationFor(area, year, populations);
  if (population === null) {
    return { value: null, numerator: count, denominator: null, population: null, interval: null, notes: [...notes, `no population of ${area.id} for ${year} or earlier`] };
  }
  const multiplier = multiplierOf(measure.unit);
  const extra = population.earlierYear
    ? [`no population of ${area.id} for ${year}: the ${population.figures.map((f) => `${f.area} ${f.year}`).join(', ')} figure stands in`]
    : [];
  return {
    value: (count / population.value) * multiplier,
    numerator: count,
    denominator: population.value,
    population,
    interval: countInterval(count, population.value, multiplier),
    notes: [...notes, ...extra],
  };
}

/** Wilson for a percentage; Byar on the numerator for a rate; none for a plain ratio. */
export function ratioInterval(unit: Unit, numerator: number, denominator: number): Interval | null {
  if (denominator <= 0) return null;
  if (unit === 'percent') return numerator <= denominator ? proportionInterval(numerator, denominator, 100) : null;
  if (isRate(unit)) return countInterval(numerator, denominator, multiplierOf(unit));
  return null;
}

// ---------------------------------------------------------------------------
// The latest wave or reading (survey and latest methods)
// ---------------------------------------------------------------------------

const later = (a: Reading, b: Reading) => (a.period.end !== b.period.end ? a.period.end > b.period.end : a.period.start > b.period.start);
const samePeriod = (a: Period, b: Period) => a.start === b.start && a.end === b.end;

function latestSnapshot(input: RollingValueInput, expectedEnd: string | null): RollingValue {
  const { measure, area, date } = input;
  const members = membersOf(area);
  const latestOf = (member: string) =>
    input.readings
      .filter(ofMeasure(measure))
      .filter((r) => r.area === member && r.period.end <= date)
      .reduce<Reading | undefined>((best, r) => (best === undefined || later(r, best) ? r : best), undefined);
  const latest = members.map(latestOf);
  const newest = latest.reduce<Reading | undefined>((best, r) => (r !== undefined && (best === undefined || later(r, best)) ? r : best), undefined);
  const what = measure.method === 'survey' ? 'survey wave' : 'reading';
  const base = { measureId: measure.id, area: area.id, members, date, method: measure.method, unit: measure.unit, population: null };

  if (newest === undefined) {
    return {
      ...base,
      period: null,
      value: null,
      numerator: null,
      denominator: null,
      sampleSize: null,
      interval: null,
      complete: false,
      overdue: expectedEnd !== null,
      missing: members.map((member) => ({ area: member, periods: [] })),
      readings: [],
      notes: [`no ${what} ending on or before ${formatDate(date)}`],
    };
  }
  const period = newest.period;
  const used: Reading[] = [];
  const missing: Missing = [];
  members.forEach((member, i) => {
    const reading = latest[i];
    if (reading !== undefined && samePeriod(reading.period, period)) used.push(reading);
    else missing.push({ area: member, periods: [period] });
  });
  const notes = missing.map((m) => `no ${what} for ${m.area} for ${describePeriod(period)}`);
  const overdue = expectedEnd !== null && latest.some((r) => r === undefined || r.period.end < expectedEnd);
  if (overdue && expectedEnd !== null) notes.push(`a reading ending ${formatDate(expectedEnd)} is due by ${formatDate(date)}`);
  const combined = combine(measure.unit, used);
  if (combined.note !== undefined) notes.push(combined.note);
  return {
    ...base,
    period,
    value: combined.value,
    numerator: combined.numerator,
    denominator: combined.denominator,
    sampleSize: combined.sampleSize,
    interval: combined.interval,
    complete: missing.length === 0 && !overdue,
    overdue,
    missing,
    readings: used,
    notes,
  };
}

interface Combined {
  value: number | null;
  numerator: number | null;
  denominator: number | null;
  sampleSize: number | null;
  interval: Interval | null;
  note?: string;
}

/**
 * One value from the members' readings for the same period: a count unit sums; otherwise the
 * numerators and denominators are summed, or (surveys) the percentages are weighted by
 * sample size, which is the same as summing respondents "yes" and respondents.
 */
function combine(unit: Unit, readings: Reading[]): Combined {
  const [only] = readings;
  if (only === undefined) return { value: null, numerator: null, denominator: null, sampleSize: null, interval: null };
  const multiplier = multiplierOf(unit);
  if (unit === 'count') {
    const count = readings.reduce((total, r) => total + r.value, 0);
    return { value: count, numerator: count, denominator: null, sampleSize: null, interval: countInterval(count) };
  }
  if (readings.every((r) => r.numerator !== undefined && r.denominator !== undefined)) {
    const numerator = readings.reduce((total, r) => total + (r.numerator ?? 0), 0);
    const denominator = readings.reduce((total, r) => total + (r.denominator ?? 0), 0);
    const value = readings.length === 1 ? only.value : (numerator / denominator) * multiplier;
    const sampleSize = readings.every((r) => r.sampleSize !== undefined) ? readings.reduce((t, r) => t + (r.sampleSize ?? 0), 0) : null;
    return { value, numerator, denominator, sampleSize, interval: ratioInterval(unit, numerator, denominator) };
  }
  if (unit === 'percent' && readings.every((r) => r.sampleSize !== undefined)) {
    const sampleSize = readings.reduce((total, r) => total + (r.sampleSize ?? 0), 0);
    const successes = readings.reduce((total, r) => total + (r.value / 100) * (r.sampleSize ?? 0), 0);
    const value = readings.length === 1 ? only.value : (successes / sampleSize) * 100;
    const interval = successes >= 0 && successes <= sampleSize ? proportionInterval(successes, sampleSize, 100) : null;
    return { value, numerator: successes, denominator: sampleSize, sampleSize, interval };
  }
  if (readings.length === 1) {
    return { value: only.value, numerator: null, denominator: null, sampleSize: null, interval: null, note: 'no numerator, denominator or sample size, so no interval' };
  }
  return {
    value: null,
    numerator: null,
    denominator: null,
    sampleSize: null,
    interval: null,
    note: `the boroughs' readings cannot be combined without numerators and denominators (or sample sizes): rates are never averaged`,
  };
}
