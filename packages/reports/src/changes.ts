import type { Catalogue } from '@beacon/catalogue';
import type { RagStatus } from '@beacon/progress';
import type { CorrectionOnRecord, ReturnOnRecord } from './records.js';
import type { Summary } from './summary.js';

export interface StatusChange {
  kind: 'measure' | 'priority_area' | 'psa';
  id: string;
  name: string;
  was: RagStatus;
  now: RagStatus;
  reason: string;
}

export interface OverdueReading {
  measureId: string;
  name: string;
  owners: string[];
  /** The periods with no reading, per borough. */
  missing: Array<{ area: string; periods: Array<{ start: string; end: string }> }>;
}

/** "What changed" between two moments, for one area and month end. */
export interface Changes {
  area: string;
  date: string;
  from: string;
  to: string;
  statusChanges: StatusChange[];
  corrections: CorrectionOnRecord[];
  returns: ReturnOnRecord[];
  overdue: OverdueReading[];
}

/**
 * Compares the same summary as at two moments: the statuses that moved, the corrections and
 * returns recorded in between, and the readings still overdue at the later moment.
 */
export function changesBetween(input: {
  catalogue: Catalogue;
  before: Summary;
  after: Summary;
  corrections: readonly CorrectionOnRecord[];
  returns: readonly ReturnOnRecord[];
}): Changes {
  const { before, after, catalogue } = input;
  const statusChanges: StatusChange[] = [];
  const compare = (kind: StatusChange['kind'], was: Map<string, RagStatus>, now: Array<{ id: string; name: string; status: RagStatus; reason: string }>) => {
    for (const item of now) {
      const previous = was.get(item.id) ?? 'grey';
      if (previous !== item.status) statusChanges.push({ kind, id: item.id, name: item.name, was: previous, now: item.status, reason: item.reason });
    }
  };
  const groups = (summary: Summary, key: 'priorityAreas' | 'psas') => summary[key].map((g) => ({ id: g.id, name: g.name, status: g.rollUp.status, reason: g.rollUp.reason }));
  const statusMap = (items: Array<{ id: string; status: RagStatus }>) => new Map(items.map((i) => [i.id, i.status]));
  const measures = (summary: Summary) => summary.measures.map((m) => ({ id: m.measureId, name: m.name, status: m.rag.status, reason: m.rag.reason }));
  compare('priority_area', statusMap(groups(before, 'priorityAreas')), groups(after, 'priorityAreas'));
  compare('psa', statusMap(groups(before, 'psas')), groups(after, 'psas'));
  compare('measure', statusMap(measures(before)), measures(after));
  const inArea = new Set([after.area.id, ...(catalogue.area(after.area.id)?.kind === 'partnership' ? (catalogue.area(after.area.id) as { members: string[] }).members : [])]);
  return {
    area: after.area.id,
    date: after.date,
    from: before.asAt ?? '',
    to: after.asAt ?? '',
    statusChanges,
    corrections: input.corrections.filter((c) => inArea.has(c.area)),
    returns: [...input.returns],
    overdue: after.measures
      .filter((m) => m.rolling.overdue)
      .map((m) => ({
        measureId: m.measureId,
        name: m.name,
        owners: [...(catalogue.measureById(m.measureId)?.measure.owners ?? [])],
        missing: m.rolling.missing.map((x) => ({ area: x.area, periods: x.periods.slice(-1) })),
      })),
  };
}
