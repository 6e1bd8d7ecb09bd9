/**
 * Records for the tests: the real catalogue's targets and the illustrative 2008 populations,
 * with readings built month by month. Figures are chosen so the expected results can be worked
 * by hand (see each test).
 */
import { loadCatalogue } from '@beacon/catalogue';
import { addMonths, endOfMonth, format, parseISO } from 'date-fns';
import type { PopulationOnRecord, ReadingOnRecord, TargetOnRecord } from './records.js';

export const catalogue = loadCatalogue();

export const PLAN_PUBLISHED = '2008-04-01T00:00:00.000Z';

export const targets: TargetOnRecord[] = catalogue.targets.map((t) => ({
  id: t.id,
  version: t.version,
  measureId: t.measure,
  area: t.area,
  kind: t.kind,
  ...(t.kind === 'value' ? { value: t.value } : { direction: t.direction }),
  period: t.period,
  source: t.source,
  recordedAt: PLAN_PUBLISHED,
}));

/** The illustrative borough split of the plan's 191,800 (2008). */
export const populations: PopulationOnRecord[] = [
  { area: 'DBC', base: 'all_ages', year: 2008, value: 90_900, illustrative: true, recordedAt: PLAN_PUBLISHED },
  { area: 'GBC', base: 'all_ages', year: 2008, value: 100_900, illustrative: true, recordedAt: PLAN_PUBLISHED },
];

let row = 1;

/** One reading a month from `firstMonth`, each recorded on the 10th of the month after. */
export function monthly(
  measureId: string,
  area: string,
  firstMonth: string,
  values: Array<number | { value: number; numerator?: number; denominator?: number }>,
  agency = 'north-kent-police',
): ReadingOnRecord[] {
  return values.map((v, i) => {
    const start = addMonths(parseISO(`${firstMonth}-01`), i);
    const fields = typeof v === 'number' ? { value: v } : v;
    return {
      measureId,
      area,
      period: { start: format(start, 'yyyy-MM-dd'), end: format(endOfMonth(start), 'yyyy-MM-dd') },
      ...fields,
      returnId: `${agency}-${format(start, 'yyyy-MM')}`,
      row: row++,
      agency,
      recordedAt: `${format(addMonths(start, 1), 'yyyy-MM')}-10T09:00:00.000Z`,
    };
  });
}

/** Dartford's 12 monthly SAC counts for 2008/09 (April to March), summing to 1,300. */
export const DBC_SAC_2008 = [100, 105, 110, 115, 120, 110, 105, 100, 105, 110, 115, 105];
/** Gravesham's, summing to 1,250. */
export const GBC_SAC_2008 = [95, 100, 105, 110, 115, 105, 100, 95, 100, 105, 115, 105];
