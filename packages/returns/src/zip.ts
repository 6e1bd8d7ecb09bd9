/**
 * Just enough of the ZIP format to open an .xlsx: the central directory at the end of the
 * file says where each part is, whatever order the writing program put them in (Excel
 * writes the shared strings after the sheets; other programs write workbook.xml last).
 * Inflating is node:zlib's.
 */
import { Readable } from 'node:stream';
import { crc32, createInflateRaw, inflateRawSync } from 'node:zlib';

export interface ZipEntry {
  readonly name: string;
  readonly method: number;
  /** Of the uncompressed part: deflate has no check of its own, so damage shows only here. */
  readonly crc32: number;
  readonly compressedSize: number;
  readonly localHeaderOffset: number;
}

/** Thrown for anything that stops a part being read; the xlsx reader words it for the officer. */
export class DamagedZip extends Error {
  override readonly name = 'DamagedZip';
}

const END_OF_DIRECTORY = 0x06054b50;
const DIRECTORY_ENTRY = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;
const STORED = 0;
const DEFLATED = 8;
const SLICE = 64 * 1024;

/**
 * Limits against a "zip bomb" (a small file that unpacks to gigabytes): a part read whole may not
 * unpack beyond 64 MiB, and a sheet read piece by piece not beyond 500 times its packed size (real
 * returns pack 10-50 times; deflate at most ~1,030 times) once past 64 MiB.
 */
export const MAX_WHOLE_PART_BYTES = 64 * 1024 * 1024;
const MAX_PACKING_RATIO = 500;

/** A part unpacks to far more than any return: refused before it can fill the memory or the afternoon. */
export class PartTooLarge extends DamagedZip {
  constructor(name: string) {
    super(`its part ${name} unpacks to far more than any return could (a "zip bomb"?): save the return again from the spreadsheet program, or send it as CSV`);
  }
}

export function readZipDirectory(bytes: Uint8Array): Map<string, ZipEntry> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // The end record is 22 bytes plus a comment of at most 65,535.
  let end = -1;
  for (let at = bytes.length - 22; at >= 0 && at >= bytes.length - 22 - 0xffff; at--) {
    if (view.getUint32(at, true) === END_OF_DIRECTORY) {
      end = at;
      break;
    }
  }
  if (end < 0) throw new DamagedZip('the end of the file is missing');
  const count = view.getUint16(end + 10, true);
  const directorySize = view.getUint32(end + 12, true);
  let at = view.getUint32(end + 16, true);
  if (count === 0xffff || at === 0xffffffff) throw new DamagedZip('it is larger than 4 GB (ZIP64)');
  if (at + directorySize > end) throw new DamagedZip('its table of contents is damaged');

  const entries = new Map<string, ZipEntry>();
  const decoder = new TextDecoder();
  for (let i = 0; i < count; i++) {
    if (at + 46 > end || view.getUint32(at, true) !== DIRECTORY_ENTRY) throw new DamagedZip('its table of contents is damaged');
    const flags = view.getUint16(at + 8, true);
    const nameLength = view.getUint16(at + 28, true);
    const name = decoder.decode(bytes.subarray(at + 46, at + 46 + nameLength));
    if ((flags & 1) !== 0) throw new DamagedZip(`its part ${name} is encrypted`);
    entries.set(name, {
      name,
      method: view.getUint16(at + 10, true),
      crc32: view.getUint32(at + 16, true),
      compressedSize: view.getUint32(at + 20, true),
      localHeaderOffset: view.getUint32(at + 42, true),
    });
    at += 46 + nameLength + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
  }
  return entries;
}

/** Where the entry's data lies in the file. */
export function dataRange(bytes: Uint8Array, entry: ZipEntry): { start: number; end: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const header = entry.localHeaderOffset;
  if (header + 30 > bytes.length || view.getUint32(header, true) !== LOCAL_HEADER) {
    throw new DamagedZip(`its part ${entry.name} is damaged`);
  }
  const start = header + 30 + view.getUint16(header + 26, true) + view.getUint16(header + 28, true);
  const end = start + entry.compressedSize;
  if (end > bytes.length) throw new DamagedZip(`its part ${entry.name} is cut short`);
  if (entry.method !== STORED && entry.method !== DEFLATED) {
    throw new DamagedZip(`its part ${entry.name} is compressed in a way Beacon cannot read (method ${entry.method})`);
  }
  return { start, end };
}

/** A whole (small) part: workbook, relationships, styles, shared strings. */
export function readEntry(bytes: Uint8Array, entry: ZipEntry): Uint8Array {
  const { start, end } = dataRange(bytes, entry);
  const data = bytes.subarray(start, end);
  let part: Uint8Array;
  try {
    part = entry.method === STORED ? data : inflateRawSync(data, { maxOutputLength: MAX_WHOLE_PART_BYTES });
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw new PartTooLarge(entry.name);
    throw new DamagedZip(`its part ${entry.name} is damaged`, { cause: error });
  }
  if (crc32(part) !== entry.crc32) throw new DamagedZip(`its part ${entry.name} is damaged`);
  return part;
}

/**
 * A (large) part inflated piece by piece, so a big sheet never sits whole in memory.
 * onConsumed reports how far into the file the compressed data has been read.
 */
export async function* streamEntry(
  bytes: Uint8Array,
  entry: ZipEntry,
  onConsumed: (position: number) => void,
): AsyncGenerator<Uint8Array> {
  const { start, end } = dataRange(bytes, entry);
  function* slices() {
    for (let at = start; at < end; at += SLICE) {
      onConsumed(Math.min(at + SLICE, end));
      yield bytes.subarray(at, Math.min(at + SLICE, end));
    }
  }
  let crc = 0;
  if (entry.method === STORED) {
    for (const slice of slices()) {
      crc = crc32(slice, crc);
      yield slice;
    }
  } else {
    const inflater = Readable.from(slices(), { objectMode: false }).pipe(createInflateRaw());
    const most = Math.max(MAX_WHOLE_PART_BYTES, entry.compressedSize * MAX_PACKING_RATIO);
    let unpacked = 0;
    try {
      for await (const chunk of inflater) {
        unpacked += (chunk as Uint8Array).length;
        if (unpacked > most) throw new PartTooLarge(entry.name);
        crc = crc32(chunk as Uint8Array, crc);
        yield chunk as Uint8Array;
      }
    } catch (error) {
      if (error instanceof PartTooLarge) throw error;
      throw new DamagedZip(`its part ${entry.name} is damaged or cut short`, { cause: error });
    } finally {
      inflater.destroy();
    }
  }
  // Rows already handed on came from a part that turns out damaged: the reader must say so.
  if (crc !== entry.crc32) throw new DamagedZip(`its part ${entry.name} is damaged`);
}
