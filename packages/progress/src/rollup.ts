import { capitalise } from './format.js';
import type { RagStatus, RollUp, RollUpRule } from './schemas.js';

/**
 * Roll-up of measures' RAG to a PSA or a priority area (method 7 of the spec).
 * - worst (default): the worst status among its rated measures (Red > Amber > Green).
 * - majority: the status held by the most rated measures (a plurality: 2 Green, 1 Amber and
 *   1 Red is Green); a tie goes to the worse of the tied statuses (1 Green, 1 Amber, 1 Red is
 *   Red; 2 Green and 2 Amber is Amber), so a tie never flatters.
 * Either way Grey measures are not rated: they are counted, and the roll-up is Grey only when
 * every measure is Grey (or there are none). Every roll-up lists its measures' statuses.
 */
export interface MeasureStatus {
  measureId: string;
  area: string;
  status: RagStatus;
  reason?: string;
}

export interface RollUpInput {
  id: string;
  kind: 'psa' | 'priority_area';
  /** The area the statuses are for (null when they mix areas). */
  area?: string | null;
  statuses: readonly MeasureStatus[];
  rule?: RollUpRule;
}

const SEVERITY: Record<Exclude<RagStatus, 'grey'>, number> = { green: 0, amber: 1, red: 2 };
const RATED = ['green', 'amber', 'red'] as const;

export function rollUp(input: RollUpInput): RollUp {
  const rule = input.rule ?? 'worst';
  const counts = { green: 0, amber: 0, red: 0, grey: 0 };
  for (const s of input.statuses) counts[s.status] += 1;
  const rated = counts.green + counts.amber + counts.red;
  const countWords = `${counts.green} Green, ${counts.amber} Amber, ${counts.red} Red, ${counts.grey} Grey`;

  let status: RagStatus;
  let why: string;
  if (rated === 0) {
    status = 'grey';
    why = input.statuses.length === 0 ? 'no measures' : `no rated measure (${countWords})`;
  } else if (rule === 'worst') {
    status = RATED.filter((s) => counts[s] > 0).reduce((a, b) => (SEVERITY[b] > SEVERITY[a] ? b : a));
    why = `worst of ${rated} rated ${rated === 1 ? 'measure' : 'measures'} (${countWords}; Grey not rated)`;
  } else {
    const most = Math.max(counts.green, counts.amber, counts.red);
    const tied = RATED.filter((s) => counts[s] === most);
    status = tied.reduce((a, b) => (SEVERITY[b] > SEVERITY[a] ? b : a));
    why =
      tied.length > 1
        ? `majority of ${rated} rated measures (${countWords}; Grey not rated): a tie between ${tied.map(capitalise).join(', ')} goes to the worse`
        : `majority of ${rated} rated ${rated === 1 ? 'measure' : 'measures'} (${countWords}; Grey not rated)`;
  }
  return {
    id: input.id,
    kind: input.kind,
    area: input.area ?? null,
    rule,
    status,
    counts,
    measures: input.statuses.map((s) => ({ measureId: s.measureId, area: s.area, status: s.status, ...(s.reason === undefined ? {} : { reason: s.reason }) })),
    reason: `${capitalise(why)}: ${capitalise(status)}`,
  };
}

/**
 * Roll up every priority area (or PSA) the measures name, for one area: each group takes the
 * statuses of the measures filed under it (a measure under two priority areas counts in both).
 */
export function rollUpGroups(input: {
  kind: 'psa' | 'priority_area';
  measures: ReadonlyArray<{ id: string; priorityAreas: readonly string[]; psas: readonly string[] }>;
  statuses: readonly MeasureStatus[];
  area: string;
  rule?: RollUpRule;
}): RollUp[] {
  const groups = new Map<string, MeasureStatus[]>();
  for (const measure of input.measures) {
    const status = input.statuses.find((s) => s.measureId === measure.id && s.area === input.area);
    for (const group of input.kind === 'psa' ? measure.psas : measure.priorityAreas) {
      const list = groups.get(group) ?? [];
      list.push(status ?? { measureId: measure.id, area: input.area, status: 'grey', reason: `No status for ${measure.id} in ${input.area}: Grey` });
      groups.set(group, list);
    }
  }
  return [...groups.entries()].map(([id, statuses]) => rollUp({ id, kind: input.kind, area: input.area, statuses, rule: input.rule }));
}
