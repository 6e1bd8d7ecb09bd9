import type { Period } from '@beacon/catalogue';
import type { CorrectionOnRecord, PopulationOnRecord, ReadingOnRecord, RecordsAsAt, ReturnOnRecord, TargetOnRecord } from '@beacon/reports';
import type { ReadModels } from './projection.js';
import { correctionFrom, earliestStart, returnFrom, type Row, targetFrom } from './rows.js';
import type { LogHoldings, RecordBook, ReportScope } from './record-book.js';

/**
 * The records a report is made from, read "as at" a moment: only what Beacon had recorded by
 * then, with the corrections recorded by then applied. `asAt` undefined = everything recorded.
 */

/** Later than any moment: "as at" nothing means everything recorded. */
export const END_OF_TIME = '9999-12-31T23:59:59.999Z';
const KEPT_WINDOWS = 64;
const KEPT_MOMENTS = 64;


const optional = <T>(value: unknown): T | undefined => (value === null ? undefined : (value as T));

function readingFrom(row: Row): ReadingOnRecord {
  const reading: ReadingOnRecord = {
    measureId: row.measure_id as string,
    area: row.area as string,
    period: { start: row.period_start as string, end: row.period_end as string },
    value: row.value as number,
    returnId: row.return_id as string,
    row: row.row as number,
    agency: row.agency as string,
    recordedAt: row.recorded_at as string,
  };
  const numerator = optional<number>(row.numerator);
  const denominator = optional<number>(row.denominator);
  const sampleSize = optional<number>(row.sample_size);
  const note = optional<string>(row.note);
  if (numerator !== undefined) reading.numerator = numerator;
  if (denominator !== undefined) reading.denominator = denominator;
  if (sampleSize !== undefined) reading.sampleSize = sampleSize;
  if (note !== undefined) reading.note = note;
  return reading;
}


/** Read access to the records in SQLite, as at any moment: answers at once, in this thread. */
export class Records implements RecordBook {
  private readonly statements;
  /** The records as at a moment, kept until the projector moves on (see asAt). */
  private readonly kept = new Map<string, RecordsAsAt>();
  private keptAt = -1n;

  constructor(private readonly readModels: ReadModels) {
    const db = readModels.db;
    this.statements = {
      readings: db.prepare(
        `SELECT * FROM readings
         WHERE measure_id = ? AND area = ? AND period_start <= ? AND period_start >= ? AND period_end >= ?
           AND recorded_at <= ? AND (superseded_at IS NULL OR superseded_at > ?)
         ORDER BY period_start, period_end`,
      ),
      areaReadings: db.prepare(
        `SELECT * FROM readings
         WHERE measure_id IN (SELECT value FROM json_each(?)) AND area = ? AND period_start <= ? AND period_start >= ? AND period_end >= ?
           AND recorded_at <= ? AND (superseded_at IS NULL OR superseded_at > ?)
         ORDER BY measure_id, period_start, period_end`,
      ),
      targets: db.prepare('SELECT * FROM targets WHERE recorded_at <= ? ORDER BY measure_id, area, period_start, target_id, version'),
      populations: db.prepare('SELECT * FROM populations WHERE recorded_at <= ? ORDER BY area, base, year, position'),
      returns: db.prepare('SELECT * FROM returns WHERE recorded_at > ? AND recorded_at <= ? ORDER BY recorded_at, position'),
      corrections: db.prepare(
        `SELECT old.measure_id, old.area, old.period_start, old.period_end, old.agency,
                old.value AS old_value, old.return_id AS old_return, old.row AS old_row, old.recorded_at AS old_recorded_at,
                new.value AS new_value, new.return_id AS new_return, new.row AS new_row, new.recorded_at AS new_recorded_at,
                old.superseded_at
         FROM readings AS old JOIN readings AS new
           ON new.measure_id = old.measure_id AND new.area = old.area AND new.period_start = old.period_start
          AND new.return_id = old.superseded_by_return AND new.row = old.superseded_by_row
         WHERE old.superseded_at > ? AND old.superseded_at <= ? AND old.recorded_at <= ?
         ORDER BY old.superseded_at, old.measure_id, old.area, old.period_start`,
      ),
      lastRecordedAt: db
        .prepare('SELECT max(t) FROM (SELECT max(recorded_at) AS t FROM returns UNION ALL SELECT max(recorded_at) FROM targets UNION ALL SELECT max(recorded_at) FROM populations)')
        .pluck(),
      span: db.prepare('SELECT min(period_start) AS first, max(period_end) AS last FROM returns WHERE recorded_at <= ?'),
      returnById: db.prepare('SELECT * FROM returns WHERE return_id = ?'),
      changedSince: db
        .prepare(
          `SELECT EXISTS (SELECT 1 FROM readings WHERE position > ? AND period_start <= ? AND period_end >= ?)
               OR EXISTS (SELECT 1 FROM targets WHERE position > ?)
               OR EXISTS (SELECT 1 FROM populations WHERE position > ?)`,
        )
        .pluck(),
      logTypes: db.prepare('SELECT type, events FROM log_types ORDER BY first_position').raw(),
      logStreams: db.prepare('SELECT count(*) FROM log_streams').pluck(),
    };
  }

  checkpoint(): bigint {
    return this.readModels.checkpoint();
  }

  /** A measure's readings for an area whose periods overlap `window`, in force as at `asAt`. */
  readings(measureId: string, area: string, window: Period, asAt?: string): ReadingOnRecord[] {
    const at = asAt ?? END_OF_TIME;
    return (this.statements.readings.all(measureId, area, window.end, earliestStart(window), window.start, at, at) as Row[]).map(readingFrom);
  }

  /** The readings of several measures for an area, in one query (a summary asks for every measure of an area), by measure. */
  readingsOfArea(measureIds: readonly string[], area: string, window: Period, asAt?: string): Map<string, ReadingOnRecord[]> {
    const at = asAt ?? END_OF_TIME;
    const byMeasure = new Map<string, ReadingOnRecord[]>();
    for (const row of this.statements.areaReadings.all(JSON.stringify(measureIds), area, window.end, earliestStart(window), window.start, at, at) as Row[]) {
      const reading = readingFrom(row);
      const list = byMeasure.get(reading.measureId);
      if (list) list.push(reading);
      else byMeasure.set(reading.measureId, [reading]);
    }
    return byMeasure;
  }

  /** Every version of every target recorded by `asAt` (the latest version of each is in force). */
  targets(asAt?: string): TargetOnRecord[] {
    return (this.statements.targets.all(asAt ?? END_OF_TIME) as Row[]).map(targetFrom);
  }

  /** Population figures recorded by `asAt`; a later figure for the same area, base and year replaces an earlier one. */
  populations(asAt?: string): PopulationOnRecord[] {
    const latest = new Map<string, PopulationOnRecord>();
    for (const row of this.statements.populations.all(asAt ?? END_OF_TIME) as Row[]) {
      latest.set(`${row.area}\u001f${row.base}\u001f${row.year}`, {
        area: row.area as string,
        base: row.base as string,
        year: row.year as number,
        value: row.value as number,
        illustrative: row.illustrative === 1,
        recordedAt: row.recorded_at as string,
      });
    }
    return [...latest.values()];
  }

  /** Returns recorded after `from` and up to `to`. */
  returnsBetween(from: string, to: string): ReturnOnRecord[] {
    return (this.statements.returns.all(from, to) as Row[]).map(returnFrom);
  }

  /**
   * Corrections recorded after `from` and up to `to`, of readings that were themselves recorded by
   * `recordedBy` (default `to`): with `recordedBy = from`, the revisions to what a report as at
   * `from` showed.
   */
  correctionsBetween(from: string, to: string, recordedBy = to): CorrectionOnRecord[] {
    return (this.statements.corrections.all(from, to, recordedBy) as Row[]).map(correctionFrom);
  }

  /**
   * The records as they stood at `asAt` (undefined: everything recorded so far), for a report.
   * Read as reports ask, in this thread: an area's readings over a window are read for all the
   * scope's measures at once and kept (a summary asks for each measure of the same areas and
   * window). The scope's areas and window need no reading ahead here, so the same records serve
   * every report as at one moment until the projector moves on: a partnership's summary reuses
   * the readings its boroughs' summaries read, and the targets and populations are read once.
   */
  asAt(asAt?: string, scope?: ReportScope): RecordsAsAt {
    const checkpoint = this.checkpoint();
    if (checkpoint !== this.keptAt) {
      this.kept.clear();
      this.keptAt = checkpoint;
    }
    const key = `${asAt ?? 'now'}|${scope?.measureIds.join(',') ?? ''}`;
    let records = this.kept.get(key);
    if (!records) {
      if (this.kept.size >= KEPT_MOMENTS) this.kept.delete(this.kept.keys().next().value as string);
      records = this.readAsAt(asAt, scope?.measureIds);
      this.kept.set(key, records);
    }
    return records;
  }

  private readAsAt(asAt: string | undefined, measureIds: readonly string[] | undefined): RecordsAsAt {
    const kept = new Map<string, Map<string, ReadingOnRecord[]>>();
    return {
      asAt: asAt ?? null,
      readings: (measureId, area, window) => {
        if (!measureIds) return this.readings(measureId, area, window, asAt);
        const key = `${area}|${window.start}|${window.end}`;
        let byMeasure = kept.get(key);
        if (!byMeasure) {
          if (kept.size >= KEPT_WINDOWS) kept.delete(kept.keys().next().value as string);
          byMeasure = this.readingsOfArea(measureIds, area, window, asAt);
          kept.set(key, byMeasure);
        }
        return byMeasure.get(measureId) ?? [];
      },
      targets: this.targets(asAt),
      populations: this.populations(asAt),
    };
  }

  /** The first day and last day that returns recorded by `asAt` cover (undefined before any). */
  span(asAt?: string): { first: string; last: string } | undefined {
    const row = this.statements.span.get(asAt ?? END_OF_TIME) as { first: string | null; last: string | null };
    return row.first && row.last ? { first: row.first, last: row.last } : undefined;
  }

  returnById(returnId: string): ReturnOnRecord | undefined {
    const row = this.statements.returnById.get(returnId) as Row | undefined;
    return row && returnFrom(row);
  }

  /** When the latest return, target or population was recorded (undefined before any). */
  lastRecordedAt(): string | undefined {
    return (this.statements.lastRecordedAt.get() as string | null) ?? undefined;
  }

  changedSince(position: bigint, window: Period): boolean {
    return this.statements.changedSince.get(position, window.end, window.start, position, position) === 1;
  }

  /** What the log held as far as it is projected: events, streams, and events per type in the order first seen. */
  holdings(): LogHoldings {
    const byType = new Map<string, number>();
    let events = 0;
    for (const [type, n] of this.statements.logTypes.all() as [string, number][]) {
      byType.set(type, n);
      events += n;
    }
    return { events, streams: this.statements.logStreams.get() as number, byType };
  }
}
