/**
 * One reading of a return: the zod schema is the one source of truth for how a row's cells
 * are read (spreadsheet-friendly transforms) and for the ReturnRow type.
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

function fail(ctx: z.RefinementCtx, cell: unknown, problem: CellProblem): never {
  ctx.issues.push({ code: 'custom', input: cell, message: problem.reason, params: { fix: problem.fix } satisfies FixParams });
  return z.NEVER;
}

function missing(column: string, example: string): CellProblem {
  return { reason: `the ${column} is missing`, fix: `fill in the ${column}, e.g. ${example}` };
}

function text(column: string, example: string) {
  return cellInput.transform((cell, ctx) => {
    if (cell === undefined || isBlank(cell)) return fail(ctx, cell, missing(column, example));
    return checkedText(cellText(cell), column, ctx);
  });
}

function optionalText(column: string) {
  return cellInput
    .transform((cell, ctx) => (cell === undefined || isBlank(cell) ? undefined : checkedText(cellText(cell), column, ctx)))
    .optional();
}

/** U+FFFD is what a decoder leaves for bytes that are not UTF-8: Excel's plain "CSV" is Windows-1252. */
function checkedText(value: string, column: string, ctx: z.RefinementCtx): string {
  if (value.includes('\uFFFD')) {
    return fail(ctx, value, {
      reason: `the ${column} has characters that could not be read, because the file is not saved as UTF-8`,
      fix: 'in Excel choose File > Save As and pick "CSV UTF-8 (Comma delimited) (*.csv)"',
    });
  }
  return value.trim();
}

function date(column: string) {
  return cellInput.transform((cell, ctx) => {
    if (cell === undefined || isBlank(cell)) return fail(ctx, cell, missing(column, '01/04/2008'));
    const result = parseDateCell(cell);
    return typeof result === 'string' ? result : fail(ctx, cell, result);
  });
}

function number(decimalComma: boolean) {
  return cellInput.transform((cell, ctx) => {
    if (cell === undefined || isBlank(cell)) return fail(ctx, cell, missing('value', '97 or 12.5'));
    const result = parseNumberCell(cell, decimalComma);
    return typeof result === 'number' ? result : fail(ctx, cell, result);
  });
}

function optionalNumber(decimalComma: boolean) {
  return cellInput
    .transform((cell, ctx) => {
      if (cell === undefined || isBlank(cell)) return undefined;
      const result = parseNumberCell(cell, decimalComma);
      return typeof result === 'number' ? result : fail(ctx, cell, result);
    })
    .optional();
}

function sampleSize(decimalComma: boolean) {
  return cellInput
    .transform((cell, ctx) => {
      if (cell === undefined || isBlank(cell)) return undefined;
      const result = parseNumberCell(cell, decimalComma);
      if (typeof result !== 'number') return fail(ctx, cell, result);
      if (!Number.isInteger(result) || result < 1) {
        return fail(ctx, cell, {
          reason: `"${cellText(cell)}" is not a whole number of people`,
          fix: 'write how many people answered the survey, e.g. 1100',
        });
      }
      return result;
    })
    .optional();
}

/**
 * The schema for one row. decimalComma: the file writes 12,5 for twelve and a half (a
 * ";"-separated CSV); otherwise "," only groups thousands (1,234.5).
 */
export function returnRowSchema(options: { decimalComma: boolean }) {
  const { decimalComma } = options;
  return z
    .object({
      row: z.int().positive(),
      measure: text('measure', 'SAC'),
      area: text('area', 'DBC'),
      periodStart: date('period start'),
      periodEnd: date('period end'),
      value: number(decimalComma),
      numerator: optionalNumber(decimalComma),
      denominator: optionalNumber(decimalComma),
      sampleSize: sampleSize(decimalComma),
      note: optionalText('note'),
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
