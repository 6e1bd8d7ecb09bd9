import type { Period } from '@beacon/catalogue';
import type { CorrectionOnRecord, ReturnOnRecord, TargetOnRecord } from '@beacon/reports';

/**
 * What SQLite's and PostgreSQL's read models share beyond their SQL: the tables' rows (the same
 * column names in both) as the records reports are made from, and the projection's name.
 */

/** The projection the checkpoint row is kept under. */
export const PROJECTION = 'records';

/** A row as a database driver gives it, by column name. */
export type Row = Record<string, unknown>;

/** No reading covers more than two years (a survey wave at most), so none that overlaps a window starts earlier than that. */
export const earliestStart = (window: Period) => `${Number(window.start.slice(0, 4)) - 2}${window.start.slice(4)}`;

export const returnFrom = (row: Row): ReturnOnRecord => ({
  returnId: row.return_id as string,
  agency: row.agency as string,
  submitter: row.submitter as string,
  fileName: row.file_name as string,
  readingCount: row.reading_count as number,
  period: { start: row.period_start as string, end: row.period_end as string },
  recordedAt: row.recorded_at as string,
});

/** A target version; a column left empty is a key left out. */
export function targetFrom(row: Row): TargetOnRecord {
  const target: TargetOnRecord = {
    id: row.target_id as string,
    version: row.version as number,
    measureId: row.measure_id as string,
    area: row.area as string,
    kind: row.kind as 'value' | 'direction',
    period: { start: row.period_start as string, end: row.period_end as string },
    source: row.source as string,
    recordedAt: row.recorded_at as string,
  };
  if (row.value !== null) target.value = row.value as number;
  if (row.direction !== null) target.direction = row.direction as 'reduce' | 'increase';
  if (row.baseline_value !== null) {
    target.baseline = { value: row.baseline_value as number, period: { start: row.baseline_start as string, end: row.baseline_end as string } };
  }
  if (row.tolerance_type !== null) target.tolerance = { type: row.tolerance_type as 'relative' | 'absolute', value: row.tolerance_value as number };
  if (row.note !== null) target.note = row.note as string;
  return target;
}

/** A corrected reading joined to the one that replaced it (old_* and new_* columns, as both read models select them). */
export const correctionFrom = (row: Row): CorrectionOnRecord => ({
  measureId: row.measure_id as string,
  area: row.area as string,
  period: { start: row.period_start as string, end: row.period_end as string },
  agency: row.agency as string,
  was: { value: row.old_value as number, returnId: row.old_return as string, row: row.old_row as number, recordedAt: row.old_recorded_at as string },
  now: { value: row.new_value as number, returnId: row.new_return as string, row: row.new_row as number, recordedAt: row.new_recorded_at as string },
  correctedAt: row.superseded_at as string,
});
