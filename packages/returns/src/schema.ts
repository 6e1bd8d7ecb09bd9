/**
 * One reading of a return: how each cell is read (spreadsheet-friendly readers) is written once,
 * below; the zod schema made of those readers is the source of truth for a row and for the
 * ReturnRow type, and reports what is wrong with a row. A fast path reads the rows that are
 * right with the same readers.
 */
import { z } from 'zod';
import {
  type CellProblem,
  cellText,
  isBlank,
  parseDateCell,
  parseNumberCell,
  type SpreadsheetCell,
} from './cells.js';

/** A row as it comes off the sheet: each column's cell; blank cells may be left out. */
export type ReturnRowInput = {
  /** The row number the spreadsheet shows: the header is row 1, the first reading row 2. */
  row: number;
  measure?: SpreadsheetCell;
  area?: SpreadsheetCell;
  periodStart?: SpreadsheetCell;
  periodEnd?: SpreadsheetCell;
  value?: SpreadsheetCell;
  numerator?: SpreadsheetCell;
  denominator?: SpreadsheetCell;
  sampleSize?: SpreadsheetCell;
  note?: SpreadsheetCell;
};

/** Carried on each zod issue so the reader can tell the officer what to do. */
export interface FixParams {
  fix: string;
}

const cellInput = z.custom<SpreadsheetCell | undefined>();

/** Reads one cell of a column: its value, or what is wrong with it. */
type CellReader<T> = (cell: SpreadsheetCell | undefined) => T | CellProblem;

/** Values are strings, numbers or undefined; only a problem is an object. */
const isProblem = (result: unknown): result is CellProblem => typeof result === 'object' && result !== null;

function missing(column: string, example: string): CellProblem {
  return { reason: `the ${column} is missing`, fix: `fill in the ${column}, e.g. ${example}` };
}

function text(column: string, example: string): CellReader<string> {
  return (cell) => (cell === undefined || isBlank(cell) ? missing(column, example) : checkedText(cellText(cell), column));
}

function optionalText(column: string): CellReader<string | undefined> {
  return (cell) => (cell === undefined || isBlank(cell) ? undefined : checkedText(cellText(cell), column));
}

/** U+FFFD is what a decoder leaves for bytes that are not UTF-8: Excel's plain "CSV" is Windows-1252. */
function checkedText(value: string, column: string): string | CellProblem {
  if (value.includes('\uFFFD')) {
    return {
      reason: `the ${column} has characters that could not be read, because the file is not saved as UTF-8`,
      fix: 'in Excel choose File > Save As and pick "CSV UTF-8 (Comma delimited) (*.csv)"',
    };
  }
  return value.trim();
}

function date(column: string): CellReader<string> {
  return (cell) => (cell === undefined || isBlank(cell) ? missing(column, '01/04/2008') : parseDateCell(cell));
}

function number(decimalComma: boolean): CellReader<number> {
  return (cell) => (cell === undefined || isBlank(cell) ? missing('value', '97 or 12.5') : parseNumberCell(cell, decimalComma));
}

function optionalNumber(decimalComma: boolean): CellReader<number | undefined> {
  return (cell) => (cell === undefined || isBlank(cell) ? undefined : parseNumberCell(cell, decimalComma));
}

function sampleSize(decimalComma: boolean): CellReader<number | undefined> {
  return (cell) => {
    if (cell === undefined || isBlank(cell)) return undefined;
    const result = parseNumberCell(cell, decimalComma);
    if (typeof result !== 'number') return result;
    if (!Number.isInteger(result) || result < 1) {
      return { reason: `"${cellText(cell)}" is not a whole number of people`, fix: 'write how many people answered the survey, e.g. 1100' };
    }
    return result;
  };
}

/** The cell readers of a row's columns, in the order of its fields. */
function cellReaders(decimalComma: boolean) {
  return {
    measure: text('measure', 'SAC'),
    area: text('area', 'DBC'),
    periodStart: date('period start'),
    periodEnd: date('period end'),
    value: number(decimalComma),
    numerator: optionalNumber(decimalComma),
    denominator: optionalNumber(decimalComma),
    sampleSize: sampleSize(decimalComma),
    note: optionalText('note'),
  };
}

/** A zod transform running a cell reader: a problem becomes an issue carrying its fix. */
function cellSchema<T>(read: CellReader<T>) {
  return cellInput.transform((cell, ctx): T => {
    const result = read(cell);
    if (!isProblem(result)) return result;
    ctx.issues.push({ code: 'custom', input: cell, message: result.reason, params: { fix: result.fix } satisfies FixParams });
    return z.NEVER;
  });
}

/**
 * The schema for one row. decimalComma: the file writes 12,5 for twelve and a half (a
 * ";"-separated CSV); otherwise "," only groups thousands (1,234.5).
 */
export function returnRowSchema(options: { decimalComma: boolean }) {
  const read = cellReaders(options.decimalComma);
  return z
    .object({
      row: z.int().positive(),
      measure: cellSchema(read.measure),
      area: cellSchema(read.area),
      periodStart: cellSchema(read.periodStart),
      periodEnd: cellSchema(read.periodEnd),
      value: cellSchema(read.value),
      numerator: cellSchema(read.numerator).optional(),
      denominator: cellSchema(read.denominator).optional(),
      sampleSize: cellSchema(read.sampleSize).optional(),
      note: cellSchema(read.note).optional(),
    })
    .superRefine((row, ctx) => {
      // ISO dates compare as text.
      if (row.periodEnd < row.periodStart) {
        ctx.issues.push({
          code: 'custom',
          path: ['periodEnd'],
          input: row.periodEnd,
          message: 'the period ends before it starts',
          params: { fix: 'check the period start and end; the end is the last day the reading covers, e.g. 30/04/2008' } satisfies FixParams,
        });
      }
    });
}

/**
 * The schema's reading of a row without zod, for the rows that are right (nearly all of a
 * large return): the same cell readers, one call each, no issue objects. Undefined when any
 * cell has a problem: the schema then says what (cells.test.ts checks the two agree).
 */
export function returnRowReader(options: { decimalComma: boolean }): (input: ReturnRowInput) => ReturnRow | undefined {
  const read = cellReaders(options.decimalComma);
  return (input) => {
    const measure = read.measure(input.measure);
    const area = read.area(input.area);
    const periodStart = read.periodStart(input.periodStart);
    const periodEnd = read.periodEnd(input.periodEnd);
    const value = read.value(input.value);
    const numerator = read.numerator(input.numerator);
    const denominator = read.denominator(input.denominator);
    const sampleSize = read.sampleSize(input.sampleSize);
    const note = read.note(input.note);
    if (
      !(Number.isInteger(input.row) && input.row > 0) ||
      isProblem(measure) ||
      isProblem(area) ||
      isProblem(periodStart) ||
      isProblem(periodEnd) ||
      isProblem(value) ||
      isProblem(numerator) ||
      isProblem(denominator) ||
      isProblem(sampleSize) ||
      isProblem(note) ||
      periodEnd < periodStart
    ) {
      return undefined;
    }
    const row: ReturnRow = { row: input.row, measure, area, periodStart, periodEnd, value };
    if (numerator !== undefined) row.numerator = numerator;
    if (denominator !== undefined) row.denominator = denominator;
    if (sampleSize !== undefined) row.sampleSize = sampleSize;
    if (note !== undefined) row.note = note;
    return row;
  };
}

/** A row of a return with decimal points (the usual UK CSV and every .xlsx). */
export const ReturnRowSchema = returnRowSchema({ decimalComma: false });

/** One reading as read from a return, before it is checked against the catalogue. */
export type ReturnRow = z.output<typeof ReturnRowSchema>;

/** Something wrong in one cell of a return (or in its header, row 1), in the officer's terms. */
export interface RowProblem {
  /** The row number the spreadsheet shows (the header is row 1). */
  row: number;
  /** The column's header as written in the file, e.g. "Period start". */
  column: string;
  /** The cell as the officer sees it ("" when it is blank). */
  value: string;
  /** What is wrong. */
  reason: string;
  /** What to do about it. */
  fix: string;
}
