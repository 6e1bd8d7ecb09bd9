import { afterEach, describe, expect, it } from 'vitest';
import { fixture, readAll, readFixture } from './collect.test-support.js';
import { UnreadableReturn, UnsupportedReturnFormat } from './errors.js';
import { readReturn } from './read-return.js';
import { type CellSpec, makeXlsx, zip } from './xlsx-writer.test-support.js';
import { zipBomb } from './zip-bomb.test-support.js';

const HEADER: CellSpec[] = ['measure', 'area', 'period_start', 'period_end', 'value', 'numerator', 'denominator', 'sample_size', 'note'];
/** 1 April 2008 and 30 April 2008 as Excel stores them (days since 30/12/1899). */
const APRIL_1 = 39539;
const APRIL_30 = 39568;

const readXlsx = (bytes: Uint8Array, sheet?: string) => readAll({ bytes }, { fileName: 'return.xlsx', sheet });

describe('an .xlsx written by another program (ExcelJS)', () => {
  const expectedReadings = [
    { row: 2, measure: 'SAC', area: 'DBC', periodStart: '2008-04-01', periodEnd: '2008-04-30', value: 97, note: 'April; burglary up – £ losses' },
    // 22.5% is stored as 0.225 in a cell formatted 0.0%.
    { row: 3, measure: 'DA_REPEAT', area: 'GBC', periodStart: '2008-04-01', periodEnd: '2008-06-30', value: 22.5, numerator: 45, denominator: 200 },
    // Dates and the value typed as text.
    { row: 4, measure: 'NI21', area: 'DBC', periodStart: '2008-10-01', periodEnd: '2008-12-31', value: 26.5, sampleSize: 1100, note: 'Place Survey' },
    // The value is a formula: its saved result is read.
    { row: 5, measure: 'NTE_VIOLENCE', area: 'DBC', periodStart: '2009-03-01', periodEnd: '2009-03-31', value: 41, numerator: 20, denominator: 21 },
  ];

  it('reads the first sheet: date cells, a percentage cell, text cells and a formula', async () => {
    const { format, rows, problems } = await readFixture('return.xlsx');
    expect(format).toEqual({ kind: 'format', format: 'xlsx', sheet: 'Readings' });
    expect(problems).toEqual([]);
    expect(rows).toEqual(expectedReadings);
  });

  it('reads a sheet by name, whatever its case', async () => {
    for (const sheet of ['Q2 2008', 'q2 2008']) {
      const { format, rows } = await readFixture('return.xlsx', { sheet });
      expect(format).toEqual({ kind: 'format', format: 'xlsx', sheet: 'Q2 2008' });
      expect(rows).toEqual([{ row: 2, measure: 'SAC', area: 'GBC', periodStart: '2008-07-01', periodEnd: '2008-09-30', value: 105 }]);
    }
  });

  it('says which sheets there are when the one asked for is not there', async () => {
    const reading = readFixture('return.xlsx', { sheet: 'Q3 2008' });
    await expect(reading).rejects.toBeInstanceOf(UnreadableReturn);
    await expect(reading).rejects.toThrow(
      '"return.xlsx" cannot be read: the workbook has no sheet called "Q3 2008". Its sheets are "Readings", "Q2 2008"; choose one of them.',
    );
  });

  describe('date cells keep their calendar day in any time zone', () => {
    const original = process.env.TZ;
    afterEach(() => {
      process.env.TZ = original;
    });
    it.each(['Europe/London', 'America/Los_Angeles', 'Pacific/Kiritimati', 'Australia/Sydney'])('%s', async (zone) => {
      process.env.TZ = zone;
      const { rows } = await readFixture('return.xlsx');
      expect(rows.map((r) => [r.periodStart, r.periodEnd])).toEqual(expectedReadings.map((r) => [r.periodStart, r.periodEnd]));
    });
  });
});

describe('what real workbooks vary in', () => {
  it('reads dates of a workbook that counts from 1904 (old Mac Excel)', async () => {
    const bytes = makeXlsx({ date1904: true, sheets: [{ name: 'Sheet1', rows: [HEADER, ['SAC', 'DBC', { date: APRIL_1 - 1462 }, { date: APRIL_30 - 1462 }, 97]] }] });
    const { rows } = await readXlsx(bytes);
    expect(rows).toEqual([{ row: 2, measure: 'SAC', area: 'DBC', periodStart: '2008-04-01', periodEnd: '2008-04-30', value: 97 }]);
  });

  it('drops the time of day from a date-time cell', async () => {
    const bytes = makeXlsx({ sheets: [{ name: 'Sheet1', rows: [HEADER, ['SAC', 'DBC', { date: APRIL_1 + 0.99 }, { date: APRIL_30 + 0.5 }, 97]] }] });
    const { rows } = await readXlsx(bytes);
    expect(rows[0]).toMatchObject({ periodStart: '2008-04-01', periodEnd: '2008-04-30' });
  });

  it('reads percentage cells as the officer sees them (0-100)', async () => {
    const bytes = makeXlsx({
      sheets: [
        {
          name: 'Sheet1',
          rows: [
            HEADER,
            ['NI117', 'DBC', { date: APRIL_1 }, { date: APRIL_30 }, { percent: 0.07 }],
            ['ASB_HIGH', 'GBC', { date: APRIL_1 }, { date: APRIL_30 }, { percent: 0.152 }, null, null, 1100],
          ],
        },
      ],
    });
    const { rows } = await readXlsx(bytes);
    expect(rows.map((r) => [r.value, r.sampleSize])).toEqual([
      [7, undefined],
      [15.2, 1100],
    ]);
  });

  it('reads inline strings, cells without references, and keeps Excel row numbers across empty rows', async () => {
    const rows: CellSpec[][] = [HEADER, [{ inline: 'SAC' }, { inline: 'DBC' }, '01/04/2008', '30/04/2008', 97], [{ inline: 'SAC' }, 'GBC', '01/04/2008', '30/04/2008', 98]];
    const withGaps = await readXlsx(makeXlsx({ sheets: [{ name: 'Sheet1', rows, rowNumbers: [1, 2, 7] }] }));
    expect(withGaps.rows.map((r) => [r.row, r.measure, r.area, r.value])).toEqual([
      [2, 'SAC', 'DBC', 97],
      [7, 'SAC', 'GBC', 98],
    ]);
    const noRefs = await readXlsx(makeXlsx({ noCellRefs: true, sheets: [{ name: 'Sheet1', rows }] }));
    expect(noRefs.rows.map((r) => [r.row, r.area])).toEqual([
      [2, 'DBC'],
      [3, 'GBC'],
    ]);
  });

  it('reads the first visible sheet in tab order, whatever the order of the files inside', async () => {
    const bytes = makeXlsx({
      reverseSheetFiles: true,
      sheets: [
        { name: 'Instructions', hidden: true, rows: [['Fill in the Readings sheet']] },
        { name: 'Readings', rows: [HEADER, ['SAC', 'DBC', { date: APRIL_1 }, { date: APRIL_30 }, 97]] },
        { name: 'Lookups', rows: [['DBC', 'Dartford']] },
      ],
    });
    const { format, rows } = await readXlsx(bytes);
    expect(format).toEqual({ kind: 'format', format: 'xlsx', sheet: 'Readings' });
    expect(rows.map((r) => r.measure)).toEqual(['SAC']);
  });

  it('reports error cells, plain numbers in date columns and true/false cells as problems of their row', async () => {
    const bytes = makeXlsx({
      sheets: [{ name: 'Sheet1', rows: [HEADER, ['SAC', 'DBC', APRIL_1, { date: APRIL_30 }, { error: '#DIV/0!' }, { bool: true }]] }],
    });
    const { rows, problems } = await readXlsx(bytes);
    expect(rows).toEqual([]);
    expect(problems).toEqual([
      {
        row: 2,
        column: 'period_start',
        value: '39539',
        reason: 'the cell holds the number 39539, not a date',
        fix: 'format the cell as a date, or write the date as dd/mm/yyyy, e.g. 01/04/2008',
      },
      {
        row: 2,
        column: 'value',
        value: '#DIV/0!',
        reason: 'the cell shows the Excel error #DIV/0!, not a number',
        fix: 'correct the formula or type the number in; leave a column that is not required empty if there is no figure',
      },
      {
        row: 2,
        column: 'numerator',
        value: 'TRUE',
        reason: '"TRUE" is not a number',
        fix: 'write just the number, e.g. 97, 12.5 or 1,234 (no units or words); a percentage may be written 12.5 or 12.5%',
      },
    ]);
  });

  it('reports header problems of a sheet against its row 1', async () => {
    const bytes = makeXlsx({ sheets: [{ name: 'Sheet1', rows: [['Indicator', 'area', 'period_start', 'period_end', 'value'], ['SAC', 'DBC', { date: APRIL_1 }, { date: APRIL_30 }, 97]] }] });
    const { rows, problems } = await readXlsx(bytes);
    expect(rows).toEqual([]);
    expect(problems.map((p) => [p.row, p.column, p.reason])).toEqual([
      [1, 'Indicator', '"Indicator" (column A) is not a column of a return'],
      [1, 'measure', 'the return has no measure column'],
    ]);
  });

  it('reads 100,000 rows with notes in many alphabets without breaking a character', async () => {
    const notes = (i: number) => `reading ${i} – £${i} café ÆØÅ 日本語 😀`;
    const rows: CellSpec[][] = [HEADER];
    for (let i = 0; i < 100_000; i++) {
      const note = i % 2 === 0 ? notes(i) : { inline: notes(i) };
      rows.push(['SAC', 'DBC', { date: APRIL_1 }, { date: APRIL_30 }, i, null, null, null, note]);
    }
    let count = 0;
    const wrong: unknown[] = [];
    for await (const item of readReturn({ bytes: makeXlsx({ sheets: [{ name: 'Readings', rows }] }) }, { fileName: 'big.xlsx' })) {
      if (item.kind === 'problem') wrong.push(item.problem);
      if (item.kind !== 'row') continue;
      if (item.row.row !== count + 2 || item.row.value !== count || item.row.note !== notes(count)) wrong.push(item.row);
      count++;
    }
    expect(wrong).toEqual([]);
    expect(count).toBe(100_000);
  });
});

describe('zip bombs', () => {
  const reading = async (bytes: Uint8Array) => {
    const started = performance.now();
    const error = await readAll({ bytes }, { fileName: 'bomb.xlsx' }).catch((e: unknown) => e);
    return { error, seconds: (performance.now() - started) / 1000 };
  };

  it('refuses shared strings that unpack beyond 64 MiB, before unpacking them', async () => {
    // 70 MB of shared strings from a file of about 70 KB.
    const { error } = await reading(await zipBomb('xl/sharedStrings.xml', `<si><t>${'x'.repeat(1_000)}</t></si>`, 70_000));
    expect(error).toBeInstanceOf(UnreadableReturn);
    expect((error as Error).message).toMatch(/xl\/sharedStrings\.xml unpacks to far more than any return could/);
  });

  it('refuses a sheet that unpacks to hundreds of times its packed size, without reading it to the end', async () => {
    // 160 MB of sheet (comments, which a parser reads through) from about 160 KB: refused at
    // 80 MB, 500 times its packed size.
    const { error } = await reading(await zipBomb('xl/worksheets/sheet1.xml', `<!--${'x'.repeat(50_000)}-->`, 3_200));
    expect(error).toBeInstanceOf(UnreadableReturn);
    expect((error as Error).message).toMatch(/sheet1\.xml unpacks to far more than any return could/);
  });
});

describe('damaged workbooks', () => {
  const whole = fixture('return.xlsx');

  it.each([
    ['the first 100 bytes', 100],
    ['half', Math.floor(whole.length / 2)],
    ['all but the last 10 bytes', whole.length - 10],
  ])('an upload cut short (%s) is an UnreadableReturn, not a crash', async (_, length) => {
    const reading = readXlsx(whole.subarray(0, length));
    await expect(reading).rejects.toBeInstanceOf(UnreadableReturn);
    await expect(reading).rejects.toThrow(/"return\.xlsx" cannot be read: it is not a complete Excel workbook: .*The upload may have been cut short/);
  });

  it('a zip header followed by junk is an UnreadableReturn', async () => {
    const junk = Buffer.alloc(5000);
    for (let i = 0; i < junk.length; i++) junk[i] = (i * 7919) % 251;
    junk.write('PK\x03\x04', 0, 'latin1');
    await expect(readXlsx(junk)).rejects.toBeInstanceOf(UnreadableReturn);
  });

  it('a sheet damaged in the middle is an UnreadableReturn', async () => {
    const rows: CellSpec[][] = [HEADER];
    for (let i = 0; i < 20_000; i++) rows.push(['SAC', 'DBC', { date: APRIL_1 }, { date: APRIL_30 }, i]);
    const bytes = Buffer.from(makeXlsx({ sheets: [{ name: 'Readings', rows }] }));
    bytes.fill(0xff, 20_000, 20_400);
    await expect(readXlsx(bytes)).rejects.toBeInstanceOf(UnreadableReturn);
  });

  it('a sheet whose checksum does not match is an UnreadableReturn, even though it inflates', async () => {
    const bytes = Buffer.from(makeXlsx({ sheets: [{ name: 'Readings', rows: [HEADER, ['SAC', 'DBC', { date: APRIL_1 }, { date: APRIL_30 }, 97]] }] }));
    // The central directory's copy of the name comes last; its CRC-32 sits 30 bytes before the name.
    const name = bytes.lastIndexOf('xl/worksheets/sheet1.xml');
    bytes.writeUInt32LE(bytes.readUInt32LE(name - 30) ^ 1, name - 30);
    await expect(readXlsx(bytes)).rejects.toThrow('its part xl/worksheets/sheet1.xml is damaged.');
  });

  it('a zip that is not a workbook is an UnsupportedReturnFormat', async () => {
    const ods = zip([
      { name: 'mimetype', text: 'application/vnd.oasis.opendocument.spreadsheet' },
      { name: 'content.xml', text: '<office:document-content/>' },
    ]);
    await expect(readAll({ bytes: ods }, { fileName: 'return.ods' })).rejects.toThrow(
      '"return.ods" looks like an OpenDocument spreadsheet (.ods), which Beacon cannot read as a return.',
    );
    const docx = zip([{ name: 'word/document.xml', text: '<w:document/>' }]);
    await expect(readAll({ bytes: docx }, { fileName: 'return.docx' })).rejects.toMatchObject({
      name: 'UnsupportedReturnFormat',
      kind: 'zip',
    });
    await expect(readAll({ bytes: docx }, { fileName: 'return.docx' })).rejects.toBeInstanceOf(UnsupportedReturnFormat);
  });
});
