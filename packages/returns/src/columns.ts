/** The columns of a return, in the order the README and messages list them. */
export const RETURN_COLUMNS = [
  { name: 'measure', field: 'measure', required: true, also: ['measureid'] },
  { name: 'area', field: 'area', required: true, also: ['areaid'] },
  { name: 'period_start', field: 'periodStart', required: true, also: [] },
  { name: 'period_end', field: 'periodEnd', required: true, also: [] },
  { name: 'value', field: 'value', required: true, also: [] },
  { name: 'numerator', field: 'numerator', required: false, also: [] },
  { name: 'denominator', field: 'denominator', required: false, also: [] },
  { name: 'sample_size', field: 'sampleSize', required: false, also: [] },
  { name: 'note', field: 'note', required: false, also: ['notes'] },
] as const;

export type ReturnColumn = (typeof RETURN_COLUMNS)[number];
export type ReturnColumnName = ReturnColumn['name'];
/** The key of a column in a ReturnRow, e.g. periodStart for period_start. */
export type ReturnField = ReturnColumn['field'];

export const COLUMN_LIST = RETURN_COLUMNS.map((c) => c.name).join(', ');

/** "Period start", "period_start", "Period-Start" and "PERIODSTART" all become "periodstart". */
export function headerKey(header: string): string {
  return header.toLowerCase().replace(/[\s_-]+/g, '');
}

const byKey = new Map<string, ReturnColumn>();
for (const column of RETURN_COLUMNS) {
  byKey.set(headerKey(column.name), column);
  for (const alias of column.also) byKey.set(alias, column);
}

export function columnForHeader(header: string): ReturnColumn | undefined {
  return byKey.get(headerKey(header));
}

export function columnByField(field: ReturnField): ReturnColumn {
  const column = RETURN_COLUMNS.find((c) => c.field === field);
  if (column === undefined) throw new Error(`no return column for field ${field}`);
  return column;
}

/** Spreadsheet column letters for a 0-based index: 0 -> A, 26 -> AA. */
export function columnLetters(index: number): string {
  let letters = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) {
    letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  }
  return letters;
}
