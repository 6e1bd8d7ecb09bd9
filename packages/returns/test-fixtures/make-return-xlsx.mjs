// Writes return.xlsx with ExcelJS, a program other than Beacon's reader, so the tests read a
// workbook as another spreadsheet program writes it: real date cells, a percentage cell, a
// formula, shared strings, two sheets. ExcelJS is not a dependency of the project; run:
//   cd "$(mktemp -d)" && npm i exceljs@4.4.0 && node /path/to/packages/returns/test-fixtures/make-return-xlsx.mjs
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ExcelJS = createRequire(join(process.cwd(), 'noop.js'))('exceljs');
const here = dirname(fileURLToPath(import.meta.url));
// Date cells as ExcelJS writes them: midnight UTC of the day.
const day = (y, m, d) => new Date(Date.UTC(y, m - 1, d));

const workbook = new ExcelJS.Workbook();
const readings = workbook.addWorksheet('Readings');
readings.addRow(['Measure', 'Area', 'Period start', 'Period end', 'Value', 'Numerator', 'Denominator', 'Sample size', 'Note']);
readings.addRow(['SAC', 'DBC', day(2008, 4, 1), day(2008, 4, 30), 97, null, null, null, 'April; burglary up – £ losses']);
readings.addRow(['DA_REPEAT', 'GBC', day(2008, 4, 1), day(2008, 6, 30), 0.225, 45, 200, null, null]);
readings.getCell('E3').numFmt = '0.0%';
// Text dates and a number typed as text, as officers paste them.
readings.addRow(['NI21', 'DBC', '01/10/2008', '31/12/2008', '26.5', null, null, 1100, 'Place Survey']);
readings.addRow(['NTE_VIOLENCE', 'DBC', day(2009, 3, 1), day(2009, 3, 31), { formula: 'SUM(F5:G5)', result: 41 }, 20, 21]);
for (const cell of ['C2', 'D2', 'C3', 'D3', 'C5', 'D5']) readings.getCell(cell).numFmt = 'dd/mm/yyyy';

const q2 = workbook.addWorksheet('Q2 2008');
q2.addRow(['measure_id', 'area', 'period_start', 'period_end', 'value']);
q2.addRow(['SAC', 'GBC', day(2008, 7, 1), day(2008, 9, 30), 105]);
q2.getCell('C2').numFmt = 'd mmm yyyy';
q2.getCell('D2').numFmt = 'd mmm yyyy';

await workbook.xlsx.writeFile(join(here, 'return.xlsx'));
