import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readAll, readFixture } from './collect.test-support.js';
import { readReturn, type ReturnProgress } from './read-return.js';

const HEADER = 'measure,area,period_start,period_end,value,numerator,denominator,sample_size,note';
const csv = (...lines: string[]) => ({ bytes: Buffer.from(`${lines.join('\r\n')}\r\n`) });

describe('CSV as Excel saves it', () => {
  it('reads "CSV UTF-8": byte order mark, CRLF, quoted commas, quotes and line breaks', async () => {
    const { format, rows, problems } = await readFixture('excel-utf8-bom-crlf.csv');
    expect(format).toEqual({ kind: 'format', format: 'csv', delimiter: ',' });
    expect(problems).toEqual([]);
    expect(rows).toEqual([
      { row: 2, measure: 'SAC', area: 'DBC', periodStart: '2008-04-01', periodEnd: '2008-04-30', value: 97 },
      { row: 3, measure: 'SAC', area: 'GBC', periodStart: '2008-04-01', periodEnd: '2008-04-30', value: 112, note: 'Burglary up, vehicle crime down' },
      { row: 4, measure: 'NI21', area: 'DBC', periodStart: '2008-10-01', periodEnd: '2008-12-31', value: 26.5, sampleSize: 1100, note: 'Place Survey "autumn" wave – £3k' },
      {
        row: 5,
        measure: 'DA_REPEAT',
        area: 'GBC',
        periodStart: '2008-04-01',
        periodEnd: '2008-06-30',
        value: 22.5,
        numerator: 45,
        denominator: 200,
        note: 'Two lines:\nMARAC cases',
      },
    ]);
  });

  it('reads a ";" file with decimal commas, as Excel writes in a locale that uses them', async () => {
    const { format, rows, problems } = await readFixture('semicolon-decimal-comma.csv');
    expect(format).toEqual({ kind: 'format', format: 'csv', delimiter: ';' });
    expect(problems).toEqual([]);
    expect(rows.map((r) => [r.row, r.measure, r.periodStart, r.periodEnd, r.value, r.numerator, r.denominator, r.sampleSize, r.note])).toEqual([
      [2, 'DA_REPEAT', '2008-04-01', '2008-06-30', 22.5, 45, 200, undefined, undefined],
      [3, 'NI39', '2008-04-01', '2009-03-31', 1234.5, undefined, undefined, undefined, 'Rate per 100,000'],
      [4, 'SAC', '2008-04-01', '2008-04-30', 97, undefined, undefined, undefined, undefined],
      [5, 'NI21', '2008-10-01', '2008-12-31', 26.5, undefined, undefined, 1100, 'Survey; autumn wave'],
    ]);
  });

  it('reads thousands separators and percentages, and skips blank trailing rows and columns', async () => {
    const { rows, problems } = await readFixture('thousands-percent-blank-trailing.csv');
    expect(problems).toEqual([]);
    expect(rows).toEqual([
      { row: 2, measure: 'NI40', area: 'DBC', periodStart: '2008-04-01', periodEnd: '2009-03-31', value: 1234 },
      { row: 3, measure: 'NI39', area: 'GBC', periodStart: '2008-04-01', periodEnd: '2009-03-31', value: 1234.5, numerator: 2469, denominator: 200000 },
      { row: 4, measure: 'NI117', area: 'DBC', periodStart: '2008-04-01', periodEnd: '2008-04-30', value: 12.5 },
      { row: 5, measure: 'ASB_HIGH', area: 'GBC', periodStart: '2008-04-01', periodEnd: '2009-03-31', value: 15.25, sampleSize: 1100 },
    ]);
  });

  it.each([
    ['Measure', 'Area', 'Period start', 'Period end', 'Value'],
    ['measure_id', 'AREA', 'period_start', 'Period-End', 'value '],
    ['Measure ID', 'area_id', 'PeriodStart', 'period end', 'VALUE'],
  ])('matches headers however they are written: %s, %s, %s, %s, %s', async (...headers) => {
    const { rows, problems } = await readAll(csv(headers.join(','), 'SAC,DBC,01/04/2008,30/04/2008,97'), { fileName: 'r.csv' });
    expect(problems).toEqual([]);
    expect(rows).toEqual([{ row: 2, measure: 'SAC', area: 'DBC', periodStart: '2008-04-01', periodEnd: '2008-04-30', value: 97 }]);
  });

  it('counts blank rows in the middle, so row numbers stay those Excel shows', async () => {
    const { rows } = await readAll(csv(HEADER, 'SAC,DBC,01/04/2008,30/04/2008,97,,,,', ',,,,,,,,', '', 'SAC,GBC,01/04/2008,30/04/2008,98,,,,'), {
      fileName: 'r.csv',
    });
    expect(rows.map((r) => [r.row, r.area])).toEqual([
      [2, 'DBC'],
      [5, 'GBC'],
    ]);
  });

  it('reads old Mac line endings (CR only) and LF', async () => {
    for (const newline of ['\r', '\n']) {
      const bytes = Buffer.from([HEADER, 'SAC,DBC,01/04/2008,30/04/2008,97,,,,', 'SAC,GBC,01/04/2008,30/04/2008,98,,,,'].join(newline));
      const { rows } = await readAll({ bytes }, { fileName: 'r.csv' });
      expect(rows.map((r) => r.row)).toEqual([2, 3]);
    }
  });
});

describe('problems name the row, column, value, reason and fix', () => {
  it('reports each bad cell of problems.csv, and stops at a quote that is never closed', async () => {
    const { rows, problems } = await readFixture('problems.csv');
    expect(rows).toEqual([]);
    expect(problems).toEqual([
      {
        row: 2,
        column: 'Period start',
        value: '31/04/2008',
        reason: '"31/04/2008" is not a real date: April 2008 has 30 days',
        fix: 'check the day and the month; write the date as dd/mm/yyyy, e.g. 01/04/2008',
      },
      {
        row: 3,
        column: 'Period start',
        value: '04/13/2008',
        reason: '"04/13/2008" has no month 13: dates are read day first (dd/mm/yyyy), never month first',
        fix: 'write the day first: 13/04/2008',
      },
      { row: 4, column: 'Period start', value: '01/04/08', reason: '"01/04/08" has a 2-digit year', fix: 'write the year in full, e.g. 01/04/2008' },
      { row: 5, column: 'Period start', value: 'April 2008', reason: '"April 2008" is not a date', fix: 'write the date as dd/mm/yyyy, e.g. 01/04/2008' },
      {
        row: 6,
        column: 'Value',
        value: 'ninety',
        reason: '"ninety" is not a number',
        fix: 'write just the number, e.g. 97, 12.5 or 1,234 (no units or words); a percentage may be written 12.5 or 12.5%',
      },
      {
        row: 7,
        column: 'Value',
        value: '12,5',
        reason: '"12,5" has a comma where a decimal point is expected (commas may only separate thousands, as in 1,234)',
        fix: 'write decimals with a point, e.g. 12.5',
      },
      {
        row: 8,
        column: 'Value',
        value: '#DIV/0!',
        reason: 'the cell shows the Excel error #DIV/0!, not a number',
        fix: 'correct the formula or type the number in; leave a column that is not required empty if there is no figure',
      },
      {
        row: 9,
        column: 'Sample size',
        value: '1100.5',
        reason: '"1100.5" is not a whole number of people',
        fix: 'write how many people answered the survey, e.g. 1100',
      },
      { row: 10, column: 'Measure', value: '', reason: 'the measure is missing', fix: 'fill in the measure, e.g. SAC' },
      { row: 10, column: 'Value', value: '', reason: 'the value is missing', fix: 'fill in the value, e.g. 97 or 12.5' },
      {
        row: 11,
        column: 'Period end',
        value: '30/04/2008',
        reason: 'the period ends before it starts',
        fix: 'check the period start and end; the end is the last day the reading covers, e.g. 30/04/2008',
      },
      {
        row: 12,
        column: 'column J',
        value: 'oops',
        reason: 'column J has a value but no heading',
        fix: 'delete the value, or move it into one of the columns: measure, area, period_start, period_end, value, numerator, denominator, sample_size, note',
      },
      {
        row: 13,
        column: 'Note',
        value: '"',
        reason: 'a quote (") opens in this cell and is never closed, so this row and every row after it could not be read',
        fix: 'close the quote or delete it; if the file came from Excel, save it from Excel again as CSV',
      },
    ]);
  });

  it('reports header problems against row 1 and reads no further', async () => {
    const { rows, problems } = await readFixture('header-problems.csv');
    expect(rows).toEqual([]);
    expect(problems).toEqual([
      {
        row: 1,
        column: 'Comments',
        value: 'Comments',
        reason: '"Comments" (column E) is not a column of a return',
        fix: 'rename or delete the column; the columns are: measure, area, period_start, period_end, value, numerator, denominator, sample_size, note',
      },
      { row: 1, column: 'area', value: 'area', reason: 'there are two area columns (the second is column F)', fix: 'keep one and delete the other' },
      {
        row: 1,
        column: 'period_end',
        value: '',
        reason: 'the return has no period_end column',
        fix: 'add a column headed "period_end" to the header row; the columns are: measure, area, period_start, period_end, value, numerator, denominator, sample_size, note',
      },
    ]);
  });

  it('keeps the reading of a row that has a value in a column without a heading out, with a problem', async () => {
    const { rows, problems } = await readAll(csv('measure,area,period_start,period_end,value,,', 'SAC,DBC,01/04/2008,30/04/2008,97,,', 'SAC,GBC,01/04/2008,30/04/2008,98,x,'), {
      fileName: 'r.csv',
    });
    expect(rows.map((r) => r.row)).toEqual([2]);
    expect(problems).toEqual([
      {
        row: 3,
        column: 'column F',
        value: 'x',
        reason: 'column F has a value but no heading',
        fix: 'delete the value, or move it into one of the columns: measure, area, period_start, period_end, value, numerator, denominator, sample_size, note',
      },
    ]);
  });

  it('reads a row with fewer cells than headers as blank at the end', async () => {
    const { rows, problems } = await readAll(csv(HEADER, 'SAC,DBC,01/04/2008,30/04/2008,97', 'SAC,GBC,01/04/2008'), { fileName: 'r.csv' });
    expect(rows.map((r) => r.row)).toEqual([2]);
    expect(problems.map((p) => [p.row, p.column, p.reason])).toEqual([
      [3, 'period_end', 'the period end is missing'],
      [3, 'value', 'the value is missing'],
    ]);
  });

  it('keeps a stray quote inside a field as text', async () => {
    const { rows } = await readAll(csv(HEADER, 'SAC,DBC,01/04/2008,30/04/2008,97,,,,5" of rain'), { fileName: 'r.csv' });
    expect(rows[0]?.note).toBe('5" of rain');
  });

  it('says so when a CSV is not UTF-8 (Excel\'s plain "CSV" is Windows-1252)', async () => {
    const bytes = Buffer.concat([Buffer.from(`${HEADER}\r\nSAC,DBC,01/04/2008,30/04/2008,97,,,,Losses `), Buffer.from([0xa3]), Buffer.from('3k\r\n')]);
    const { problems } = await readAll({ bytes }, { fileName: 'r.csv' });
    expect(problems).toEqual([
      {
        row: 2,
        column: 'note',
        value: 'Losses \uFFFD3k',
        reason: 'the note has characters that could not be read, because the file is not saved as UTF-8',
        fix: 'in Excel choose File > Save As and pick "CSV UTF-8 (Comma delimited) (*.csv)"',
      },
    ]);
  });

  it('reports an empty file, or one of blank rows, as a return without a header', async () => {
    for (const bytes of [Buffer.alloc(0), Buffer.from('\uFEFF'), Buffer.from(',,,\r\n,,,\r\n')]) {
      const { format, rows, problems } = await readAll({ bytes }, { fileName: 'empty.csv' });
      expect(format).toEqual({ kind: 'format', format: 'csv', delimiter: ',' });
      expect(rows).toEqual([]);
      expect(problems).toEqual([
        {
          row: 1,
          column: '',
          value: '',
          reason: 'the return is empty: it has no header row',
          fix: 'put the column headings in row 1 (measure, area, period_start, period_end, value, numerator, denominator, sample_size, note) and one reading in each row below',
        },
      ]);
    }
  });
});

describe('streaming', () => {
  const ROWS = 200_000;
  /** A CSV of ROWS readings, sent in 10,000-byte chunks; counts what has been pulled. */
  function bigCsv() {
    const pulled = { bytes: 0 };
    async function* chunks() {
      let text = `\uFEFF${HEADER}\r\n`;
      for (let i = 0; i < ROWS; i++) {
        text += `SAC,${i % 2 === 0 ? 'DBC' : 'GBC'},01/04/2008,30/04/2008,${i},,,,\r\n`;
        while (text.length >= 10_000) {
          const chunk = Buffer.from(text.slice(0, 10_000));
          text = text.slice(10_000);
          pulled.bytes += chunk.length;
          yield chunk;
        }
      }
      pulled.bytes += text.length;
      yield Buffer.from(text);
    }
    return { stream: Readable.from(chunks()), pulled };
  }

  it('yields every row of a 200,000-row CSV with its row number, reading it as it comes', async () => {
    const { stream, pulled } = bigCsv();
    let pulledAtFirstRow = 0;
    let count = 0;
    const wrong: unknown[] = [];
    for await (const item of readReturn({ stream }, { fileName: 'big.csv' })) {
      if (item.kind === 'problem') wrong.push(item.problem);
      if (item.kind !== 'row') continue;
      if (count === 0) pulledAtFirstRow = pulled.bytes;
      // Row n + 2 holds the value n.
      if (item.row.row !== count + 2 || item.row.value !== count) wrong.push(item.row);
      count++;
    }
    expect(wrong).toEqual([]);
    expect(count).toBe(ROWS);
    // The first reading came out long before the file was read (~7 MB).
    expect(pulledAtFirstRow).toBeLessThan(200_000);
    expect(pulled.bytes).toBeGreaterThan(7_000_000);
  });

  it('reports progress in bytes and rows as it goes', async () => {
    const { stream } = bigCsv();
    const progress: ReturnProgress[] = [];
    for await (const _ of readReturn({ stream }, { fileName: 'big.csv', onProgress: (p) => progress.push(p) })) {
      // Only the progress is wanted.
    }
    expect(progress.length).toBeGreaterThan(100);
    const last = progress.at(-1);
    expect(last?.rows).toBe(ROWS);
    expect(last?.bytesRead).toBeGreaterThan(7_000_000);
    for (let i = 1; i < progress.length; i++) {
      expect(progress[i]?.bytesRead).toBeGreaterThanOrEqual(progress[i - 1]?.bytesRead ?? 0);
      expect(progress[i]?.rows).toBeGreaterThanOrEqual(progress[i - 1]?.rows ?? 0);
    }
  });

  it('stops reading the stream when the caller stops', async () => {
    const { stream, pulled } = bigCsv();
    for await (const item of readReturn({ stream }, { fileName: 'big.csv' })) {
      if (item.kind === 'row') break;
    }
    expect(stream.destroyed).toBe(true);
    expect(pulled.bytes).toBeLessThan(200_000);
  });

  it('reads a Node stream of strings as well as of bytes', async () => {
    const stream = Readable.from([`${HEADER}\r\nSAC,DBC,01/04`, '/2008,30/04/2008,97,,,,\r\n']);
    const { rows } = await readAll({ stream }, { fileName: 'r.csv' });
    expect(rows).toEqual([{ row: 2, measure: 'SAC', area: 'DBC', periodStart: '2008-04-01', periodEnd: '2008-04-30', value: 97 }]);
  });
});
