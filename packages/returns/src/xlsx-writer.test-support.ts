/**
 * For tests: writes small .xlsx workbooks the way Excel lays them out (sheets before styles
 * and shared strings in the zip), with the variations real files have that a test must be
 * able to ask for: 1904 dates, inline strings, cells without references, error cells, a
 * hidden first sheet, sheet files numbered against the tab order.
 */
import { crc32, deflateRawSync } from 'node:zlib';

/** A cell: text (a shared string), a number, or one of Excel's typed cells. */
export type CellSpec =
  | string
  | number
  | null
  | { date: number } // a day count, shown as a date (built-in format 14)
  | { percent: number } // stored as a fraction, shown as 12.5% (built-in format 10)
  | { inline: string }
  | { error: string }
  | { bool: boolean };

export interface SheetSpec {
  name: string;
  rows: CellSpec[][];
  hidden?: boolean;
  /** Row numbers to give the rows (Excel leaves out empty rows); default 1, 2, 3, ... */
  rowNumbers?: number[];
}

export interface WorkbookSpec {
  sheets: SheetSpec[];
  date1904?: boolean;
  /** Leave out the r="B2" references, as some programs do. */
  noCellRefs?: boolean;
  /** Number sheet files in reverse tab order (sheet1.xml is the last tab). */
  reverseSheetFiles?: boolean;
}

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function columnName(index: number): string {
  let name = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  return name;
}

export function makeXlsx(spec: WorkbookSpec): Uint8Array {
  const shared: string[] = [];
  const sharedIndex = new Map<string, number>();
  const share = (text: string) => {
    let index = sharedIndex.get(text);
    if (index === undefined) {
      index = shared.push(text) - 1;
      sharedIndex.set(text, index);
    }
    return index;
  };
  const cellXml = (cell: CellSpec, ref: string): string => {
    const r = spec.noCellRefs ? '' : ` r="${ref}"`;
    if (cell === null) return '';
    if (typeof cell === 'string') return `<c${r} t="s"><v>${share(cell)}</v></c>`;
    if (typeof cell === 'number') return `<c${r}><v>${cell}</v></c>`;
    if ('date' in cell) return `<c${r} s="1"><v>${cell.date}</v></c>`;
    if ('percent' in cell) return `<c${r} s="2"><v>${cell.percent}</v></c>`;
    if ('inline' in cell) return `<c${r} t="inlineStr"><is><t>${escapeXml(cell.inline)}</t></is></c>`;
    if ('error' in cell) return `<c${r} t="e"><f>1/0</f><v>${escapeXml(cell.error)}</v></c>`;
    return `<c${r} t="b"><v>${cell.bool ? 1 : 0}</v></c>`;
  };
  const sheetXml = (sheet: SheetSpec) => {
    const rows = sheet.rows.map((cells, i) => {
      const number = sheet.rowNumbers?.[i] ?? i + 1;
      const r = spec.noCellRefs ? '' : ` r="${number}"`;
      return `<row${r}>${cells.map((cell, c) => cellXml(cell, `${columnName(c)}${number}`)).join('')}</row>`;
    });
    return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${rows.join('')}</sheetData></worksheet>`;
  };

  const count = spec.sheets.length;
  const fileOf = (tab: number) => (spec.reverseSheetFiles ? count - tab : tab + 1);
  const sheetParts = spec.sheets.map((sheet, tab) => ({ name: `xl/worksheets/sheet${fileOf(tab)}.xml`, text: sheetXml(sheet) }));
  const ns = 'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"';
  const rel = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
  const parts = [
    {
      name: '[Content_Types].xml',
      text: '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>',
    },
    { name: '_rels/.rels', text: `<Relationships ${ns}><Relationship Id="rId1" Type="${rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>` },
    {
      name: 'xl/workbook.xml',
      text: `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="${rel}"><workbookPr${spec.date1904 ? ' date1904="1"' : ''}/><sheets>${spec.sheets
        .map((s, tab) => `<sheet name="${escapeXml(s.name)}" sheetId="${tab + 1}"${s.hidden ? ' state="hidden"' : ''} r:id="rId${tab + 1}"/>`)
        .join('')}</sheets></workbook>`,
    },
    {
      name: 'xl/_rels/workbook.xml.rels',
      text: `<Relationships ${ns}>${spec.sheets
        .map((_, tab) => `<Relationship Id="rId${tab + 1}" Type="${rel}/worksheet" Target="worksheets/sheet${fileOf(tab)}.xml"/>`)
        .join('')}<Relationship Id="rId${count + 1}" Type="${rel}/styles" Target="styles.xml"/><Relationship Id="rId${count + 2}" Type="${rel}/sharedStrings" Target="/xl/sharedStrings.xml"/></Relationships>`,
    },
    ...sheetParts,
    {
      name: 'xl/styles.xml',
      text: '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/><xf numFmtId="10" applyNumberFormat="1"/></cellXfs></styleSheet>',
    },
  ];
  // Shared strings last, as Excel writes them: the reader must not depend on the order.
  parts.push({
    name: 'xl/sharedStrings.xml',
    text: `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="${shared.length}">${shared
      .map((s) => `<si><t xml:space="preserve">${escapeXml(s)}</t></si>`)
      .join('')}</sst>`,
  });
  return zip(parts);
}

/** A zip of deflated parts with its central directory. */
export function zip(parts: { name: string; text: string }[]): Uint8Array {
  return zipOfPacked(
    parts.map((part) => {
      const data = Buffer.from(part.text);
      return { name: part.name, packed: deflateRawSync(data), size: data.length, crc: crc32(data) };
    }),
  );
}

/** A zip of parts already deflated (with their unpacked size and CRC), e.g. one far larger unpacked than packed. */
export function zipOfPacked(parts: { name: string; packed: Buffer; size: number; crc: number }[]): Uint8Array {
  const locals: Buffer[] = [];
  const directory: Buffer[] = [];
  let offset = 0;
  for (const part of parts) {
    const name = Buffer.from(part.name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(part.crc, 14);
    local.writeUInt32LE(part.packed.length, 18);
    local.writeUInt32LE(part.size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(part.crc, 16);
    central.writeUInt32LE(part.packed.length, 20);
    central.writeUInt32LE(part.size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, part.packed);
    directory.push(central, name);
    offset += local.length + name.length + part.packed.length;
  }
  const directoryBytes = Buffer.concat(directory);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(parts.length, 8);
  end.writeUInt16LE(parts.length, 10);
  end.writeUInt32LE(directoryBytes.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directoryBytes, end]);
}
