import type { Area, Catalogue, Measure, Period } from '@beacon/catalogue';
import { financialYearStartYear, monthEndFrom } from '@beacon/periods';
import {
  type AreaPopulation,
  type AreaScope,
  type DirectionOfTravel,
  directionOfTravel,
  type FinancialYearToDate,
  financialYearToDate,
  type ProgressTarget,
  type RagResult,
  type RollingValue,
  ragAgainstTarget,
  rollingValue,
} from '@beacon/progress';
import type { PopulationOnRecord, ReadingOnRecord, RecordsAsAt, TargetOnRecord } from './records.js';

const monthEndOf = (date: string) => monthEndFrom(date, 0);

/** How far back a status looks: last year's rolling 12 months and the prior year's profile need 24; survey waves may be sparser. */
const LOOK_BACK_MONTHS = 36;

/** The periods a status at `date` reads readings from: the look-back months up to `date`. Nothing earlier bears on it. */
export const lookBackWindow = (date: string): Period => ({ start: `${monthEndFrom(date, -LOOK_BACK_MONTHS).slice(0, 8)}01`, end: date });

/** The target a status was rated against, and whose it is. */
export interface TargetUsed {
  id: string;
  version: number;
  kind: 'value' | 'direction';
  value: number | null;
  direction: 'reduce' | 'increase' | null;
  period: Period;
  source: string;
  recordedAt: string;
  /** Set when the target is the partnership's (or the group measure's), applied here. */
  inheritedFrom: { area: string; measureId: string } | null;
  /** Set when the target's period has ended and no later target has been set. */
  carriedForward: boolean;
  /** Where the baseline came from when the target has none of its own. */
  baseline: { value: number; period: Period; from: 'target' | 'readings' } | null;
}

/** Where a status came from: the readings behind it (return, row, agency, recorded time), the target and the rule. */
export interface Provenance {
  readings: Array<Pick<ReadingOnRecord, 'returnId' | 'row' | 'agency' | 'recordedAt' | 'area' | 'period' | 'value'>>;
  target: TargetUsed | null;
  rule: RagResult['rule'];
  tolerance: RagResult['tolerance'];
}

/** One measure's standing for one area at one month end: the answer to "are we on track, and why?". */
export interface MeasureStatus {
  measureId: string;
  name: string;
  area: string;
  date: string;
  unit: Measure['unit'];
  polarity: Measure['polarity'];
  rolling: RollingValue;
  /** Count and ratio measures only. */
  yearToDate: FinancialYearToDate | null;
  /** The headline RAG: the rolling value's, or the year to date's while the series is too young for 12 months. */
  rag: RagResult;
  ratedOn: 'rolling' | 'year_to_date';
  travel: DirectionOfTravel | null;
  provenance: Provenance;
  notes: string[];
}

export function scopeOf(area: Area): AreaScope {
  return area.kind === 'partnership' ? { id: area.id, members: [...area.members] } : { id: area.id };
}

/** Whether a partnership's target applies to each of its boroughs: a rate, a percentage or a direction does; a count does not. */
const sharesTarget = (measure: Measure, target: TargetOnRecord) => target.kind === 'direction' || measure.unit !== 'count';

/**
 * The target in force for a measure and area at `date`: the latest-starting one whose period has
 * begun, at its highest version recorded. A sub-measure without targets takes its group's; a
 * borough without targets takes its partnership's where that makes sense (`sharesTarget`).
 * A target whose period has ended stays in force until a later one is set ("carried forward").
 */
export function targetInForce(
  catalogue: Catalogue,
  targets: readonly TargetOnRecord[],
  measure: Measure,
  area: Area,
  date: string,
): { target: TargetOnRecord; inheritedFrom: TargetUsed['inheritedFrom'] } | null {
  const byKey = targetsByKey(targets);
  for (const measureId of [measure.id, ...(measure.parent ? [measure.parent] : [])]) {
    for (const areaId of [area.id, ...partnershipsOf(catalogue, area.id)]) {
      const candidates = (byKey.get(`${measureId}|${areaId}`) ?? []).filter((t) => t.period.start <= date && (areaId === area.id || sharesTarget(measure, t)));
      if (candidates.length === 0) continue;
      const target = candidates.reduce((best, t) =>
        t.period.start > best.period.start || (t.period.start === best.period.start && t.version > best.version) ? t : best,
      );
      const inherited = measureId !== measure.id || areaId !== area.id;
      return { target, inheritedFrom: inherited ? { area: areaId, measureId } : null };
    }
  }
  return null;
}

// Lookups built once per set of records (and per catalogue): a summary asks them for every measure.
const targetIndexes = new WeakMap<readonly TargetOnRecord[], Map<string, TargetOnRecord[]>>();
function targetsByKey(targets: readonly TargetOnRecord[]): Map<string, TargetOnRecord[]> {
  let index = targetIndexes.get(targets);
  if (!index) {
    index = new Map();
    for (const t of targets) {
      const key = `${t.measureId}|${t.area}`;
      index.set(key, [...(index.get(key) ?? []), t]);
    }
    targetIndexes.set(targets, index);
  }
  return index;
}

const partnershipIndexes = new WeakMap<Catalogue, Map<string, string[]>>();
function partnershipsOf(catalogue: Catalogue, areaId: string): string[] {
  let index = partnershipIndexes.get(catalogue);
  if (!index) {
    index = new Map();
    for (const a of catalogue.areas) if (a.kind === 'partnership') for (const member of a.members) index.set(member, [...(index.get(member) ?? []), a.id]);
    partnershipIndexes.set(catalogue, index);
  }
  return index.get(areaId) ?? [];
}

const populationIndexes = new WeakMap<readonly PopulationOnRecord[], Map<string, AreaPopulation[]>>();
/** The population figures of an area and its members, in one base. */
function populationsFor(populations: readonly PopulationOnRecord[], base: string, scope: AreaScope): AreaPopulation[] {
  let index = populationIndexes.get(populations);
  if (!index) {
    index = new Map();
    for (const p of populations) {
      const key = `${p.base}|${p.area}`;
      index.set(key, [...(index.get(key) ?? []), { area: p.area, year: p.year, value: p.value, illustrative: p.illustrative }]);
    }
    populationIndexes.set(populations, index);
  }
  return [scope.id, ...(scope.members ?? [])].flatMap((area) => index.get(`${base}|${area}`) ?? []);
}

const asProgressTarget = (t: TargetOnRecord): ProgressTarget => {
  const common = {
    id: t.id,
    version: t.version,
    period: t.period,
    ...(t.baseline && { baseline: t.baseline }),
    ...(t.tolerance && { tolerance: t.tolerance }),
  };
  return t.kind === 'value' ? { ...common, kind: 'value', value: t.value ?? 0 } : { ...common, kind: 'direction', direction: t.direction ?? 'reduce' };
};

/** Everything needed to work out statuses for one area, as at one moment. */
export interface StatusContext {
  catalogue: Catalogue;
  records: RecordsAsAt;
}

/** The readings of a measure for an area's boroughs over the look-back window ending at `date`. */
function readingsFor(records: RecordsAsAt, measure: Measure, scope: AreaScope, date: string): ReadingOnRecord[] {
  const window = lookBackWindow(date);
  return (scope.members ?? [scope.id]).flatMap((member) => records.readings(measure.id, member, window));
}

/**
 * The status of one measure for one area at a month end (spec points 1-6): rolling value with
 * its interval, RAG against the target in force (trajectory, tolerance, significance), the year to
 * date, and direction of travel, with the provenance of every figure.
 */
export function measureStatus(context: StatusContext, measure: Measure, area: Area, date: string): MeasureStatus {
  const { catalogue, records } = context;
  const scope = scopeOf(area);
  const readings = readingsFor(records, measure, scope, date);
  const populations = populationsFor(records.populations, measure.populationBase ?? 'all_ages', scope);
  const rollingAt = (at: string) => rollingValue({ measure, area: scope, date: at, readings, populations });
  const rolling = rollingAt(date);
  const notes: string[] = [];

  const inForce = targetInForce(catalogue, records.targets, measure, area, date);
  let target: TargetUsed | null = null;
  let progressTarget: ProgressTarget | null = null;
  if (inForce) {
    const t = inForce.target;
    // Without a baseline of its own, the outturn of the financial year before this one stands
    // in: the plan's "reduce" means lower than last year, and a trajectory starts from it.
    const lastYearEnd = `${financialYearStartYear(date)}-03-31`;
    const outturn = t.baseline ? null : rollingAt(lastYearEnd);
    const baseline = t.baseline
      ? { ...t.baseline, from: 'target' as const }
      : outturn && outturn.value !== null && outturn.complete && outturn.period
        ? { value: outturn.value, period: outturn.period, from: 'readings' as const }
        : null;
    target = {
      id: t.id,
      version: t.version,
      kind: t.kind,
      value: t.value ?? null,
      direction: t.direction ?? null,
      period: t.period,
      source: t.source,
      recordedAt: t.recordedAt,
      inheritedFrom: inForce.inheritedFrom,
      carriedForward: t.period.end < date,
      baseline,
    };
    progressTarget = asProgressTarget(t);
    if (baseline && !t.baseline) progressTarget = { ...progressTarget, baseline: { value: baseline.value, period: baseline.period } };
    if (target.carriedForward) notes.push(`The ${t.id} target (version ${t.version}) is carried forward: no later target has been set.`);
    if (inForce.inheritedFrom) notes.push(`Rated against ${inForce.inheritedFrom.area}'s target for ${inForce.inheritedFrom.measureId}.`);
  }

  const summable = measure.method === 'count' || measure.method === 'ratio';
  const yearToDate = summable ? financialYearToDate({ measure, area: scope, date, readings, populations, target: progressTarget }) : null;
  let rag = ragAgainstTarget({ measure, target: progressTarget, value: rolling, date });
  let ratedOn: MeasureStatus['ratedOn'] = 'rolling';
  // A series that starts within the last 12 months cannot have a rolling value yet; until it
  // can, the year to date against the pro-rata target is the fairest reading of progress.
  if (rag.rule === 'incomplete' && !rolling.overdue && yearToDate?.complete && yearToDate.rag.status !== 'grey') {
    rag = yearToDate.rag;
    ratedOn = 'year_to_date';
    notes.push('The 12 months are not complete yet, so this is rated on the financial year to date against the pro-rata target.');
  }

  return {
    measureId: measure.id,
    name: measure.name,
    area: area.id,
    date,
    unit: measure.unit,
    polarity: measure.polarity,
    rolling,
    yearToDate,
    rag,
    ratedOn,
    travel: rolling.value === null ? null : travelOf(measure, rolling, rollingAt, readings),
    provenance: {
      readings: (ratedOn === 'rolling' ? rolling.readings : yearToDate?.readings ?? []).map((r) => {
        const { returnId, row, agency, recordedAt, area: readingArea, period, value } = r as ReadingOnRecord;
        return { returnId, row, agency, recordedAt, area: readingArea, period, value };
      }),
      target,
      rule: rag.rule,
      tolerance: rag.tolerance,
    },
    notes,
  };
}

/** Months between reporting periods, for the long trend; survey waves keep no timetable. */
const STEP_MONTHS: Record<Measure['frequency'], number | null> = { monthly: 1, quarterly: 3, tranche: 4, annual: 12, survey_wave: null };

function travelOf(measure: Measure, current: RollingValue, rollingAt: (date: string) => RollingValue, readings: readonly ReadingOnRecord[]): DirectionOfTravel {
  const lastYear = rollingAt(monthEndFrom(current.date, -12));
  const sameWave = lastYear.period && current.period && lastYear.period.start === current.period.start;
  const step = STEP_MONTHS[measure.frequency];
  const previousEnds =
    step === null || measure.method === 'survey'
      ? [...new Set(readings.filter((r) => current.period && r.period.end < current.period.start).map((r) => monthEndOf(r.period.end)))].sort().slice(-4)
      : [1, 2, 3, 4].map((n) => monthEndFrom(current.date, -n * step));
  const previous = previousEnds.map(rollingAt).filter((r) => r.value !== null && r.complete);
  return directionOfTravel({
    polarity: measure.polarity,
    tolerance: measure.tolerance,
    unit: measure.unit,
    current: { value: current.value ?? 0, interval: current.interval },
    sameTimeLastYear: lastYear.value !== null && lastYear.complete && !sameWave ? { value: lastYear.value, interval: lastYear.interval } : null,
    previousFour: previous.length === 4 ? previous.map((r) => ({ value: r.value ?? 0 })) : null,
  });
}
