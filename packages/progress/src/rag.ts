import type { Baseline, Tolerance, Unit } from '@beacon/catalogue';
import { describePeriod } from '@beacon/periods';
import { capitalise, formatDate, formatDifference, formatShare, formatTolerance, formatValue } from './format.js';
import { significantlyDifferent } from './intervals.js';
import type { Interval, ProgressMeasure, ProgressTarget, RagResult, RagStatus, RatedValue, Significance } from './schemas.js';
import { trajectoryFor, trajectoryValueAt } from './trajectory.js';

/**
 * RAG against target (method 4 of the spec; anchor: Safer Derbyshire's published rule):
 * - Green: at or better than the trajectory (a value target with a baseline, before its due
 *   date) or the target value (no baseline, or on/after the due date); polarity-aware.
 * - Amber: worse, by no more than the tolerance band. Relative tolerance: band = tolerance ×
 *   the value compared with (the trajectory point, which is the target value at the due
 *   date; the baseline for a direction target). Absolute tolerance: band in the unit.
 *   A gap exactly on the band is Amber.
 * - Red: worse by more than the band. With redOnlyIfSignificant, a Red whose gap is not
 *   statistically significant (the compared value inside the value's 95% interval) is Amber;
 *   with no interval to test, it stays Red and says so.
 * - Grey: no target; no reading (an overdue return); a direction target with no baseline;
 *   or, unless `incomplete: 'rate'`, a rolling value with months missing.
 * Direction targets ("reduce" / "increase") are rated against the baseline: better = Green,
 * worse within the band = Amber, worse beyond it = Red; which way is better comes from the
 * target's direction.
 */
export interface RagInput {
  measure: ProgressMeasure;
  target: ProgressTarget | null | undefined;
  /** The rolling value (or any value with its interval and completeness). */
  value: RatedValue;
  /** The date rated at (the trajectory is read here). */
  date: string;
  /** Stands in when the target has no baseline (the projector takes it from readings, e.g. last year's outturn). */
  baseline?: Baseline | null;
  /** Months missing but the latest one in: Grey (default) or rate what there is. An overdue return is always Grey. */
  incomplete?: 'grey' | 'rate';
  /** Words for the value and for what it is compared with, where the defaults do not fit (e.g. the year to date). */
  words?: { value?: string; comparator?: string };
}

const EPSILON = 1e-9;

export function ragAgainstTarget(input: RagInput): RagResult {
  const { measure, target, value, date } = input;
  const tolerance: Tolerance = target?.tolerance ?? measure.tolerance;
  const redOnlyIfSignificant = measure.rag.redOnlyIfSignificant;
  const better: 'lower' | 'higher' =
    target?.kind === 'direction' ? (target.direction === 'reduce' ? 'lower' : 'higher') : measure.polarity === 'down' ? 'lower' : 'higher';
  const grey = (rule: RagResult['rule'], reason: string): RagResult => ({
    measureId: measure.id,
    area: value.area,
    date,
    status: 'grey',
    rule,
    unit: measure.unit,
    better,
    value: value.value,
    comparator: null,
    gap: null,
    tolerance: { ...tolerance, band: null, limit: null },
    redOnlyIfSignificant,
    significance: null,
    downgraded: false,
    target: target ? { id: target.id ?? null, version: target.version ?? null, kind: target.kind, period: target.period } : null,
    readings: value.readings ?? [],
    reason: `${reason}: Grey`,
  });

  if (target === null || target === undefined) return grey('no_target', `No target for ${measure.id} in ${value.area}`);
  if (value.value === null || value.overdue === true) return grey('no_reading', noReadingWords(value, date));
  const incompleteNote = value.complete === false ? `Incomplete (no reading for ${missingWords(value)})` : null;
  if (incompleteNote !== null && input.incomplete !== 'rate') return grey('incomplete', incompleteNote);

  // What the value is compared with.
  const baseline = target.baseline ?? input.baseline ?? undefined;
  let comparator: NonNullable<RagResult['comparator']>;
  let comparatorWords: string;
  if (target.kind === 'direction') {
    if (baseline === undefined) return grey('no_baseline', `The target is to ${target.direction} ${measure.id}, but there is no baseline to judge it by`);
    comparator = { kind: 'baseline', value: baseline.value, targetValue: null };
    comparatorWords = `the ${formatValue(baseline.value, measure.unit)} baseline (${describePeriod(baseline.period)}; target: ${target.direction})`;
  } else {
    const trajectory = trajectoryFor(target, baseline);
    if (trajectory !== null && date < trajectory.target.date) {
      const expected = trajectoryValueAt(trajectory, date);
      comparator = { kind: 'trajectory', value: expected, targetValue: target.value };
      comparatorWords = `the trajectory's ${formatValue(expected, measure.unit)} for ${formatDate(date)} (from ${formatValue(trajectory.baseline.value, measure.unit)} at ${formatDate(trajectory.baseline.date)} to the ${formatValue(target.value, measure.unit)} target by ${formatDate(trajectory.target.date)})`;
    } else {
      comparator = { kind: 'target', value: target.value, targetValue: target.value };
      comparatorWords = `the ${formatValue(target.value, measure.unit)} target`;
    }
  }
  if (input.words?.comparator !== undefined) comparatorWords = input.words.comparator;

  // How far worse, and the Amber band.
  const c = comparator.value;
  const v = value.value;
  const worseBy = better === 'lower' ? v - c : c - v;
  const relative = c === 0 ? null : worseBy / Math.abs(c);
  const band = tolerance.type === 'relative' ? tolerance.value * Math.abs(c) : tolerance.value;
  const limit = better === 'lower' ? c + band : c - band;
  const slack = EPSILON * Math.max(1, Math.abs(c));
  const interval = value.interval ?? null;
  const significance: Significance | null = interval === null ? null : { against: c, interval, significant: significantlyDifferent(interval, c) };

  let status: RagStatus = worseBy <= slack ? 'green' : worseBy <= band + slack ? 'amber' : 'red';
  const downgraded = status === 'red' && redOnlyIfSignificant && significance !== null && !significance.significant;
  if (downgraded) status = 'amber';

  // Why, in words.
  const valueWords = input.words?.value ?? formatValue(v, measure.unit);
  const distance = Math.abs(v - c);
  const share = relative === null ? null : formatShare(Math.abs(relative));
  const amount =
    measure.unit === 'percent' || tolerance.type === 'absolute' || share === null
      ? `${formatDifference(distance, measure.unit)}${share === null ? '' : ` (${share})`}`
      : share;
  const position = distance <= slack ? `is at ${comparatorWords}` : `is ${amount} ${v > c ? 'above' : 'below'} ${comparatorWords}`;
  let reason = `${valueWords} ${position}`;
  if (status !== 'green') reason += ` (tolerance ${formatTolerance(tolerance, measure.unit)})`;
  if (status !== 'green' && significance !== null) {
    const bounds = `95% interval ${intervalWords(significance.interval, measure.unit)}`;
    if (downgraded) {
      reason += `, but the gap is not statistically significant (${bounds} includes ${formatValue(c, measure.unit)}) and ${measure.id} is Red only if significant`;
    } else if (significance.significant) {
      reason += `; the gap is statistically significant (${bounds} excludes ${formatValue(c, measure.unit)})`;
    } else {
      reason += `; the gap is not statistically significant (${bounds} includes ${formatValue(c, measure.unit)})`;
    }
  } else if (status === 'red' && redOnlyIfSignificant) {
    reason += '; with no interval, whether the gap is significant could not be tested';
  }
  if (incompleteNote !== null) reason = `${incompleteNote}. ${reason}`;

  return {
    measureId: measure.id,
    area: value.area,
    date,
    status,
    rule: comparator.kind,
    unit: measure.unit,
    better,
    value: v,
    comparator,
    gap: { worseBy, relative },
    tolerance: { ...tolerance, band, limit },
    redOnlyIfSignificant,
    significance,
    downgraded,
    target: { id: target.id ?? null, version: target.version ?? null, kind: target.kind, period: target.period },
    readings: value.readings ?? [],
    reason: `${reason}: ${capitalise(status)}`,
  };
}

export function intervalWords(interval: Interval, unit: Unit): string {
  return unit === 'percent' || unit === 'count'
    ? `${formatValue(interval.lower, unit)} to ${formatValue(interval.upper, unit)}`
    : `${formatValue(interval.lower, 'count')} to ${formatValue(interval.upper, unit)}`;
}

/** "DBC March 2009; GBC February 2009 and March 2009". */
function missingWords(value: RatedValue): string {
  return (value.missing ?? [])
    .filter((m) => m.periods.length > 0)
    .map((m) => `${m.area} ${listWords(m.periods.map(describePeriod))}`)
    .join('; ');
}

function noReadingWords(value: RatedValue, date: string): string {
  // The latest missing period of each area, and how many earlier ones are missing too.
  const missing = (value.missing ?? [])
    .filter((m) => m.periods.length > 0)
    .map((m) => {
      const latest = m.periods.reduce((a, b) => (b.end > a.end ? b : a));
      const earlier = m.periods.length - 1;
      return `${m.area} ${describePeriod(latest)}${earlier > 0 ? ` (and ${earlier} earlier ${earlier === 1 ? 'period' : 'periods'})` : ''}`;
    })
    .join('; ');
  if (value.overdue === true && missing !== '') return `No reading for ${missing} (overdue)`;
  if (value.overdue === true) return `No reading due by ${formatDate(date)} has come in for ${value.area} (overdue)`;
  return `No reading for ${value.area} on or before ${formatDate(date)}`;
}

const listWords = (items: string[]) => (items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`);
