/**
 * Which kind of file an upload is, from its first bytes: an .xlsx is a zip; CSV is text.
 * The content decides, not the name (officers rename files); the name only sharpens the
 * message for files Beacon cannot read.
 */
import { UnsupportedReturnFormat } from './errors.js';

export type ReturnFormat = 'csv' | 'xlsx';

/** How many leading bytes detection looks at. */
export const SNIFF_BYTES = 4096;

const startsWith = (head: Uint8Array, ...bytes: number[]) => bytes.every((b, i) => head[i] === b);

export function detectFormat(head: Uint8Array, fileName: string): ReturnFormat {
  const name = fileName.toLowerCase();
  // PK\3\4 starts a zip's first part; PK\5\6 is an empty zip, reported by the xlsx reader.
  if (startsWith(head, 0x50, 0x4b, 0x03, 0x04) || startsWith(head, 0x50, 0x4b, 0x05, 0x06)) return 'xlsx';
  if (startsWith(head, 0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1)) {
    // An OLE compound file: Excel 97-2003, or a password-protected .xlsx (encryption wraps it in OLE).
    const looksLike = name.endsWith('.xlsx')
      ? 'a password-protected Excel workbook (remove the password first)'
      : 'an Excel 97-2003 workbook (.xls), a password-protected workbook or another old Office document';
    throw new UnsupportedReturnFormat(fileName, 'xls-or-encrypted', looksLike);
  }
  if (startsWith(head, 0x25, 0x50, 0x44, 0x46)) throw new UnsupportedReturnFormat(fileName, 'pdf', 'a PDF document');
  if (
    startsWith(head, 0x89, 0x50, 0x4e, 0x47) ||
    startsWith(head, 0xff, 0xd8, 0xff) ||
    startsWith(head, 0x47, 0x49, 0x46, 0x38)
  ) {
    throw new UnsupportedReturnFormat(fileName, 'image', 'a picture');
  }
  if (startsWith(head, 0xff, 0xfe) || startsWith(head, 0xfe, 0xff)) {
    throw new UnsupportedReturnFormat(fileName, 'utf16-text', 'a "Unicode Text" (UTF-16) file');
  }
  const firstVisible = head.find((b) => b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0xef && b !== 0xbb && b !== 0xbf);
  if (firstVisible === 0x3c) {
    // "<": Excel's "Web Page" and "XML Spreadsheet 2003", or an HTML table saved as .xls.
    throw new UnsupportedReturnFormat(fileName, 'markup', 'a web page or an XML file');
  }
  // CSV text has no control characters other than tab, line feed and carriage return.
  for (const b of head) {
    if (b < 0x09 || (b > 0x0d && b < 0x20) || b === 0x0b || b === 0x0c) {
      throw new UnsupportedReturnFormat(fileName, 'binary', 'a binary file, not a spreadsheet saved as text');
    }
  }
  return 'csv';
}
