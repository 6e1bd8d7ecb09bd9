import { createInflateRaw } from 'node:zlib';

/**
 * A zip bomb is refused before the return is read. An .xlsx is a zip: a few kilobytes can inflate
 * to gigabytes, and the returns reader inflates the parts other than the sheets whole, in memory.
 * Here every part is inflated once, counting bytes and keeping none, and the workbook is refused
 * as soon as it comes to more than the limits: time and memory stay bounded whatever the file.
 */

/** 128 MiB: four times what a 100,000-row return comes to (its sheet ~32 MB, its notes ~5 MB). */
export const DEFAULT_MAX_WORKBOOK_BYTES = 128 * 1024 * 1024;
/** Parts read whole (shared strings, styles, the workbook): 16 MiB each. */
const WHOLE_PART_SHARE = 8;

const MB = 1024 * 1024;
const END_OF_DIRECTORY = 0x06054b50;
const DIRECTORY_ENTRY = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;
const DEFLATED = 8;

/** The workbook would inflate past the limit. An HTTP endpoint answers 413. */
export class WorkbookTooLarge extends Error {
  override readonly name = 'WorkbookTooLarge';
  constructor(fileName: string, what: string, limit: number) {
    super(
      `"${fileName}" unpacks to more than Beacon takes: ${what} comes to more than ${Math.round(limit / MB)} MB unpacked (an .xlsx is a zip). ` +
        'Nothing was stored. A return of ordinary size is far smaller: save the readings alone in a new workbook, or as CSV, and send that.',
    );
  }
}

/** An .xlsx (like any zip) starts with a local file header. */
export const looksLikeZip = (bytes: Uint8Array) => bytes.length >= 4 && new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, true) === LOCAL_HEADER;

interface Part {
  name: string;
  method: number;
  compressedSize: number;
  localHeaderOffset: number;
}

/** The zip's table of contents, or undefined if it cannot be read: the returns reader then says what is wrong with the file. */
function partsOf(bytes: Uint8Array): Part[] | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let end = -1;
  for (let at = bytes.length - 22; at >= 0 && at >= bytes.length - 22 - 0xffff; at--) {
    if (view.getUint32(at, true) === END_OF_DIRECTORY) {
      end = at;
      break;
    }
  }
  if (end < 0) return undefined;
  const parts: Part[] = [];
  let at = view.getUint32(end + 16, true);
  for (let i = view.getUint16(end + 10, true); i > 0; i--) {
    if (at + 46 > end || view.getUint32(at, true) !== DIRECTORY_ENTRY) return undefined;
    const nameLength = view.getUint16(at + 28, true);
    parts.push({
      name: new TextDecoder().decode(bytes.subarray(at + 46, at + 46 + nameLength)),
      method: view.getUint16(at + 10, true),
      compressedSize: view.getUint32(at + 20, true),
      localHeaderOffset: view.getUint32(at + 42, true),
    });
    at += 46 + nameLength + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
  }
  return parts;
}

/** Inflates `data`, counting, and stops as soon as more than `limit` bytes have come out. */
function inflatedSize(data: Uint8Array, limit: number): Promise<number> {
  return new Promise((resolve) => {
    const inflater = createInflateRaw();
    let size = 0;
    inflater.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        inflater.destroy();
        resolve(size);
      }
    });
    inflater.on('end', () => resolve(size));
    // Damaged data is the reader's to report; what came out so far is what counts here.
    inflater.on('error', () => resolve(size));
    inflater.end(data);
  });
}

/** Throws WorkbookTooLarge when the workbook's parts inflate to more than `maxBytes` in all, or a part read whole to more than an eighth of it. */
export async function refuseZipBomb(bytes: Uint8Array, fileName: string, maxBytes = DEFAULT_MAX_WORKBOOK_BYTES): Promise<void> {
  const parts = partsOf(bytes);
  if (!parts) return;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let total = 0;
  for (const part of parts) {
    const header = part.localHeaderOffset;
    if (header + 30 > bytes.length || view.getUint32(header, true) !== LOCAL_HEADER) continue;
    const start = header + 30 + view.getUint16(header + 26, true) + view.getUint16(header + 28, true);
    const data = bytes.subarray(start, Math.min(bytes.length, start + part.compressedSize));
    // Sheets are read as they inflate; anything else the reader holds whole.
    const partLimit = part.name.startsWith('xl/worksheets/') ? maxBytes : Math.floor(maxBytes / WHOLE_PART_SHARE);
    const size = part.method === DEFLATED ? await inflatedSize(data, Math.min(partLimit, maxBytes - total)) : data.length;
    total += size;
    if (total > maxBytes) throw new WorkbookTooLarge(fileName, 'the workbook', maxBytes);
    if (size > partLimit) throw new WorkbookTooLarge(fileName, `its part ${part.name}`, partLimit);
  }
}
