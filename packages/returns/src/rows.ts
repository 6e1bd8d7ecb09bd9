/**
 * From a sheet's rows of cells to readings and problems: the part that CSV and .xlsx share.
 * The first row that is not blank is the header; each later row is one reading.
 */
import { cellText, isBlank, type SpreadsheetCell } from './cells.js';
import {
  COLUMN_LIST,
  columnByField,
  columnForHeader,
  columnLetters,
  RETURN_COLUMNS,
  type ReturnColumn,
  type ReturnField,
} from './columns.js';
import { type FixParams, type ReturnRow, type ReturnRowInput, type RowProblem, returnRowReader, returnRowSchema } from './schema.js';

export type ReturnRowResult = { kind: 'row'; row: ReturnRow } | { kind: 'problem'; problem: RowProblem };

const point = { decimalComma: false };
const comma = { decimalComma: true };
const readers = {
  point: { fast: returnRowReader(point), schema: returnRowSchema(point) },
  comma: { fast: returnRowReader(comma), schema: returnRowSchema(comma) },
};

/** Reads a sheet row by row; push() answers what each row yields. */
export class SheetRows {
  /** Per cell index: the field it holds, or undefined for a column without a header. */
  private fields: (ReturnField | undefined)[] | undefined;
  /** The header text each field was found under, for messages. */
  private readonly headers = new Map<ReturnField, string>();
  private readonly read;
  /** Rows after the header that were not blank. */
  rowsRead = 0;
  /** Set when the header is unusable: the rows after it are not read. */
  headerFailed = false;

  constructor(options: { decimalComma: boolean }) {
    this.read = options.decimalComma ? readers.comma : readers.point;
  }

  push(rowNumber: number, cells: readonly (SpreadsheetCell | undefined)[], out: ReturnRowResult[]): void {
    if (this.headerFailed) return;
    let blank = true;
    for (const cell of cells) {
      if (!isBlank(cell)) {
        blank = false;
        break;
      }
    }
    if (blank) return;
    if (this.fields === undefined) {
      this.readHeader(rowNumber, cells, out);
      return;
    }
    this.rowsRead++;
    this.readRow(rowNumber, cells, out);
  }

  /** The header text over a cell index, once the header is read. */
  headerOf(index: number): string | undefined {
    const field = this.fields?.[index];
    return field === undefined ? undefined : this.headers.get(field);
  }

  /** A file with no header at all (empty, or nothing but blank rows). */
  finish(out: ReturnRowResult[]): void {
    if (this.fields !== undefined || this.headerFailed) return;
    out.push({
      kind: 'problem',
      problem: {
        row: 1,
        column: '',
        value: '',
        reason: 'the return is empty: it has no header row',
        fix: `put the column headings in row 1 (${COLUMN_LIST}) and one reading in each row below`,
      },
    });
  }

  private readHeader(rowNumber: number, cells: readonly (SpreadsheetCell | undefined)[], out: ReturnRowResult[]): void {
    const problem = (column: string, value: string, reason: string, fix: string) =>
      out.push({ kind: 'problem', problem: { row: rowNumber, column, value, reason, fix } });
    const fields: (ReturnField | undefined)[] = [];
    const found = new Set<ReturnColumn>();
    cells.forEach((cell, index) => {
      if (isBlank(cell)) return;
      const header = cellText(cell).trim();
      const column = columnForHeader(header);
      if (column === undefined) {
        problem(header, header, `"${header}" (column ${columnLetters(index)}) is not a column of a return`, `rename or delete the column; the columns are: ${COLUMN_LIST}`);
      } else if (found.has(column)) {
        problem(header, header, `there are two ${column.name} columns (the second is column ${columnLetters(index)})`, 'keep one and delete the other');
      } else {
        found.add(column);
        fields[index] = column.field;
        this.headers.set(column.field, header);
      }
    });
    for (const column of RETURN_COLUMNS) {
      if (column.required && !found.has(column)) {
        problem(column.name, '', `the return has no ${column.name} column`, `add a column headed "${column.name}" to the header row; the columns are: ${COLUMN_LIST}`);
      }
    }
    if (out.length > 0) this.headerFailed = true;
    else this.fields = fields;
  }

  private readRow(rowNumber: number, cells: readonly (SpreadsheetCell | undefined)[], out: ReturnRowResult[]): void {
    const fields = this.fields ?? [];
    const input: ReturnRowInput = { row: rowNumber };
    let orphans: RowProblem[] | undefined;
    for (let i = 0; i < cells.length; i++) {
      const cell = cells[i];
      if (isBlank(cell)) continue;
      const field = fields[i];
      if (field !== undefined) {
        input[field] = cell;
      } else {
        orphans ??= [];
        orphans.push({
          row: rowNumber,
          column: `column ${columnLetters(i)}`,
          value: cellText(cell),
          reason: `column ${columnLetters(i)} has a value but no heading`,
          fix: `delete the value, or move it into one of the columns: ${COLUMN_LIST}`,
        });
      }
    }
    const row = this.read.fast(input);
    if (row !== undefined && orphans === undefined) {
      out.push({ kind: 'row', row });
      return;
    }
    // Something is wrong: the schema says what.
    for (const issue of this.read.schema.safeParse(input).error?.issues ?? []) {
      const field = issue.path[0] as ReturnField;
      const fix = (issue as { params?: Partial<FixParams> }).params?.fix;
      out.push({
        kind: 'problem',
        problem: {
          row: rowNumber,
          column: this.headers.get(field) ?? columnByField(field).name,
          value: cellText(input[field] as SpreadsheetCell | undefined),
          reason: issue.message,
          fix: fix ?? `correct the ${columnByField(field).name}`,
        },
      });
    }
    for (const problem of orphans ?? []) out.push({ kind: 'problem', problem });
  }
}
