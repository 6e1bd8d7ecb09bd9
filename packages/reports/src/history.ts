import type { Catalogue } from '@beacon/catalogue';
import { type ForecastOutturn, forecastOutturn, type Interval, type RagStatus, trajectoryFor, trajectoryValueAt } from '@beacon/progress';
import { type MeasureStatus, measureStatus, scopeOf } from './measure-status.js';
import { monthEndFrom } from '@beacon/periods';
import type { ReadingOnRecord, RecordsAsAt } from './records.js';

/** One month end of a measure's history: what a chart plots. */
export interface HistoryPoint {
  date: string;
  value: number | null;
  interval: Interval | null;
  status: RagStatus;
  ratedOn: MeasureStatus['ratedOn'];
  /** The target's value (or the baseline a direction target is judged against). */
  target: number | null;
  /** Where the trajectory from baseline to target stood at this date. */
  trajectory: number | null;
  complete: boolean;
  reason: string;
}

export interface MeasureHistory {
  measureId: string;
  name: string;
  area: string;
  unit: string;
  polarity: string;
  asAt: string | null;
  points: HistoryPoint[];
  /** The readings in force over the months shown, with their provenance. */
  readings: ReadingOnRecord[];
  /** The status at the last month, in full (provenance, year to date, direction of travel). */
  latest: MeasureStatus;
  /** Count and ratio measures: the forecast outturn for 31 March from the last month. */
  forecast: ForecastOutturn | null;
}

/** Month ends from `from` to `to` inclusive. */
export function monthEnds(from: string, to: string): string[] {
  const ends: string[] = [];
  for (let date = monthEndFrom(from, 0); date <= to; date = monthEndFrom(date, 1)) ends.push(date);
  return ends;
}

/** One measure's history for an area, month by month, with target, trajectory, interval and RAG at each month end. */
export function measureHistory(input: { catalogue: Catalogue; records: RecordsAsAt; measureId: string; area: string; from: string; to: string }): MeasureHistory {
  const { catalogue, records } = input;
  const measure = catalogue.measureById(input.measureId)?.measure;
  const area = catalogue.area(input.area);
  if (!measure) throw new RangeError(`unknown measure "${input.measureId}"`);
  if (!area) throw new RangeError(`unknown area "${input.area}"`);
  const dates = monthEnds(input.from, input.to);
  if (dates.length === 0) throw new RangeError(`no month ends from ${input.from} to ${input.to}`);
  const statuses = dates.map((date) => measureStatus({ catalogue, records }, measure, area, date));
  const points = statuses.map((s): HistoryPoint => {
    const target = s.provenance.target;
    const trajectory =
      target?.kind === 'value' && target.value !== null && target.baseline
        ? trajectoryFor({ kind: 'value', value: target.value, period: target.period, baseline: target.baseline })
        : null;
    const rated = s.ratedOn === 'rolling' ? s.rolling : s.yearToDate;
    return {
      date: s.date,
      value: rated?.value ?? null,
      interval: rated?.interval ?? null,
      status: s.rag.status,
      ratedOn: s.ratedOn,
      target: target?.value ?? target?.baseline?.value ?? null,
      trajectory: trajectory && s.date <= trajectory.target.date ? trajectoryValueAt(trajectory, s.date) : null,
      complete: rated?.complete ?? false,
      reason: s.rag.reason,
    };
  });
  const latest = statuses.at(-1) as MeasureStatus;
  const members = scopeOf(area).members ?? [area.id];
  const window = { start: `${dates[0]!.slice(0, 8)}01`, end: latest.date };
  const readings = members.flatMap((member) => records.readings(measure.id, member, window));
  const summable = measure.method === 'count' || measure.method === 'ratio';
  const populations = records.populations
    .filter((p) => p.base === (measure.populationBase ?? 'all_ages'))
    .map((p) => ({ area: p.area, year: p.year, value: p.value, illustrative: p.illustrative }));
  const lookBack = members.flatMap((member) => records.readings(measure.id, member, { start: `${monthEndFrom(latest.date, -24).slice(0, 8)}01`, end: latest.date }));
  return {
    measureId: measure.id,
    name: measure.name,
    area: area.id,
    unit: measure.unit,
    polarity: measure.polarity,
    asAt: records.asAt,
    points,
    readings: [...readings].sort((a, b) => a.period.start.localeCompare(b.period.start) || a.area.localeCompare(b.area)),
    latest,
    forecast: summable ? forecastOutturn({ measure, area: scopeOf(area), date: latest.date, readings: lookBack, populations }) : null,
  };
}
