/**
 * Properties of ingestReturn over inputs nobody would write on purpose (fast-check):
 *
 * (a) it never crashes: it resolves to an outcome, or rejects with one of the typed errors of a
 *     file that is not a return (UnsupportedReturnFormat, UnreadableReturn) — never anything else;
 * (b) it never stores anything partial: afterwards the store holds either nothing new, or exactly
 *     one complete return (ReturnReceived, then one ReadingRecorded per row of the file, and one
 *     ReadingSuperseded per correction), in the return's own stream.
 *
 * One real SQLite store per property, kept across its runs: each run compares the log after the
 * head position it started from.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32 } from 'node:zlib';
import { loadCatalogue } from '@beacon/catalogue';
import type { EventStore } from '@beacon/event-store';
import { openSqliteEventStore } from '@beacon/event-store-sqlite';
import { fromStoredEvent, streamOf } from '@beacon/events';
import { UnreadableReturn, UnsupportedReturnFormat } from '@beacon/returns';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IngestOutcome, ingestReturn } from './ingest-return.js';
import { readingsOnRecord } from './readings-on-record.js';

const catalogue = loadCatalogue();
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const sampleDir = join(repoRoot, 'data/sample-returns');
const xlsxFixture = new Uint8Array(readFileSync(join(repoRoot, 'packages/returns/test-fixtures/return.xlsx')));

interface Sample {
  file: string;
  agency: string;
  bytes: Uint8Array;
}
const manifest = JSON.parse(readFileSync(join(sampleDir, 'manifest.json'), 'utf8')) as { file: string; agency: string }[];
const samples: Sample[] = manifest.map(({ file, agency }) => ({ file, agency, bytes: new Uint8Array(readFileSync(join(sampleDir, file))) }));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'beacon-ingest-properties-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

let storeCount = 0;
async function withStore(body: (store: EventStore) => Promise<void>): Promise<void> {
  const store = await openSqliteEventStore({ file: join(dir, `events-${++storeCount}.sqlite`) });
  try {
    await body(store);
  } finally {
    await store.close();
  }
}

/**
 * Ingests the bytes and checks (a) and (b). `rowsInFile`, when the generator knows it, is how
 * many readings an accepted return must have. Returns the outcome (undefined for a typed error).
 */
async function ingestAndCheck(store: EventStore, bytes: Uint8Array, agency: string, fileName: string, rowsInFile?: number): Promise<IngestOutcome | undefined> {
  const head = await store.headPosition();
  let outcome: IngestOutcome | undefined;
  try {
    outcome = await ingestReturn(
      { source: { bytes }, fileName, agency, submitter: { kind: 'person', id: 'fuzz', agency } },
      { store, catalogue, readingsOnRecord: () => readingsOnRecord(store) },
    );
  } catch (error) {
    // (a): only the errors of a file that is not a return at all.
    if (!(error instanceof UnsupportedReturnFormat || error instanceof UnreadableReturn)) {
      throw new Error(`ingestReturn threw ${(error as Error)?.name}: ${(error as Error)?.message}`, { cause: error });
    }
  }
  const added = await store.readAll({ after: head });
  if (outcome?.status !== 'accepted') {
    // (b): rejected, already received or unreadable: nothing new.
    expect(added, `${outcome?.status ?? 'thrown'}: nothing may be stored`).toEqual([]);
    return outcome;
  }
  // (b): one return, whole.
  const stream = streamOf.return(outcome.returnId);
  expect(added.every((event) => event.stream === stream)).toBe(true);
  expect(added.map((event) => event.revision)).toEqual(added.map((_, i) => BigInt(i)));
  const events = added.map(fromStoredEvent);
  const [received] = events;
  if (received?.type !== 'ReturnReceived') return expect.fail(`the first event of ${stream} is ${received?.type}`);
  const recorded = events.filter((event) => event.type === 'ReadingRecorded');
  const superseded = events.filter((event) => event.type === 'ReadingSuperseded');
  expect(received.data.readingCount).toBe(outcome.readings);
  expect(recorded).toHaveLength(outcome.readings);
  expect(superseded).toHaveLength(outcome.corrections.length);
  expect(events).toHaveLength(1 + recorded.length + superseded.length);
  expect(recorded.every((event) => event.data.returnId === outcome.returnId)).toBe(true);
  if (rowsInFile !== undefined) expect(outcome.readings, 'readings of an accepted return = its rows').toBe(rowsInFile);
  return outcome;
}

// ---------------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------------

const HEADER = ['measure', 'area', 'period_start', 'period_end', 'value', 'numerator', 'denominator', 'sample_size', 'note'];
const POLICE_MEASURES = ['SAC', 'NI15', 'NTE_VIOLENCE', 'DA_REPEAT', 'NTE_SHARE'];
const pad2 = (n: number) => String(n).padStart(2, '0');
const lastDay = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

/** Cells that mean something to a return, right or wrong, and cells that mean nothing. */
const cell = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('SAC', 'NI15', 'NTE_VIOLENCE', 'DA_REPEAT', 'NTE_SHARE', 'SACC', 'NI39', 'NI95a', 'NI195', 'sac', 'ni 15') },
  { weight: 2, arbitrary: fc.constantFrom('DBC', 'GBC', 'Dartford', 'Gravesham', 'DGCDRP', 'Dartfrod', 'dbc') },
  {
    weight: 3,
    arbitrary: fc.constantFrom('01/04/2008', '30/04/2008', '31/04/2008', '1/4/2008', '2008-04-01', '04/13/2008', '01.04.2008', '01/04/08', '29/02/2009', '31/12/2099', '01/01/1899'),
  },
  {
    weight: 3,
    arbitrary: fc.constantFrom('0', '97', '-3', '12.5', '22.5%', '1,234', '1,234.5', '12,5', '1.234', '1e3', '1e999', '-0', '.5', '#DIV/0!', '100.0001', ' 42 ', '+7'),
  },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', '"', '""', ',', ';', '\t', '\r', '\n', '\r\n', '\uFEFF', '\uFFFD', '£', 'é', '–', '<b>', '\u0000') },
  { weight: 2, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }) },
);

const RATIO_MEASURES = new Set(['DA_REPEAT', 'NTE_SHARE']);

/** Figures that are right for the measure (a ratio's value worked from its numerator and denominator, to one decimal), or odd ones. */
const figures = (measure: string) =>
  fc.oneof(
    {
      weight: 5,
      arbitrary: RATIO_MEASURES.has(measure)
        ? fc
            .integer({ min: 1, max: 500 })
            .chain((denominator) => fc.tuple(fc.integer({ min: 0, max: denominator }), fc.constant(denominator)))
            .map(([numerator, denominator]) => [String(Math.round((1000 * numerator) / denominator) / 10), String(numerator), String(denominator)])
        : fc.integer({ min: 0, max: 300 }).map((count) => [String(count), '', '']),
    },
    {
      weight: 2,
      arbitrary: fc.tuple(
        fc.oneof({ weight: 2, arbitrary: fc.integer({ min: 0, max: 300 }).map(String) }, { weight: 1, arbitrary: cell }),
        fc.constantFrom('', '0', '5', '-5', '17', '1e999'),
        fc.constantFrom('', '0', '10', '58', '-10', '1e999'),
      ),
    },
  );

/** A police row that is right, or nearly: a coherent month, figures that fit the measure, sometimes odd ones. */
const plausibleRow = fc
  .record({
    measure: fc.constantFrom(...POLICE_MEASURES),
    area: fc.constantFrom('DBC', 'GBC', 'Dartford', 'Gravesham'),
    year: fc.integer({ min: 1900, max: 2099 }),
    month: fc.integer({ min: 1, max: 12 }),
    note: fc.oneof({ weight: 4, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.string({ maxLength: 20 }) }),
  })
  .chain((row) => figures(row.measure).map((figures) => ({ ...row, figures })))
  .map(({ measure, area, year, month, note, figures: [value, numerator, denominator] }) => [
    measure,
    area,
    `01/${pad2(month)}/${year}`,
    `${lastDay(year, month)}/${pad2(month)}/${year}`,
    value ?? '',
    numerator ?? '',
    denominator ?? '',
    '',
    note,
  ]);

const noiseRow = fc.array(cell, { maxLength: 11 });

const header: fc.Arbitrary<string[]> = fc.oneof(
  { weight: 6, arbitrary: fc.constant<string[]>(HEADER) },
  { weight: 1, arbitrary: fc.constant<string[]>(['Measure', 'Area', 'Period start', 'Period end', 'Value', 'Numerator', 'Denominator', 'Sample size', 'Notes']) },
  { weight: 1, arbitrary: fc.shuffledSubarray(HEADER, { minLength: 3 }) },
  { weight: 1, arbitrary: noiseRow },
);

interface CsvIsh {
  text: string;
  /** Data rows that are not blank, when the text is well-formed CSV with a usable-looking header. */
  rows: number | undefined;
}

/** A CSV cell as a spreadsheet program writes it: quoted when it holds the delimiter, a quote or a line break. */
const quote = (text: string, delimiter: string) => (text.includes(delimiter) || /["\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text);

const csvIsh: fc.Arbitrary<CsvIsh> = fc
  .record({
    header,
    rows: fc.array(fc.oneof({ weight: 12, arbitrary: plausibleRow }, { weight: 1, arbitrary: noiseRow }), { maxLength: 8 }),
    delimiter: fc.constantFrom(',', ',', ',', ',', ';', '\t'),
    lineEnd: fc.constantFrom('\r\n', '\n', '\r'),
    bom: fc.boolean(),
    wellFormed: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    trailingLineEnd: fc.boolean(),
  })
  .map(({ header, rows, delimiter, lineEnd, bom, wellFormed, trailingLineEnd }) => {
    const lines = [header, ...rows].map((cells) => cells.map((c) => (wellFormed ? quote(c, delimiter) : c)).join(delimiter));
    const text = `${bom ? '\uFEFF' : ''}${lines.join(lineEnd)}${trailingLineEnd ? lineEnd : ''}`;
    const headerUsable = header.some((c) => c.trim() !== '') && !header.some((c) => /[\r\n\uFEFF]/.test(c));
    const known = wellFormed && delimiter !== '\t' && headerUsable && !text.includes('\u0000');
    return { text, rows: known ? rows.filter((cells) => cells.some((c) => c.trim() !== '')).length : undefined };
  });

/** Data rows of a prefix of a sample return: its lines after the header that are not empty (samples have no quoted line breaks). */
function rowsOfPrefix(text: string): number {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  return lines.slice(1).filter((line) => line.replaceAll(',', '').trim() !== '').length;
}

const excelStyle = (bytes: Uint8Array) => new Uint8Array(Buffer.from(`\uFEFF${Buffer.from(bytes).toString('utf8').replaceAll('\n', '\r\n')}`, 'utf8'));

/** A zip of uncompressed ("stored") parts: enough to hand-craft an .xlsx whose sheet XML says exactly what a test needs. */
function storedZip(parts: Record<string, string>): Uint8Array {
  const locals: Buffer[] = [];
  const directory: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of Object.entries(parts)) {
    const data = Buffer.from(text, 'utf8');
    const nameBytes = Buffer.from(name, 'utf8');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc32(data), 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4);
    entry.writeUInt16LE(20, 6);
    entry.writeUInt32LE(crc32(data), 16);
    entry.writeUInt32LE(data.length, 20);
    entry.writeUInt32LE(data.length, 24);
    entry.writeUInt16LE(nameBytes.length, 28);
    entry.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    directory.push(entry, nameBytes);
    offset += local.length + nameBytes.length + data.length;
  }
  const directoryBytes = Buffer.concat(directory);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(parts).length, 8);
  end.writeUInt16LE(Object.keys(parts).length, 10);
  end.writeUInt32LE(directoryBytes.length, 12);
  end.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...locals, directoryBytes, end]));
}

/** A one-sheet workbook; each row is [cell reference, text] pairs written as inline strings. */
function craftedXlsx(rows: [ref: string, text: string][][]): Uint8Array {
  const ns = 'http://schemas.openxmlformats.org';
  const sheetData = rows
    .map((cells, i) => `<row r="${i + 1}">${cells.map(([ref, text]) => `<c r="${ref}" t="inlineStr"><is><t>${text}</t></is></c>`).join('')}</row>`)
    .join('');
  return storedZip({
    '_rels/.rels': `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="${ns}/package/2006/relationships"><Relationship Id="rId1" Type="${ns}/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    'xl/workbook.xml': `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="${ns}/spreadsheetml/2006/main" xmlns:r="${ns}/officeDocument/2006/relationships"><sheets><sheet name="Return" sheetId="1" r:id="rId1"/></sheets></workbook>`,
    'xl/_rels/workbook.xml.rels': `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="${ns}/package/2006/relationships"><Relationship Id="rId1" Type="${ns}/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
    'xl/worksheets/sheet1.xml': `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="${ns}/spreadsheetml/2006/main"><sheetData>${sheetData}</sheetData></worksheet>`,
  });
}

const headerCells = (): [string, string][] => HEADER.map((name, i) => [`${String.fromCharCode(65 + i)}1`, name]);
const rowCells = (row: number, cells: string[]): [string, string][] => cells.map((text, i) => [`${String.fromCharCode(65 + i)}${row}`, text]);

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

describe('ingestReturn never crashes and never stores part of a return', () => {
  it('random bytes', async () => {
    await withStore(async (store) => {
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ maxLength: 6_000 }), fc.constantFrom('return.csv', 'return.xlsx', 'return.xls', 'return'), async (bytes, fileName) => {
          await ingestAndCheck(store, bytes, 'north-kent-police', fileName);
        }),
        { numRuns: 120 },
      );
      expect(await store.headPosition()).toBe(0n);
    });
  }, 60_000);

  it('random bytes that start like a zip (an .xlsx)', async () => {
    const zipStarts = [new Uint8Array([0x50, 0x4b, 0x03, 0x04]), new Uint8Array([0x50, 0x4b, 0x05, 0x06]), xlsxFixture.subarray(0, 64)];
    await withStore(async (store) => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...zipStarts), fc.uint8Array({ maxLength: 4_000 }), async (start, rest) => {
          await ingestAndCheck(store, Buffer.concat([start, rest]), 'north-kent-police', 'return.xlsx');
        }),
        { numRuns: 60 },
      );
      expect(await store.headPosition()).toBe(0n);
    });
  }, 60_000);

  it('random CSV-ish text: cells right and wrong, quotes, delimiters, BOMs, CR/LF', async () => {
    await withStore(async (store) => {
      let accepted = 0;
      await fc.assert(
        fc.asyncProperty(csvIsh, async ({ text, rows }) => {
          const outcome = await ingestAndCheck(store, new Uint8Array(Buffer.from(text, 'utf8')), 'north-kent-police', 'fuzz.csv', rows);
          if (outcome?.status === 'accepted') accepted++;
        }),
        { numRuns: 300 },
      );
      // The generator is worth little if nothing it makes is ever a valid return.
      expect(accepted).toBeGreaterThan(0);
    });
  }, 60_000);

  it('every prefix of the real sample returns (as saved, and as Excel saves them: BOM + CRLF)', async () => {
    await withStore(async (store) => {
      let accepted = 0;
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...samples), fc.boolean(), fc.double({ min: 0, max: 1, noNaN: true }), async (sample, excel, share) => {
          const whole = excel ? excelStyle(sample.bytes) : sample.bytes;
          const prefix = whole.subarray(0, Math.round(whole.length * share));
          const rows = rowsOfPrefix(Buffer.from(prefix).toString('utf8'));
          const outcome = await ingestAndCheck(store, prefix, sample.agency, sample.file, rows);
          if (outcome?.status === 'accepted') accepted++;
        }),
        { numRuns: 150 },
      );
      expect(accepted).toBeGreaterThan(0);
    });
  }, 60_000);

  it('the whole sample returns are accepted, row for row', async () => {
    await withStore(async (store) => {
      for (const sample of samples.slice(0, 12)) {
        const outcome = await ingestAndCheck(store, sample.bytes, sample.agency, sample.file, rowsOfPrefix(Buffer.from(sample.bytes).toString('utf8')));
        expect(outcome?.status, sample.file).toBe('accepted');
      }
    });
  });

  it('every prefix of the real .xlsx fixture', async () => {
    await withStore(async (store) => {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 0, max: xlsxFixture.length }), fc.constantFrom('north-kent-police', 'kcvs'), async (length, agency) => {
          await ingestAndCheck(store, xlsxFixture.subarray(0, length), agency, 'return.xlsx');
        }),
        { numRuns: 120, examples: [[xlsxFixture.length, 'north-kent-police'], [xlsxFixture.length - 1, 'kcvs'], [0, 'kcvs']] },
      );
      expect(await store.headPosition()).toBe(0n);
    });
  }, 60_000);

  it('the real .xlsx fixture with bytes damaged', async () => {
    await withStore(async (store) => {
      const damage = fc.array(fc.tuple(fc.integer({ min: 0, max: xlsxFixture.length - 1 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 });
      await fc.assert(
        fc.asyncProperty(damage, async (patches) => {
          const bytes = new Uint8Array(xlsxFixture);
          for (const [at, byte] of patches) bytes[at] = byte;
          await ingestAndCheck(store, bytes, 'north-kent-police', 'return.xlsx');
        }),
        { numRuns: 100 },
      );
    });
  }, 60_000);

  it('a hand-made workbook (the crafting used by the next test) is read and accepted', async () => {
    await withStore(async (store) => {
      const bytes = craftedXlsx([headerCells(), rowCells(2, ['SAC', 'DBC', '01/04/2008', '30/04/2008', '97'])]);
      const outcome = await ingestAndCheck(store, bytes, 'north-kent-police', 'crafted.xlsx', 1);
      expect(outcome?.status).toBe('accepted');
    });
  });

  it('a cell reference far beyond Excel\'s last column (XFD) is refused at once, not read for seconds', async () => {
    // Excel has 16,384 columns (A to XFD). The reader turns r="CZZZZZ2" into column index
    // 48,000,757 and the row's cells into a sparse array that long, which the row reader then walks
    // cell by cell: about a second per row for a few bytes of XML, with the event loop blocked. A
    // seven-letter reference (MWLQKWU, the largest array index) costs ninety times as much, so a
    // small upload can keep the process busy for hours. A 1 KB workbook should take milliseconds.
    await withStore(async (store) => {
      const bytes = craftedXlsx([headerCells(), [...rowCells(2, ['SAC', 'DBC', '01/04/2008', '30/04/2008', '97']), ['CZZZZZ2', 'x']]]);
      const started = performance.now();
      await ingestAndCheck(store, bytes, 'north-kent-police', 'crafted.xlsx');
      expect(Math.round(performance.now() - started), 'ms to read a 1 KB workbook').toBeLessThan(300);
    });
  }, 60_000);
});
