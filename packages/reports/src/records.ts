import type { Period } from '@beacon/catalogue';

/**
 * What a report is made from: the records as they stood at one moment ("as at"): readings in
 * force (corrections recorded by then applied), the targets and populations recorded by then.
 * The read models provide them from SQLite; tests give them as arrays.
 */
export interface RecordsAsAt {
  /** The moment the records are cut at (null: everything recorded so far). */
  readonly asAt: string | null;
  /** A measure's readings for one borough whose periods overlap `window`. */
  readings(measureId: string, area: string, window: Period): readonly ReadingOnRecord[];
  /** Every version of every target recorded by then. */
  readonly targets: readonly TargetOnRecord[];
  readonly populations: readonly PopulationOnRecord[];
}

/** A reading in force, with where it came from: a status can always say which return, row and agency. */
export interface ReadingOnRecord {
  measureId: string;
  area: string;
  period: Period;
  value: number;
  numerator?: number;
  denominator?: number;
  sampleSize?: number;
  returnId: string;
  row: number;
  agency: string;
  note?: string;
  recordedAt: string;
}

export interface TargetOnRecord {
  id: string;
  version: number;
  measureId: string;
  area: string;
  kind: 'value' | 'direction';
  value?: number;
  direction?: 'reduce' | 'increase';
  period: Period;
  baseline?: { value: number; period: Period };
  tolerance?: { type: 'relative' | 'absolute'; value: number };
  source: string;
  note?: string;
  recordedAt: string;
}

export interface PopulationOnRecord {
  area: string;
  base: string;
  year: number;
  value: number;
  illustrative: boolean;
  recordedAt: string;
}

export interface ReturnOnRecord {
  returnId: string;
  agency: string;
  submitter: string;
  fileName: string;
  readingCount: number;
  period: Period;
  recordedAt: string;
}

/** A reading replaced by a later one: what it was, what it became, and when. */
export interface CorrectionOnRecord {
  measureId: string;
  area: string;
  period: Period;
  agency: string;
  was: { value: number; returnId: string; row: number; recordedAt: string };
  now: { value: number; returnId: string; row: number; recordedAt: string };
  correctedAt: string;
}

/** Records held in arrays (tests, and anything already in memory), cut as at `asAt`. */
export function recordsFromArrays(input: {
  readings: readonly (ReadingOnRecord & { supersededAt?: string })[];
  targets?: readonly TargetOnRecord[];
  populations?: readonly PopulationOnRecord[];
  asAt?: string | null;
}): RecordsAsAt {
  const asAt = input.asAt ?? null;
  const known = (recordedAt: string) => asAt === null || recordedAt <= asAt;
  const inForce = input.readings.filter((r) => known(r.recordedAt) && (r.supersededAt === undefined || (asAt !== null && r.supersededAt > asAt)));
  return {
    asAt,
    readings: (measureId, area, window) =>
      inForce.filter((r) => r.measureId === measureId && r.area === area && r.period.start <= window.end && r.period.end >= window.start),
    targets: (input.targets ?? []).filter((t) => known(t.recordedAt)),
    populations: (input.populations ?? []).filter((p) => known(p.recordedAt)),
  };
}
