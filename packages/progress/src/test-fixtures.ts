/**
 * Measures, areas and readings for the tests, after the catalogue (data/catalogue/). Borough
 * populations are an ILLUSTRATIVE split of the plan's combined 191,800 (2008).
 */
import { addMonths, endOfMonth, format, parseISO } from 'date-fns';
import type { AreaPopulation, AreaScope, ProgressMeasure, Reading } from './schemas.js';

const defaults = { tolerance: { type: 'relative', value: 0.05 }, rag: { redOnlyIfSignificant: false } } as const;

export const SAC: ProgressMeasure = { id: 'SAC', unit: 'rate_per_1000', method: 'count', polarity: 'down', frequency: 'monthly', ...defaults };
export const DA_REPEAT: ProgressMeasure = { id: 'DA_REPEAT', unit: 'percent', method: 'ratio', polarity: 'down', frequency: 'monthly', ...defaults };
export const ASB_HIGH: ProgressMeasure = { id: 'ASB_HIGH', unit: 'percent', method: 'survey', polarity: 'down', frequency: 'survey_wave', ...defaults };
export const NTE_VIOLENCE: ProgressMeasure = { id: 'NTE_VIOLENCE', unit: 'count', method: 'count', polarity: 'down', frequency: 'monthly', ...defaults };
export const NI39: ProgressMeasure = { id: 'NI39', unit: 'rate_per_100000', method: 'count', polarity: 'down', frequency: 'quarterly', ...defaults };
export const NI40: ProgressMeasure = { id: 'NI40', unit: 'count', method: 'latest', polarity: 'up', frequency: 'monthly', ...defaults };
export const SAFE_NIGHT: ProgressMeasure = { id: 'SAFE_NIGHT', unit: 'percent', method: 'survey', polarity: 'up', frequency: 'survey_wave', ...defaults };

export const DBC: AreaScope = { id: 'DBC' };
export const GBC: AreaScope = { id: 'GBC' };
export const DGCDRP: AreaScope = { id: 'DGCDRP', members: ['DBC', 'GBC'] };

/** Illustrative borough split of the plan's 191,800 (2008). */
export const POPULATIONS: AreaPopulation[] = [
  { area: 'DBC', year: 2008, value: 90_900, illustrative: true },
  { area: 'GBC', year: 2008, value: 100_900, illustrative: true },
];

let row = 1;

/** One reading per calendar month from `firstMonth` ("2008-04"), in order. */
export function monthly(area: string, firstMonth: string, values: Array<number | Partial<Reading>>, measureId?: string): Reading[] {
  const first = parseISO(`${firstMonth}-01`);
  return values.map((v, i) => {
    const start = addMonths(first, i);
    const extra = typeof v === 'number' ? { value: v } : { value: 0, ...v };
    return {
      ...(measureId === undefined ? {} : { measureId }),
      area,
      period: { start: format(start, 'yyyy-MM-dd'), end: format(endOfMonth(start), 'yyyy-MM-dd') },
      returnId: `return-${area}`,
      row: row++,
      ...extra,
    };
  });
}

/** Dartford's 12 monthly SAC counts for 2008/09 (April to March), summing to 1,300. */
export const DBC_SAC_2008 = [100, 105, 110, 115, 120, 110, 105, 100, 105, 110, 115, 105];
/** Gravesham's, summing to 1,250. */
export const GBC_SAC_2008 = [95, 100, 105, 110, 115, 105, 100, 95, 100, 105, 115, 105];
