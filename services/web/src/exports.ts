import type { MeasureHistory, Summary } from '@beacon/reports';
import { type CsvCell, csvFile } from './csv.js';
import { targetText } from './pages/common.js';
import { RAG_WORDS } from './words.js';

/** The summary as a spreadsheet: one row per priority area, PSA and measure. */
export function summaryCsv(summary: Summary): string {
  const common = [summary.area.id, summary.date, summary.asAt ?? ''];
  const rows: CsvCell[][] = [
    ['Kind', 'Id', 'Name', 'Area', 'Month end', 'As at', 'RAG', 'Green', 'Amber', 'Red', 'Grey', 'Value', 'Unit', 'Target', 'Direction of travel', 'Why'],
  ];
  for (const [kind, groups] of [
    ['Priority area', summary.priorityAreas],
    ['PSA', summary.psas],
  ] as const) {
    for (const g of groups) {
      const c = g.rollUp.counts;
      rows.push([kind, g.id, g.name, ...common, RAG_WORDS[g.rollUp.status].word, c.green, c.amber, c.red, c.grey, null, null, null, null, g.rollUp.reason]);
    }
  }
  for (const m of summary.measures) {
    rows.push([
      'Measure',
      m.measureId,
      m.name,
      ...common,
      RAG_WORDS[m.rag.status].word,
      null,
      null,
      null,
      null,
      m.rag.value,
      m.unit,
      targetText(m),
      m.travel?.short?.direction ?? null,
      m.rag.reason,
    ]);
  }
  return csvFile(rows);
}

/** A measure's readings in force over the months shown, with their provenance and notes. */
export function measureCsv(history: MeasureHistory): string {
  const rows: CsvCell[][] = [['Measure', 'Area', 'Period start', 'Period end', 'Value', 'Numerator', 'Denominator', 'Sample size', 'Agency', 'Return', 'Row', 'Recorded at', 'Note']];
  for (const r of history.readings) {
    rows.push([r.measureId, r.area, r.period.start, r.period.end, r.value, r.numerator, r.denominator, r.sampleSize, r.agency, r.returnId, r.row, r.recordedAt, r.note]);
  }
  return csvFile(rows);
}
