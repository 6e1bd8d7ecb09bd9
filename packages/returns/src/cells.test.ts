import { describe, expect, it } from 'vitest';
import { parseDateCell, parseDateText, parseNumberCell, parseNumberText } from './cells.js';
import { type ReturnRowInput, ReturnRowSchema, returnRowReader, returnRowSchema } from './schema.js';

describe('numbers as Excel writes them', () => {
  it.each([
    ['97', 97],
    ['-3', -3],
    ['12.5', 12.5],
    ['.5', 0.5],
    [' 97 ', 97],
    ['1,234', 1234],
    ['1,234.5', 1234.5],
    ['12,345,678', 12345678],
    ['12.5%', 12.5],
    ['22.5 %', 22.5],
    ['100%', 100],
    ['1.5E+3', 1500],
  ])('%j with a decimal point is %d', (text, expected) => {
    expect(parseNumberText(text, false)).toBe(expected);
  });

  it.each([
    ['12,5', 12.5],
    ['1.234,5', 1234.5],
    ['1 234,5', 1234.5],
    ['1\u00a0234', 1234],
    ['1.234.567', 1234567],
    ['26,5%', 26.5],
    ['97', 97],
    ['12.5', 12.5],
  ])('%j with a decimal comma is %d', (text, expected) => {
    expect(parseNumberText(text, true)).toBe(expected);
  });

  it('does not guess whether 1.234 is a thousand or a decimal in a decimal-comma file', () => {
    expect(parseNumberText('1.234', true)).toEqual({
      reason: '"1.234" could mean 1234 or 1.234: this file separates columns with ";", so its numbers use a decimal comma',
      fix: 'write it without the thousands separator, e.g. 1234, or with a decimal comma, e.g. 1,234',
    });
  });

  it.each([
    ['ninety', '"ninety" is not a number'],
    ['97 crimes', '"97 crimes" is not a number'],
    ['1,23', '"1,23" has a comma where a decimal point is expected (commas may only separate thousands, as in 1,234)'],
    ['12,5', '"12,5" has a comma where a decimal point is expected (commas may only separate thousands, as in 1,234)'],
    ['1,2345', '"1,2345" has a comma where a decimal point is expected (commas may only separate thousands, as in 1,234)'],
    ['1,23,456', '"1,23,456" is not a number'],
    ['#N/A', 'the cell shows the Excel error #N/A, not a number'],
    ['#DIV/0!', 'the cell shows the Excel error #DIV/0!, not a number'],
    ['-', '"-" is not a number'],
    ['%', '"%" is not a number'],
    ['1.2.3', '"1.2.3" is not a number'],
  ])('%j is refused: %s', (text, reason) => {
    const result = parseNumberText(text, false);
    expect(result).toMatchObject({ reason });
    expect(result).toHaveProperty('fix', expect.any(String));
  });

  it('takes numeric xlsx cells as they are and refuses a date where a number belongs', () => {
    expect(parseNumberCell(13.7, false)).toBe(13.7);
    expect(parseNumberCell(new Date(Date.UTC(2008, 3, 1)), false)).toEqual({
      reason: 'the cell holds the date 2008-04-01, not a number',
      fix: 'format the cell as a number (Home > Number Format > Number) and type the figure in',
    });
  });
});

describe('dates: always day first', () => {
  it.each([
    ['01/04/2008', '2008-04-01'],
    ['1/4/2008', '2008-04-01'],
    ['31/3/2009', '2009-03-31'],
    ['04/05/2008', '2008-05-04'],
    ['2008-04-01', '2008-04-01'],
    ['2008-4-1', '2008-04-01'],
    ['01.04.2008', '2008-04-01'],
    ['01-04-2008', '2008-04-01'],
    [' 30/04/2008 ', '2008-04-30'],
    ['29/02/2008', '2008-02-29'],
  ])('%j is %s', (text, iso) => {
    expect(parseDateText(text)).toBe(iso);
  });

  it.each([
    ['31/04/2008', '"31/04/2008" is not a real date: April 2008 has 30 days', 'check the day and the month; write the date as dd/mm/yyyy, e.g. 01/04/2008'],
    ['29/02/2009', '"29/02/2009" is not a real date: February 2009 has 28 days', 'check the day and the month; write the date as dd/mm/yyyy, e.g. 01/04/2008'],
    ['00/04/2008', '"00/04/2008" is not a real date: April 2008 has 30 days', 'check the day and the month; write the date as dd/mm/yyyy, e.g. 01/04/2008'],
    ['04/13/2008', '"04/13/2008" has no month 13: dates are read day first (dd/mm/yyyy), never month first', 'write the day first: 13/04/2008'],
    ['01/00/2008', '"01/00/2008" has no month 0', 'write the date as dd/mm/yyyy, e.g. 01/04/2008'],
    ['01/04/08', '"01/04/08" has a 2-digit year', 'write the year in full, e.g. 01/04/2008'],
    ['01/04/0208', '"01/04/0208" has the year 208', 'check the year; write the date as dd/mm/yyyy, e.g. 01/04/2008'],
    ['April 2008', '"April 2008" is not a date', 'write the date as dd/mm/yyyy, e.g. 01/04/2008'],
    ['2008/04/01', '"2008/04/01" is not a date', 'write the date as dd/mm/yyyy, e.g. 01/04/2008'],
    ['39539', '"39539" is not a date', 'write the date as dd/mm/yyyy, e.g. 01/04/2008'],
  ])('%j is refused', (text, reason, fix) => {
    expect(parseDateText(text)).toEqual({ reason, fix });
  });

  it('reads a date cell as the calendar day it shows, and refuses a bare number', () => {
    expect(parseDateCell(new Date(Date.UTC(2009, 2, 31)))).toBe('2009-03-31');
    expect(parseDateCell(39539)).toEqual({
      reason: 'the cell holds the number 39539, not a date',
      fix: 'format the cell as a date, or write the date as dd/mm/yyyy, e.g. 01/04/2008',
    });
  });
});

describe('ReturnRowSchema', () => {
  it('turns the cells of a row into a reading, leaving empty optional cells out', () => {
    const parsed = ReturnRowSchema.parse({
      row: 2,
      measure: ' SAC ',
      area: 'DBC',
      periodStart: '01/04/2008',
      periodEnd: '30/04/2008',
      value: '97',
      numerator: '',
      note: '   ',
    });
    expect(parsed).toEqual({ row: 2, measure: 'SAC', area: 'DBC', periodStart: '2008-04-01', periodEnd: '2008-04-30', value: 97 });
    expect(parsed.numerator).toBeUndefined();
    expect(parsed.note).toBeUndefined();
  });

  it('reads decimal commas only when asked', () => {
    const row = { row: 3, measure: 'DA_REPEAT', area: 'GBC', periodStart: '01/04/2008', periodEnd: '30/06/2008', value: '22,5' };
    expect(returnRowSchema({ decimalComma: true }).parse(row).value).toBe(22.5);
    expect(ReturnRowSchema.safeParse(row).success).toBe(false);
  });

  it('reports every bad cell of a row, each with a fix', () => {
    const result = ReturnRowSchema.safeParse({ row: 5, area: 'DBC', periodStart: '31/04/2008', periodEnd: '30/04/2008', value: 'n/a', sampleSize: '12.5' });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => [i.path[0], i.message, (i as { params?: { fix?: string } }).params?.fix])).toEqual([
      ['measure', 'the measure is missing', 'fill in the measure, e.g. SAC'],
      ['periodStart', '"31/04/2008" is not a real date: April 2008 has 30 days', 'check the day and the month; write the date as dd/mm/yyyy, e.g. 01/04/2008'],
      ['value', '"n/a" is not a number', 'write just the number, e.g. 97, 12.5 or 1,234 (no units or words); a percentage may be written 12.5 or 12.5%'],
      ['sampleSize', '"12.5" is not a whole number of people', 'write how many people answered the survey, e.g. 1100'],
    ]);
  });

  it('has a fast path that reads every row the schema accepts exactly as the schema does, and no other', () => {
    const cells = {
      text: ['SAC', ' sac ', 'NI 95', 'DBC', '', '   ', 'bad \uFFFD', 97, new Date(Date.UTC(2008, 3, 1))],
      date: ['01/04/2008', '1/4/2008', '2008-04-01', '30/04/2008', '01.04.2008', '31/04/2008', '04/13/2008', '01/04/08', 'April 2008', '29/02/2009', '01/01/1899', '', new Date(Date.UTC(2008, 3, 30)), new Date(Number.NaN), 39_539],
      number: ['97', '-3', '12.5', '.5', '12.5%', ' 15.25 ', '1,234', '1,234.5', '1.234,5', '1.234', '12,5', '22,5%', '1e3', '1e999', '#DIV/0!', 'ninety', '', 97, 0.5, Number.NaN, Number.POSITIVE_INFINITY, new Date(Date.UTC(2008, 3, 1))],
      sampleSize: ['1100', '1,100', '0', '12.5', '-1', '', 400, 0.5],
    };
    const fields = {
      measure: cells.text,
      area: cells.text,
      periodStart: cells.date,
      periodEnd: cells.date,
      value: cells.number,
      numerator: cells.number,
      denominator: cells.number,
      sampleSize: cells.sampleSize,
      note: cells.text,
    } as const;
    let seed = 7;
    const pick = <T>(from: readonly T[]): T => {
      seed = (seed * 48_271) % 2_147_483_647;
      return from[seed % from.length] as T;
    };
    let accepted = 0;
    for (const decimalComma of [false, true]) {
      const [fast, schema] = [returnRowReader({ decimalComma }), returnRowSchema({ decimalComma })];
      for (let i = 0; i < 20_000; i++) {
        const input: ReturnRowInput = { row: pick([2, 3, 1_048_576, 0, 2.5]) };
        // Mostly cells that read, so that many rows pass; a field left out is a blank cell.
        for (const [field, values] of Object.entries(fields)) {
          const roll = pick([0, 1, 2, 3, 4, 5, 6, 7]);
          if (roll === 0) continue;
          input[field as keyof typeof fields] = roll < 6 ? values[0] : pick(values);
        }
        const parsed = schema.safeParse(input);
        if (parsed.success) accepted++;
        expect(fast(input), JSON.stringify(input)).toEqual(parsed.success ? parsed.data : undefined);
      }
    }
    expect(accepted).toBeGreaterThan(1_000);
  });
});
