import { createInflateRaw } from 'node:zlib';
import { DamagedZip, dataRange, readZipDirectory, type ZipEntry } from '@beacon/returns';

/**
 * The ingest API's own, configurable limit on what a workbook unpacks to (BEACON_MAX_WORKBOOK_BYTES),
 * checked before the return is read so the answer is a 413. The returns reader has fixed limits of
 * its own against zip bombs (packages/returns/src/zip.ts), which every other way in relies on.
 * Here every part is inflated once, counting bytes and keeping none, using the reader's own
 * table of contents.
 */

/** 128 MiB: four times what a 100,000-row return comes to (its sheet ~32 MB, its notes ~5 MB). */
export const DEFAULT_MAX_WORKBOOK_BYTES = 128 * 1024 * 1024;
/** Parts read whole (shared strings, styles, the workbook): 16 MiB each. */
const WHOLE_PART_SHARE = 8;

const MB = 1024 * 1024;
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

/** An .xlsx (like any zip) starts with a local file header, PK\3\4. */
export const looksLikeZip = (bytes: Uint8Array) => bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;

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
  let parts: ZipEntry[];
  try {
    parts = [...readZipDirectory(bytes).values()];
  } catch (error) {
    // A damaged zip is the returns reader's to report, in its words.
    if (error instanceof DamagedZip) return;
    throw error;
  }
  let total = 0;
  for (const part of parts) {
    let range: { start: number; end: number };
    try {
      range = dataRange(bytes, part);
    } catch (error) {
      if (error instanceof DamagedZip) continue;
      throw error;
    }
    const data = bytes.subarray(range.start, range.end);
    // Sheets are read as they inflate; anything else the reader holds whole.
    const partLimit = part.name.startsWith('xl/worksheets/') ? maxBytes : Math.floor(maxBytes / WHOLE_PART_SHARE);
    const size = part.method === DEFLATED ? await inflatedSize(data, Math.min(partLimit, maxBytes - total)) : data.length;
    total += size;
    if (total > maxBytes) throw new WorkbookTooLarge(fileName, 'the workbook', maxBytes);
    if (size > partLimit) throw new WorkbookTooLarge(fileName, `its part ${part.name}`, partLimit);
  }
}
