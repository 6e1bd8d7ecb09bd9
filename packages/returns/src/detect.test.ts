import { describe, expect, it } from 'vitest';
import { fixture, readAll } from './collect.test-support.js';
import { SAVE_AS_ADVICE, UnsupportedReturnFormat } from './errors.js';
import { readReturn } from './read-return.js';

const bytes = (...parts: (number[] | string)[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

describe('files that are not returns', () => {
  it.each([
    ['return.xls', bytes([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], '\0\0\0\0'), 'xls-or-encrypted', 'an Excel 97-2003 workbook (.xls), a password-protected workbook or another old Office document'],
    ['locked.xlsx', bytes([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], '\0\0\0\0'), 'xls-or-encrypted', 'a password-protected Excel workbook (remove the password first)'],
    ['return.pdf', bytes('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj'), 'pdf', 'a PDF document'],
    ['chart.png', bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], '\0\0\0\rIHDR'), 'image', 'a picture'],
    ['photo.jpg', bytes([0xff, 0xd8, 0xff, 0xe0], '\0\x10JFIF'), 'image', 'a picture'],
    ['return.txt', Buffer.from('\uFEFFmeasure\tarea\r\n', 'utf16le'), 'utf16-text', 'a "Unicode Text" (UTF-16) file'],
    ['return.xls', bytes('<html><body><table><tr><td>measure</td></tr></table></body></html>'), 'markup', 'a web page or an XML file'],
    ['return.xml', bytes([0xef, 0xbb, 0xbf], '<?xml version="1.0"?><?mso-application progid="Excel.Sheet"?>'), 'markup', 'a web page or an XML file'],
    ['return.csv', bytes('measure,area\r\n', [0, 1, 2, 3, 0xfe, 0x80, 0x00]), 'binary', 'a binary file, not a spreadsheet saved as text'],
    ['return.txt', bytes('measure\tarea\tperiod_start\tperiod_end\tvalue\r\nSAC\tDBC\t01/04/2008\t30/04/2008\t97\r\n'), 'tab-separated', 'tab-separated text (e.g. Excel\'s "Text (Tab delimited)")'],
  ])('%s: %s', async (fileName, content, kind, looksLike) => {
    const reading = readAll({ bytes: content }, { fileName });
    await expect(reading).rejects.toBeInstanceOf(UnsupportedReturnFormat);
    await expect(reading).rejects.toMatchObject({ kind, fileName, message: `"${fileName}" looks like ${looksLike}, which Beacon cannot read as a return. ${SAVE_AS_ADVICE}` });
  });

  it('says it before yielding anything', async () => {
    const reading = readReturn({ bytes: bytes('%PDF-1.7') }, { fileName: 'r.pdf' });
    await expect(reading.next()).rejects.toBeInstanceOf(UnsupportedReturnFormat);
  });
});

describe('the content decides, not the name', () => {
  it('reads an .xlsx named .csv as a workbook, and CSV text named .xlsx as CSV', async () => {
    const workbook = await readAll({ bytes: fixture('return.xlsx') }, { fileName: 'return.csv' });
    expect(workbook.format).toEqual({ kind: 'format', format: 'xlsx', sheet: 'Readings' });
    const text = await readAll({ bytes: fixture('excel-utf8-bom-crlf.csv') }, { fileName: 'return.xlsx' });
    expect(text.format).toEqual({ kind: 'format', format: 'csv', delimiter: ',' });
    expect(text.rows).toHaveLength(4);
  });

  it('detects an .xlsx sent as a stream in small chunks', async () => {
    const whole = fixture('return.xlsx');
    async function* trickle() {
      for (let at = 0; at < whole.length; at += 3) yield whole.subarray(at, at + 3);
    }
    const { format, rows } = await readAll({ stream: trickle() }, { fileName: 'return.xlsx' });
    expect(format).toEqual({ kind: 'format', format: 'xlsx', sheet: 'Readings' });
    expect(rows).toHaveLength(4);
  });
});
