import type { Catalogue, Measure } from '@beacon/catalogue';
import { type RollUp, type RollUpRule, rollUp } from '@beacon/progress';
import { type MeasureStatus, measureStatus } from './measure-status.js';
import type { RecordsAsAt } from './records.js';

export interface GroupSummary {
  id: string;
  name: string;
  rollUp: RollUp;
  measureIds: string[];
}

/** The strategy group's page: every priority area and PSA for one area at one month end, as at a moment. */
export interface Summary {
  area: { id: string; name: string };
  /** The month end reported on. */
  date: string;
  /** Only what had been recorded by then (null: everything recorded so far). */
  asAt: string | null;
  rule: RollUpRule;
  priorityAreas: GroupSummary[];
  psas: GroupSummary[];
  /** Every rated measure once, in catalogue order. */
  measures: MeasureStatus[];
  counts: { green: number; amber: number; red: number; grey: number };
}

/**
 * Measures that are rated: a group measure whose readings come as sub-measures (the ASB types,
 * NI 195 a-d) is rated through them, so it is not counted a second time.
 */
export const ratedMeasures = (catalogue: Catalogue): Measure[] => catalogue.measures.filter((m) => m.subMeasures.length === 0);

/**
 * Where the priority areas' and PSAs' RAG is decided (spec point 7): each measure's status
 * (measureStatus), then the roll-up rule (worst-of by default, or majority) over the measures
 * filed under each, with the counts of G/A/R/Grey beside it.
 */
export function summaryFor(input: { catalogue: Catalogue; records: RecordsAsAt; area: string; date: string; rule?: RollUpRule }): Summary {
  const { catalogue, records, date } = input;
  const area = catalogue.area(input.area);
  if (!area) throw new RangeError(`unknown area "${input.area}": one of ${catalogue.areas.map((a) => a.id).join(', ')}`);
  const rule = input.rule ?? 'worst';
  const measures = ratedMeasures(catalogue).map((m) => measureStatus({ catalogue, records }, m, area, date));
  const byId = new Map(measures.map((s) => [s.measureId, s]));
  const group = (id: string, name: string, kind: 'psa' | 'priority_area', members: readonly Measure[]): GroupSummary => {
    const statuses = members.flatMap((m) => byId.get(m.id) ?? []);
    return {
      id,
      name,
      measureIds: statuses.map((s) => s.measureId),
      rollUp: rollUp({
        id,
        kind,
        area: area.id,
        rule,
        statuses: statuses.map((s) => ({ measureId: s.measureId, area: s.area, status: s.rag.status, reason: s.rag.reason })),
      }),
    };
  };
  const counts = { green: 0, amber: 0, red: 0, grey: 0 };
  for (const s of measures) counts[s.rag.status] += 1;
  return {
    area: { id: area.id, name: area.name },
    date,
    asAt: records.asAt,
    rule,
    priorityAreas: catalogue.priorityAreas.map((p) => group(p.id, p.name, 'priority_area', catalogue.measuresInPriorityArea(p.id))),
    psas: catalogue.psas.map((p) => group(p.id, p.title, 'psa', catalogue.measuresInPsa(p.id))),
    measures,
    counts,
  };
}
