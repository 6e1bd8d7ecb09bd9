import type { Period } from '@beacon/catalogue';
import { quoted } from '@beacon/event-store-postgres';
import { correctionFrom, END_OF_TIME, earliestStart, type LogHoldings, PROJECTION, type RecordBook, type ReportScope, returnFrom, type Row, targetFrom } from '@beacon/read-models';
import type { CorrectionOnRecord, PopulationOnRecord, ReadingOnRecord, RecordsAsAt, ReturnOnRecord, TargetOnRecord } from '@beacon/reports';
import type pg from 'pg';
import { endPool, statementName } from './pool.js';


/** A reading's columns as the prefetch selects them (array rows: no object per row from pg). */
type ReadingRow = [
  measureId: string,
  area: string,
  periodStart: string,
  periodEnd: string,
  value: number,
  numerator: number | null,
  denominator: number | null,
  sampleSize: number | null,
  returnId: string,
  row: number,
  agency: string,
  note: string | null,
  recordedAt: string,
];

function readingFrom([measureId, area, start, end, value, numerator, denominator, sampleSize, returnId, row, agency, note, recordedAt]: ReadingRow): ReadingOnRecord {
  const reading: ReadingOnRecord = { measureId, area, period: { start, end }, value, returnId, row, agency, recordedAt };
  if (numerator !== null) reading.numerator = numerator;
  if (denominator !== null) reading.denominator = denominator;
  if (sampleSize !== null) reading.sampleSize = sampleSize;
  if (note !== null) reading.note = note;
  return reading;
}

const STANDING_KEPT = 16;

/**
 * The records in PostgreSQL, read as at any moment: the same answers as SQLite's Records for the
 * same events. Reports read them synchronously, so `asAt` reads everything a report on its scope
 * can ask for (the readings of its measures and areas in force then, the targets and populations
 * recorded by then) in one go, and answers from memory.
 */
export class PostgresRecords implements RecordBook {
  private readonly sql;
  /** Targets and populations as at a moment, read once for every report as at it (a month's feed asks for every area's), until the projector moves on. */
  private readonly standingKept = new Map<string, Promise<Pick<RecordsAsAt, 'targets' | 'populations'>>>();

  constructor(
    private readonly pool: pg.Pool,
    schema: string,
  ) {
    const s = quoted(schema);
    const statement = (name: string, text: string, rowMode?: 'array') => ({ name: statementName(schema, name), text, ...(rowMode && { rowMode }) });
    this.sql = {
      checkpoint: statement('read_checkpoint', `SELECT position FROM ${s}.checkpoint WHERE projection = '${PROJECTION}'`, 'array'),
      readings: statement(
        'readings_as_at',
        `SELECT measure_id, area, period_start, period_end, value, numerator, denominator, sample_size, return_id, row, agency, note, recorded_at
         FROM ${s}.readings
         WHERE measure_id = ANY ($1::text[]) AND area = ANY ($2::text[]) AND recorded_at <= $3 AND (superseded_at IS NULL OR superseded_at > $3)
           AND period_start <= $4 AND period_end >= $5
         ORDER BY measure_id, area, period_start, period_end, position`,
        'array',
      ),
      targets: statement('targets', `SELECT * FROM ${s}.targets WHERE recorded_at <= $1 ORDER BY measure_id, area, period_start, target_id, version`),
      populations: statement('populations', `SELECT area, base, year, value, illustrative, recorded_at FROM ${s}.populations WHERE recorded_at <= $1 ORDER BY area, base, year, position`),
      returns: statement('returns_between', `SELECT * FROM ${s}.returns WHERE recorded_at > $1 AND recorded_at <= $2 ORDER BY recorded_at, position`),
      corrections: statement(
        'corrections_between',
        `SELECT old.measure_id, old.area, old.period_start, old.period_end, old.agency,
                old.value AS old_value, old.return_id AS old_return, old.row AS old_row, old.recorded_at AS old_recorded_at,
                new.value AS new_value, new.return_id AS new_return, new.row AS new_row, new.recorded_at AS new_recorded_at,
                old.superseded_at
         FROM ${s}.readings AS old JOIN ${s}.readings AS new
           ON new.measure_id = old.measure_id AND new.area = old.area AND new.period_start = old.period_start
          AND new.return_id = old.superseded_by_return AND new.row = old.superseded_by_row
         WHERE old.superseded_at > $1 AND old.superseded_at <= $2 AND old.recorded_at <= $3
         ORDER BY old.superseded_at, old.measure_id, old.area, old.period_start`,
      ),
      lastRecordedAt: statement(
        'last_recorded_at',
        `SELECT max(t) FROM (SELECT max(recorded_at) AS t FROM ${s}.returns UNION ALL SELECT max(recorded_at) FROM ${s}.targets UNION ALL SELECT max(recorded_at) FROM ${s}.populations) AS latest`,
        'array',
      ),
      span: statement('span', `SELECT min(period_start) AS first, max(period_end) AS last FROM ${s}.returns WHERE recorded_at <= $1`),
      returnById: statement('return_by_id', `SELECT * FROM ${s}.returns WHERE return_id = $1`),
      changedSince: statement(
        'changed_since',
        `SELECT EXISTS (SELECT 1 FROM ${s}.readings WHERE position > $1 AND period_start <= $2 AND period_end >= $3)
             OR EXISTS (SELECT 1 FROM ${s}.targets WHERE position > $1)
             OR EXISTS (SELECT 1 FROM ${s}.populations WHERE position > $1)`,
        'array',
      ),
      logTypes: statement('log_types_held', `SELECT type, events FROM ${s}.log_types ORDER BY first_position`, 'array'),
      logStreams: statement('log_streams_held', `SELECT count(*) FROM ${s}.log_streams`, 'array'),
    };
  }

  /** Position of the last event projected: answers may be remembered until it moves. */
  async checkpoint(): Promise<bigint> {
    const { rows } = await this.pool.query<[bigint]>(this.sql.checkpoint);
    return rows[0]?.[0] ?? 0n;
  }

  /**
   * The records as they stood at `asAt` (undefined: everything so far), for reports on `scope`.
   * Asking for a measure or area outside the scope is a mistake in the caller, not "no
   * readings": it throws rather than rate a measure on nothing.
   */
  async asAt(asAt: string | undefined, scope: ReportScope): Promise<RecordsAsAt> {
    const at = asAt ?? END_OF_TIME;
    const scopeWindow = scope.window ?? { start: '0000-01-01', end: '9999-12-31' };
    const [readingRows, { targets, populations }] = await Promise.all([
      this.pool.query<ReadingRow>({ ...this.sql.readings, values: [scope.measureIds, scope.areas, at, scopeWindow.end, scopeWindow.start] }).then((result) => result.rows),
      this.standing(at),
    ]);
    // Each series in period order, as the query gives it.
    const series = new Map<string, ReadingOnRecord[]>();
    for (const row of readingRows) {
      const reading = readingFrom(row);
      const key = `${reading.measureId}\u001f${reading.area}`;
      const list = series.get(key);
      if (list) list.push(reading);
      else series.set(key, [reading]);
    }
    const measures = new Set(scope.measureIds);
    const areas = new Set(scope.areas);
    return {
      asAt: asAt ?? null,
      readings: (measureId, area, window) => {
        if (!measures.has(measureId) || !areas.has(area)) {
          throw new RangeError(`Readings of ${measureId} for ${area} were asked of records read for measures ${[...measures].join(', ')} and areas ${[...areas].join(', ')}.`);
        }
        if (window.start < scopeWindow.start || window.end > scopeWindow.end) {
          throw new RangeError(`Readings from ${window.start} to ${window.end} were asked of records read from ${scopeWindow.start} to ${scopeWindow.end}.`);
        }
        const earliest = earliestStart(window);
        return (series.get(`${measureId}\u001f${area}`) ?? []).filter(
          ({ period }) => period.start <= window.end && period.start >= earliest && period.end >= window.start,
        );
      },
      targets,
      populations,
    };
  }

  private async standing(at: string): Promise<Pick<RecordsAsAt, 'targets' | 'populations'>> {
    const key = `${await this.checkpoint()}|${at}`;
    let kept = this.standingKept.get(key);
    if (!kept) {
      if (this.standingKept.size >= STANDING_KEPT) this.standingKept.delete(this.standingKept.keys().next().value as string);
      kept = Promise.all([this.targets(at), this.populations(at)]).then(([targets, populations]) => ({ targets, populations }));
      this.standingKept.set(key, kept);
      kept.catch(() => this.standingKept.get(key) === kept && this.standingKept.delete(key));
    }
    return kept;
  }

  /** Every version of every target recorded by `asAt` (the latest version of each is in force). */
  async targets(asAt?: string): Promise<TargetOnRecord[]> {
    const { rows } = await this.pool.query<Row>({ ...this.sql.targets, values: [asAt ?? END_OF_TIME] });
    return rows.map(targetFrom);
  }

  /** Population figures recorded by `at`; a later figure for the same area, base and year replaces an earlier one. */
  private async populations(at: string): Promise<PopulationOnRecord[]> {
    const latest = new Map<string, PopulationOnRecord>();
    for (const row of (await this.pool.query<Row>({ ...this.sql.populations, values: [at] })).rows) {
      latest.set(`${row.area}\u001f${row.base}\u001f${row.year}`, {
        area: row.area as string,
        base: row.base as string,
        year: row.year as number,
        value: Number(row.value as bigint),
        illustrative: row.illustrative === 1,
        recordedAt: row.recorded_at as string,
      });
    }
    return [...latest.values()];
  }

  /** Returns recorded after `from` and up to `to`. */
  async returnsBetween(from: string, to: string): Promise<ReturnOnRecord[]> {
    const { rows } = await this.pool.query<Row>({ ...this.sql.returns, values: [from, to] });
    return rows.map(returnFrom);
  }

  /** Corrections recorded after `from` and up to `to`, of readings recorded by `recordedBy` (default `to`). */
  async correctionsBetween(from: string, to: string, recordedBy = to): Promise<CorrectionOnRecord[]> {
    const { rows } = await this.pool.query<Row>({ ...this.sql.corrections, values: [from, to, recordedBy] });
    return rows.map(correctionFrom);
  }

  /** The first day and last day that returns recorded by `asAt` cover (undefined before any). */
  async span(asAt?: string): Promise<{ first: string; last: string } | undefined> {
    const { rows } = await this.pool.query<{ first: string | null; last: string | null }>({ ...this.sql.span, values: [asAt ?? END_OF_TIME] });
    const row = rows[0];
    return row?.first && row.last ? { first: row.first, last: row.last } : undefined;
  }

  async returnById(returnId: string): Promise<ReturnOnRecord | undefined> {
    const { rows } = await this.pool.query<Row>({ ...this.sql.returnById, values: [returnId] });
    return rows[0] && returnFrom(rows[0]);
  }

  /** When the latest return, target or population was recorded (undefined before any). */
  async lastRecordedAt(): Promise<string | undefined> {
    const { rows } = await this.pool.query<[string | null]>(this.sql.lastRecordedAt);
    return rows[0]?.[0] ?? undefined;
  }

  /** Whether anything projected after `position` bears on `window`: a reading that overlaps it, or any target or population. */
  async changedSince(position: bigint, window: Period): Promise<boolean> {
    const { rows } = await this.pool.query<[boolean]>({ ...this.sql.changedSince, values: [position, window.end, window.start] });
    return rows[0]?.[0] === true;
  }

  /** What the log held as far as it is projected: events, streams, and events per type in the order first seen. */
  async holdings(): Promise<LogHoldings> {
    const [types, streams] = await Promise.all([this.pool.query<[string, bigint]>(this.sql.logTypes), this.pool.query<[bigint]>(this.sql.logStreams)]);
    const byType = new Map<string, number>();
    let events = 0;
    for (const [type, n] of types.rows) {
      byType.set(type, Number(n));
      events += Number(n);
    }
    return { events, streams: Number(streams.rows[0]?.[0] ?? 0), byType };
  }

  close(): Promise<void> {
    return endPool(this.pool);
  }
}
