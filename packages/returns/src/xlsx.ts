/**
 * Reading one sheet of an .xlsx workbook as rows of cells, on saxes (streaming XML) and the
 * ZIP directory in zip.ts. The workbook's small parts (sheet names, styles, shared strings)
 * are read whole; the sheet itself is inflated and parsed piece by piece, and its rows are
 * handed on as they are parsed.
 */
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import type { SpreadsheetCell } from './cells.js';
import { UnreadableReturn, UnsupportedReturnFormat } from './errors.js';
import { DamagedZip, readEntry, readZipDirectory, streamEntry, type ZipEntry } from './zip.js';

export interface SheetRow {
  /** The row number Excel shows. */
  readonly row: number;
  /** By column: A is index 0. Missing cells are undefined. */
  readonly cells: (SpreadsheetCell | undefined)[];
}

/** How a number cell's format makes it read: Excel stores a date as a day count and 12.5% as 0.125. */
type NumberKind = 'date' | 'percent' | undefined;

interface Workbook {
  sheets: { name: string; path: string; visible: boolean }[];
  date1904: boolean;
  sharedStrings: string[];
  numberKinds: NumberKind[];
}

const REOPEN = 'Open it in Excel, save it again and upload the saved file';

/** "x:row" and "row" are the same element: some programs write the namespace prefix. */
function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(colon + 1);
}

function parseXml(
  xml: Uint8Array,
  handlers: { open?: (name: string, tag: SaxesTagPlain) => void; text?: (text: string) => void; close?: (name: string) => void },
): void {
  const parser = new SaxesParser();
  if (handlers.open) {
    const open = handlers.open;
    parser.on('opentag', (tag) => open(localName(tag.name), tag));
  }
  if (handlers.text) {
    parser.on('text', handlers.text);
    parser.on('cdata', handlers.text);
  }
  if (handlers.close) {
    const close = handlers.close;
    parser.on('closetag', (tag) => close(localName(tag.name)));
  }
  parser.write(new TextDecoder().decode(xml)).close();
}

/** Relationship targets are relative to the part's folder, or absolute from the package root. */
function resolveTarget(fromPart: string, target: string): string {
  if (target.startsWith('/')) return target.slice(1);
  const parts = fromPart.split('/').slice(0, -1);
  for (const segment of target.split('/')) {
    if (segment === '..') parts.pop();
    else if (segment !== '.') parts.push(segment);
  }
  return parts.join('/');
}

function relationships(zip: Map<string, ZipEntry>, bytes: Uint8Array, part: string): Map<string, { type: string; path: string }> {
  const slash = part.lastIndexOf('/');
  const relsPath = `${part.slice(0, slash + 1)}_rels/${part.slice(slash + 1)}.rels`;
  const entry = zip.get(relsPath);
  const rels = new Map<string, { type: string; path: string }>();
  if (entry === undefined) return rels;
  parseXml(readEntry(bytes, entry), {
    open(name, tag) {
      const { Id, Type, Target } = tag.attributes;
      if (name === 'Relationship' && Id && Type && Target && tag.attributes.TargetMode !== 'External') {
        rels.set(Id, { type: Type, path: resolveTarget(part, Target) });
      }
    },
  });
  return rels;
}

const relOfType = (rels: Map<string, { type: string; path: string }>, type: string) =>
  [...rels.values()].find((rel) => rel.type.endsWith(`/${type}`))?.path;

/** Built-in number formats that show a date or time (ids 27-36 and 50-58 are East Asian dates). */
function builtInKind(id: number): NumberKind {
  if ((id >= 14 && id <= 22) || (id >= 27 && id <= 36) || (id >= 45 && id <= 47) || (id >= 50 && id <= 58)) return 'date';
  return id === 9 || id === 10 ? 'percent' : undefined;
}

/**
 * A custom format code such as "dd/mm/yyyy;@" or "0.0%": its first section, without quoted
 * text, [colours and locales], \escapes and the _x (space) and *x (fill) pairs.
 */
function customKind(code: string): NumberKind {
  const bare = (code.split(';')[0] ?? '').replace(/"[^"]*"|\[[^\]]*\]|[\\_*]./g, '');
  if (bare.includes('%')) return 'percent';
  return /[dmyhs]/i.test(bare) ? 'date' : undefined;
}

function readStyles(zip: Map<string, ZipEntry>, bytes: Uint8Array, path: string | undefined): NumberKind[] {
  const entry = path === undefined ? undefined : zip.get(path);
  if (entry === undefined) return [];
  const custom = new Map<number, NumberKind>();
  const kinds: NumberKind[] = [];
  let inCellXfs = false;
  parseXml(readEntry(bytes, entry), {
    open(name, tag) {
      if (name === 'numFmt') {
        custom.set(Number(tag.attributes.numFmtId), customKind(tag.attributes.formatCode ?? ''));
      } else if (name === 'cellXfs') {
        inCellXfs = true;
      } else if (name === 'xf' && inCellXfs) {
        const id = Number(tag.attributes.numFmtId ?? 0);
        kinds.push(custom.has(id) ? custom.get(id) : builtInKind(id));
      }
    },
    close(name) {
      if (name === 'cellXfs') inCellXfs = false;
    },
  });
  return kinds;
}

function readSharedStrings(zip: Map<string, ZipEntry>, bytes: Uint8Array, path: string | undefined): string[] {
  const entry = path === undefined ? undefined : zip.get(path);
  if (entry === undefined) return [];
  const strings: string[] = [];
  let current = '';
  let inText = false;
  // Phonetic guides (<rPh>) repeat the text for Japanese readers; they are not the cell's text.
  let inPhonetic = false;
  parseXml(readEntry(bytes, entry), {
    open(name) {
      if (name === 'si') current = '';
      else if (name === 't') inText = !inPhonetic;
      else if (name === 'rPh') inPhonetic = true;
    },
    text(text) {
      if (inText) current += text;
    },
    close(name) {
      if (name === 't') inText = false;
      else if (name === 'rPh') inPhonetic = false;
      else if (name === 'si') strings.push(current);
    },
  });
  return strings;
}

function describeZip(zip: Map<string, ZipEntry>, bytes: Uint8Array, fileName: string): UnsupportedReturnFormat {
  const mimetype = zip.get('mimetype');
  const type = mimetype === undefined ? '' : new TextDecoder().decode(readEntry(bytes, mimetype));
  if (type.includes('opendocument.spreadsheet')) {
    return new UnsupportedReturnFormat(fileName, 'ods', 'an OpenDocument spreadsheet (.ods)');
  }
  return new UnsupportedReturnFormat(fileName, 'zip', 'a zip archive or an Office document that is not an Excel workbook');
}

function readWorkbook(zip: Map<string, ZipEntry>, bytes: Uint8Array, fileName: string): Workbook {
  const workbookPath = relOfType(relationships(zip, bytes, ''), 'officeDocument') ?? 'xl/workbook.xml';
  const workbookEntry = zip.get(workbookPath);
  if (workbookEntry === undefined || !workbookPath.endsWith('workbook.xml')) throw describeZip(zip, bytes, fileName);
  const rels = relationships(zip, bytes, workbookPath);
  const sheets: Workbook['sheets'] = [];
  let date1904 = false;
  parseXml(readEntry(bytes, workbookEntry), {
    open(name, tag) {
      if (name === 'workbookPr') {
        date1904 = tag.attributes.date1904 === '1' || tag.attributes.date1904 === 'true';
      } else if (name === 'sheet') {
        const relId = Object.entries(tag.attributes).find(([key]) => localName(key) === 'id')?.[1];
        const rel = relId === undefined ? undefined : rels.get(relId);
        // Chart sheets have no cells.
        if (rel?.type.endsWith('/worksheet')) {
          sheets.push({ name: tag.attributes.name ?? '', path: rel.path, visible: (tag.attributes.state ?? 'visible') === 'visible' });
        }
      }
    },
  });
  return {
    sheets,
    date1904,
    sharedStrings: readSharedStrings(zip, bytes, relOfType(rels, 'sharedStrings')),
    numberKinds: readStyles(zip, bytes, relOfType(rels, 'styles')),
  };
}

/** Excel counts days from 30/12/1899 (or from 1/1/1904); the time of day is dropped. */
function dateFromSerial(serial: number, date1904: boolean): Date {
  const days = Math.floor(serial) + (date1904 ? 1462 : 0);
  return new Date((days - 25569) * 86_400_000);
}

/** "AB12" -> 27: the column of a cell reference, 0-based. */
function columnIndex(ref: string): number {
  let index = 0;
  for (let i = 0; i < ref.length; i++) {
    const c = ref.charCodeAt(i);
    if (c < 65 || c > 90) break;
    index = index * 26 + (c - 64);
  }
  return index - 1;
}

/** 12.5% is stored as 0.125: readings write percentages 0-100, as the officer sees them. */
function percentOf(value: number): number {
  return Number((value * 100).toPrecision(15));
}

export interface OpenedSheet {
  readonly name: string;
  rows(onPosition: (position: number) => void): AsyncGenerator<SheetRow[]>;
}

/** Opens the workbook and picks the sheet: the named one, else the first visible one. */
export function openSheet(bytes: Uint8Array, fileName: string, sheetName: string | undefined): OpenedSheet {
  let workbook: Workbook;
  let zip: Map<string, ZipEntry>;
  try {
    zip = readZipDirectory(bytes);
    workbook = readWorkbook(zip, bytes, fileName);
  } catch (error) {
    throw unreadable(error, fileName);
  }
  const wanted = sheetName?.trim().toLowerCase();
  const sheet =
    wanted === undefined
      ? (workbook.sheets.find((s) => s.visible) ?? workbook.sheets[0])
      : workbook.sheets.find((s) => s.name.trim().toLowerCase() === wanted);
  const names = workbook.sheets.map((s) => `"${s.name}"`).join(', ');
  if (sheet === undefined) {
    throw wanted === undefined
      ? new UnreadableReturn(fileName, 'the workbook has no sheet with cells', 'Put the readings on the first sheet and upload it again.')
      : new UnreadableReturn(fileName, `the workbook has no sheet called "${sheetName}"`, `Its sheets are ${names}; choose one of them.`);
  }
  const entry = zip.get(sheet.path);
  if (entry === undefined) {
    throw new UnreadableReturn(fileName, `the sheet "${sheet.name}" is missing from the file`, `${REOPEN}.`);
  }
  return {
    name: sheet.name,
    rows: (onPosition) => sheetRows(bytes, entry, workbook, fileName, onPosition),
  };
}

function unreadable(error: unknown, fileName: string): Error {
  if (error instanceof UnsupportedReturnFormat || error instanceof UnreadableReturn) return error;
  const why = error instanceof DamagedZip ? error.message : `its contents are damaged (${(error as Error).message})`;
  return new UnreadableReturn(fileName, `it is not a complete Excel workbook: ${why}`, `The upload may have been cut short, or the file damaged. ${REOPEN}.`, {
    cause: error,
  });
}

async function* sheetRows(
  bytes: Uint8Array,
  entry: ZipEntry,
  workbook: Workbook,
  fileName: string,
  onPosition: (position: number) => void,
): AsyncGenerator<SheetRow[]> {
  const { sharedStrings, numberKinds, date1904 } = workbook;
  let rows: SheetRow[] = [];
  let row: SheetRow | undefined;
  let lastRow = 0;
  // The cell being read.
  let column = -1;
  let type = '';
  let style = 0;
  let text = '';
  let inValue = false;
  let inPhonetic = false;

  const parser = new SaxesParser();
  parser.on('opentag', (tag) => {
    switch (localName(tag.name)) {
      case 'row': {
        const r = tag.attributes.r;
        lastRow = r === undefined ? lastRow + 1 : Number(r);
        row = { row: lastRow, cells: [] };
        column = -1;
        break;
      }
      case 'c': {
        const r = tag.attributes.r;
        column = r === undefined ? column + 1 : columnIndex(r);
        // Excel stops at column XFD; a reference past it would make a sparse row millions of cells long.
        if (column >= 16_384) throw new UnreadableReturn(fileName, `its cell ${r ?? ''} is beyond Excel's last column (XFD)`, `${REOPEN}.`);
        type = tag.attributes.t ?? 'n';
        style = tag.attributes.s === undefined ? 0 : Number(tag.attributes.s);
        text = '';
        break;
      }
      case 'v':
        inValue = true;
        break;
      case 't':
        // Inline strings (<is><t>) may come as rich-text runs.
        inValue = !inPhonetic;
        break;
      case 'rPh':
        inPhonetic = true;
        break;
    }
  });
  const onText = (chunk: string) => {
    if (inValue) text += chunk;
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.on('closetag', (tag) => {
    switch (localName(tag.name)) {
      case 'v':
      case 't':
        inValue = false;
        break;
      case 'rPh':
        inPhonetic = false;
        break;
      case 'c':
        if (row !== undefined && text !== '') row.cells[column] = cellValue(type, text, style);
        break;
      case 'row':
        if (row !== undefined) rows.push(row);
        row = undefined;
        break;
    }
  });

  function cellValue(cellType: string, value: string, styleIndex: number): SpreadsheetCell {
    switch (cellType) {
      case 's':
        return sharedStrings[Number(value)] ?? '';
      case 'b':
        return value === '1' ? 'TRUE' : 'FALSE';
      case 'd':
        // An ISO date-time; its calendar day is what the cell shows.
        return new Date(`${value.slice(0, 10)}T00:00:00Z`);
      case 'n': {
        const number = Number(value);
        const kind = numberKinds[styleIndex];
        if (kind === 'date') return dateFromSerial(number, date1904);
        return kind === 'percent' ? percentOf(number) : number;
      }
      default:
        // inlineStr, str (a formula's text) and e (an error such as #DIV/0!) are shown as written.
        return value;
    }
  }

  const decoder = new TextDecoder();
  try {
    for await (const chunk of streamEntry(bytes, entry, onPosition)) {
      // stream: a character split between two chunks is decoded whole.
      parser.write(decoder.decode(chunk, { stream: true }));
      if (rows.length > 0) {
        yield rows;
        rows = [];
      }
    }
    parser.write(decoder.decode()).close();
  } catch (error) {
    throw unreadable(error, fileName);
  }
  if (rows.length > 0) yield rows;
}
