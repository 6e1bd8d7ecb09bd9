import type { Readable } from 'node:stream';

/** 20 MiB: a return of a few hundred thousand rows, far more than a partner agency sends. */
export const DEFAULT_MAX_UPLOAD_BYTES = 20 * 1024 * 1024;

const MB = 1024 * 1024;
const size = (bytes: number) => (bytes >= MB ? `${Math.round((bytes / MB) * 10) / 10} MB` : `${Math.round(bytes / 1024)} KB`);

/** The upload is larger than the service takes. An HTTP endpoint answers 413. */
export class UploadTooLarge extends Error {
  override readonly name = 'UploadTooLarge';
  constructor(readonly maxUploadBytes: number) {
    super(
      `The file is larger than Beacon takes: at most ${size(maxUploadBytes)} (${maxUploadBytes.toLocaleString('en-GB')} bytes). ` +
        'Nothing was stored. Split the return into smaller files, e.g. one per quarter, and send each.',
    );
  }
}

/** 100,000 readings: a partner agency's return has dozens; ten years of every measure for both boroughs is under 20,000. */
export const DEFAULT_MAX_RETURN_ROWS = 100_000;

/** The return has more rows than the service takes. An HTTP endpoint answers 413. */
export class TooManyRows extends Error {
  override readonly name = 'TooManyRows';
  constructor(readonly maxRows: number) {
    super(
      `The return has more than ${maxRows.toLocaleString('en-GB')} rows, the most Beacon takes in one return. ` +
        'Nothing was stored. Split it into smaller returns, e.g. one per quarter, and send each.',
    );
  }
}

/**
 * The bytes of an upload as they arrive, or undefined when it has none. Throws UploadTooLarge
 * as soon as more than `maxBytes` have come, so an oversized return is never checked whole
 * or stored: ingestReturn appends only after the last byte.
 *
 * The stream is left open (not destroyed) when reading stops early, so that an answer can
 * still be sent on its connection.
 */
export async function uploadBytes(stream: Readable, maxBytes: number): Promise<AsyncGenerator<Uint8Array> | undefined> {
  const chunks = stream.iterator({ destroyOnReturn: false });
  const first = await chunks.next();
  if (first.done) return undefined;
  return (async function* limited() {
    let total = 0;
    try {
      for (let next: IteratorResult<Uint8Array> = first; !next.done; next = await chunks.next()) {
        total += next.value.length;
        if (total > maxBytes) throw new UploadTooLarge(maxBytes);
        yield next.value;
      }
    } finally {
      await chunks.return?.();
    }
  })();
}

const headerValue = (header: string | string[] | undefined) => (Array.isArray(header) ? header[0] : header);

/** A file name from `filename*=UTF-8''...` or `filename="..."` of a Content-Disposition header. */
function fromContentDisposition(header: string): string | undefined {
  const extended = /filename\*\s*=\s*(?:utf-8|UTF-8)''([^;]+)/.exec(header);
  if (extended?.[1]) return decodeOrAsIs(extended[1].trim());
  const plain = /filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]+))/.exec(header);
  const name = plain?.[1]?.replace(/\\(.)/g, '$1') ?? plain?.[2]?.trim();
  return name || undefined;
}

function decodeOrAsIs(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Browsers on Windows may send "C:\fakepath\april.csv": only the last part is the file's name.
 * It is only ever text (messages, the record): a name that is no name at all ("..", "dir/") is "upload".
 */
export const baseName = (name: string) => {
  const last = name.split(/[\\/]/).pop() ?? '';
  return last === '' || last === '.' || last === '..' ? 'upload' : last;
};

/** The file's name from the X-File-Name header (percent-encoded when it is not ASCII), else Content-Disposition. */
export function fileNameFromHeaders(headers: Record<string, string | string[] | undefined>): string | undefined {
  const xFileName = headerValue(headers['x-file-name']);
  if (xFileName) return decodeOrAsIs(xFileName);
  const disposition = headerValue(headers['content-disposition']);
  return disposition ? fromContentDisposition(disposition) : undefined;
}
