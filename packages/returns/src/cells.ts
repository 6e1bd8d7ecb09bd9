/**
 * Reading one spreadsheet cell as a number, a date or text, the way Excel writes them.
 * Readers run these for every cell of a large return, so the common shapes ("97",
 * "01/04/2008") are recognised by a character scan; regular expressions only run when
 * that fails.
 */

/** A cell as a reader hands it over: CSV gives text; an .xlsx also gives numbers and dates. */
export type SpreadsheetCell = string | number | Date;

/** Why a cell could not be read, and what the officer should do. */
export interface CellProblem {
  readonly reason: string;
  readonly fix: string;
}

const DATE_FIX = 'write the date as dd/mm/yyyy, e.g. 01/04/2008';

/** Errors Excel shows in a cell (and writes into a CSV) when a formula fails. */
const EXCEL_ERRORS = new Set(['#DIV/0!', '#N/A', '#NAME?', '#NULL!', '#NUM!', '#REF!', '#VALUE!', '#SPILL!', '#CALC!']);

/** The cell as the officer sees it, for messages; blank cells give "". */
export function cellText(cell: SpreadsheetCell | undefined): string {
  if (cell === undefined) return '';
  if (typeof cell === 'string') return cell;
  if (typeof cell === 'number') return String(cell);
  return isoFromDate(cell) ?? String(cell);
}

export function isBlank(cell: SpreadsheetCell | undefined): boolean {
  return cell === undefined || cell === '' || (typeof cell === 'string' && cell.trim() === '');
}

// ---------------------------------------------------------------------------
// Numbers
// ---------------------------------------------------------------------------

/** "97", "-3", "12.5", ".5": digits, at most one point, an optional sign. */
function plainNumber(text: string): number | undefined {
  const length = text.length;
  let i = text.charCodeAt(0) === 45 || text.charCodeAt(0) === 43 ? 1 : 0;
  let digits = 0;
  let points = 0;
  for (; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
    else if (c === 46) points++;
    else return undefined;
  }
  return digits > 0 && points <= 1 ? Number(text) : undefined;
}

const POINT_GROUPED = /^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$/;
const COMMA_GROUPED = /^[+-]?\d{1,3}([. \u00a0\u202f]\d{3})+(,\d*)?$/;
const COMMA_DECIMAL = /^[+-]?(\d+,\d*|,\d+)$/;
const EXPONENT = /^[+-]?(\d+\.?\d*|\.\d+)[eE][+-]?\d+$/;
/** With a decimal comma, "1.234" is 1234 to the file's author but 1.234 to a UK reader. */
const AMBIGUOUS_POINT = /^[+-]?\d{1,3}\.\d{3}$/;

/**
 * A number as Excel writes it. With decimalComma (a ";"-separated file, written by Excel in a
 * locale that writes 12,5) the comma is the decimal mark and ".", spaces group thousands;
 * otherwise "," groups thousands. A trailing % is dropped: readings are in the measure's own
 * unit, percentages written 0-100, so "12.5%" is 12.5.
 */
export function parseNumberText(raw: string, decimalComma: boolean): number | CellProblem {
  const result = readNumberText(raw, decimalComma);
  if (typeof result === 'number' && !Number.isFinite(result)) {
    return { reason: `"${raw.trim()}" is too large to be a figure`, fix: 'check the figure; write just the number, e.g. 97 or 12.5' };
  }
  return result;
}

function readNumberText(raw: string, decimalComma: boolean): number | CellProblem {
  let text = raw.trim();
  const percent = text.endsWith('%');
  if (percent) text = text.slice(0, -1).trimEnd();
  const plain = text === '' ? undefined : plainNumber(text);
  if (plain !== undefined) {
    if (!(decimalComma && AMBIGUOUS_POINT.test(text))) return plain;
    return {
      reason: `"${raw}" could mean ${text.replace('.', '')} or ${text}: this file separates columns with ";", so its numbers use a decimal comma`,
      fix: `write it without the thousands separator, e.g. ${text.replace('.', '')}, or with a decimal comma, e.g. ${text.replace('.', ',')}`,
    };
  }
  if (decimalComma) {
    if (COMMA_DECIMAL.test(text)) return Number(text.replace(',', '.'));
    if (COMMA_GROUPED.test(text)) return Number(text.replace(/[. \u00a0\u202f]/g, '').replace(',', '.'));
  } else if (POINT_GROUPED.test(text)) {
    return Number(text.replaceAll(',', ''));
  }
  if (EXPONENT.test(text)) return Number(text);
  return notANumber(raw, decimalComma);
}

function notANumber(raw: string, decimalComma: boolean): CellProblem {
  const text = raw.trim();
  if (EXCEL_ERRORS.has(text.toUpperCase())) {
    return {
      reason: `the cell shows the Excel error ${text}, not a number`,
      fix: 'correct the formula or type the number in; leave a column that is not required empty if there is no figure',
    };
  }
  if (!decimalComma && /^[+-]?\d*,\d+$/.test(text)) {
    return {
      reason: `"${raw}" has a comma where a decimal point is expected (commas may only separate thousands, as in 1,234)`,
      fix: `write decimals with a point, e.g. ${text.replace(',', '.')}`,
    };
  }
  return {
    reason: `"${raw}" is not a number`,
    fix: 'write just the number, e.g. 97, 12.5 or 1,234 (no units or words); a percentage may be written 12.5 or 12.5%',
  };
}

// ---------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function digitsAt(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

/** The calendar day a date cell shows: spreadsheet libraries and Beacon's xlsx reader give midnight UTC. */
function isoFromDate(date: Date): string | undefined {
  const year = date.getUTCFullYear();
  if (Number.isNaN(year)) return undefined;
  return `${year}-${pad2(date.getUTCMonth() + 1)}-${pad2(date.getUTCDate())}`;
}

const DAY_FIRST = /^(\d{1,2})([/.-])(\d{1,2})\2(\d{2,4})$/;
const ISO_LOOSE = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;

/**
 * A date written dd/mm/yyyy (also d/m/yyyy, dd.mm.yyyy or dd-mm-yyyy) or yyyy-mm-dd, as ISO
 * yyyy-mm-dd. Always day first: 04/05/2008 is 4 May, never 5 April.
 */
export function parseDateText(raw: string): string | CellProblem {
  const text = raw.trim();
  let day: number;
  let month: number;
  let year: number;
  if (text.length === 10 && text.charCodeAt(2) === 47 && text.charCodeAt(5) === 47) {
    day = digitsAt(text, 0, 2);
    month = digitsAt(text, 3, 5);
    year = digitsAt(text, 6, 10);
  } else if (text.length === 10 && text.charCodeAt(4) === 45 && text.charCodeAt(7) === 45) {
    year = digitsAt(text, 0, 4);
    month = digitsAt(text, 5, 7);
    day = digitsAt(text, 8, 10);
  } else {
    day = month = year = -1;
  }
  if (day < 0 || month < 0 || year < 0) {
    const dayFirst = DAY_FIRST.exec(text);
    const iso = dayFirst === null ? ISO_LOOSE.exec(text) : null;
    if (dayFirst !== null) {
      [day, month, year] = [Number(dayFirst[1]), Number(dayFirst[3]), Number(dayFirst[4])];
      if (dayFirst[4]?.length !== 4) {
        return { reason: `"${raw}" has a ${dayFirst[4]?.length}-digit year`, fix: `write the year in full, e.g. ${pad2(day)}/${pad2(month)}/2008` };
      }
    } else if (iso !== null) {
      [year, month, day] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
    } else {
      return { reason: `"${raw}" is not a date`, fix: DATE_FIX };
    }
  }
  return checkedDate(raw, year, month, day);
}

function checkedDate(raw: string, year: number, month: number, day: number): string | CellProblem {
  if (month < 1 || month > 12) {
    const usStyle = month > 12 && day >= 1 && day <= 12;
    return {
      reason: `"${raw}" has no month ${month}${usStyle ? ': dates are read day first (dd/mm/yyyy), never month first' : ''}`,
      fix: usStyle ? `write the day first: ${pad2(month)}/${pad2(day)}/${year}` : DATE_FIX,
    };
  }
  if (year < 1900 || year > 2099) {
    return { reason: `"${raw}" has the year ${year}`, fix: `check the year; ${DATE_FIX}` };
  }
  const last = daysInMonth(year, month);
  if (day < 1 || day > last) {
    return {
      reason: `"${raw}" is not a real date: ${MONTHS[month - 1]} ${year} has ${last} days`,
      fix: `check the day and the month; ${DATE_FIX}`,
    };
  }
  return `${year}-${pad2(month)}-${pad2(day)}`;
}

/** A date column's cell as an ISO date: text, or an .xlsx date cell. */
export function parseDateCell(cell: SpreadsheetCell): string | CellProblem {
  if (typeof cell === 'string') return parseDateText(cell);
  if (typeof cell === 'number') {
    return {
      reason: `the cell holds the number ${cell}, not a date`,
      fix: `format the cell as a date, or ${DATE_FIX}`,
    };
  }
  const iso = isoFromDate(cell);
  if (iso === undefined) return { reason: 'the cell holds an invalid date', fix: DATE_FIX };
  return checkedDate(iso, Number(iso.slice(0, 4)), Number(iso.slice(5, 7)), Number(iso.slice(8, 10)));
}

/** A number column's cell: text, or an .xlsx number cell. */
export function parseNumberCell(cell: SpreadsheetCell, decimalComma: boolean): number | CellProblem {
  if (typeof cell === 'number') {
    return Number.isFinite(cell) ? cell : { reason: `${cell} is not a number`, fix: 'type the number in' };
  }
  if (typeof cell === 'string') return parseNumberText(cell, decimalComma);
  return {
    reason: `the cell holds the date ${cellText(cell)}, not a number`,
    fix: 'format the cell as a number (Home > Number Format > Number) and type the figure in',
  };
}
