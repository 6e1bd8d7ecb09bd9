/**
 * CSV for Excel, safe to open: a text cell that starts with =, +, - or @ (or a tab or carriage
 * return, which Excel skips before looking) would be read as a formula, so it is prefixed with
 * an apostrophe and shown as the text it is (OWASP's advice on CSV injection). Numbers are
 * written as numbers: they cannot carry a formula.
 */
export type CsvCell = string | number | null | undefined;

export function csvCell(cell: CsvCell): string {
  if (cell === null || cell === undefined) return '';
  if (typeof cell === 'number') return Number.isFinite(cell) ? String(cell) : '';
  const text = /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A whole file: a BOM so Excel reads it as UTF-8, CRLF line ends as Excel writes them. */
export const csvFile = (rows: readonly (readonly CsvCell[])[]) => `\uFEFF${rows.map((row) => row.map(csvCell).join(',')).join('\r\n')}\r\n`;
