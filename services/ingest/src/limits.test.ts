/**
 * The returns endpoint's limits over real HTTP: rows per return, uploads per minute per token, and
 * how far an .xlsx may unpack (zip bombs). Each answer names the limit; nothing is stored.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tokenFor } from '@beacon/accounts/test-support';
import { loadCatalogue } from '@beacon/catalogue';
import { openSqliteEventStore } from '@beacon/event-store-sqlite';
import { fromStoredEvent } from '@beacon/events';
import { createAuth } from '@beacon/http-auth';
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { makeXlsx } from '../../../packages/returns/src/xlsx-writer.test-support.js';
import { buildIngestServer, type IngestServerOptions } from './server.js';
import { zipBomb } from '@beacon/returns/test-support';

const catalogue = loadCatalogue();
const HEADER = 'measure,area,period_start,period_end,value,numerator,denominator,sample_size,note';
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'beacon-ingest-limits-'));
  return () => rm(dir, { recursive: true, force: true });
});

let count = 0;
async function serve(limits: Pick<IngestServerOptions, 'maxRowsPerReturn' | 'uploadsPerMinute' | 'maxWorkbookBytes'>) {
  const store = await openSqliteEventStore({ file: join(dir, `events-${++count}.sqlite`) });
  const auth = createAuth({ store, catalogue });
  const token = await tokenFor(auth.accounts, 'nkp.officer', 'data-officer', 'north-kent-police');
  const app = buildIngestServer({ store, catalogue, auth, ...limits });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  onTestFinished(async () => {
    await app.close();
    await store.close();
  });
  const head = await store.headPosition();
  const post = (body: Uint8Array | string, fileName = 'return.csv', authorization = `Bearer ${token}`) =>
    fetch(`${url}/returns?agency=north-kent-police&fileName=${encodeURIComponent(fileName)}`, { method: 'POST', body, headers: { authorization, 'content-type': 'application/octet-stream' } });
  /** The types of the events stored since the set-up. */
  const storedSince = async () => (await store.readAll({ after: head })).map((event) => fromStoredEvent(event).type);
  return { post, storedSince, token };
}

/** n monthly SAC readings for Dartford, one a month from April 1950, so none repeats another. */
function sacRows(n: number): string {
  const rows = [HEADER];
  for (let i = 0; i < n; i++) {
    const year = 1950 + Math.floor(i / 12);
    const month = String((i % 12) + 1).padStart(2, '0');
    const last = new Date(Date.UTC(year, (i % 12) + 1, 0)).getUTCDate();
    rows.push(`SAC,DBC,01/${month}/${year},${last}/${month}/${year},${100 + (i % 50)},,,,`);
  }
  return `${rows.join('\r\n')}\r\n`;
}

describe('rows per return', () => {
  it('takes a return of exactly the limit, and answers 413 naming the limit for one row more; nothing stored', async () => {
    const { post, storedSince } = await serve({ maxRowsPerReturn: 500 });
    expect((await post(sacRows(500))).status).toBe(201);
    const over = await post(sacRows(501), 'too-many.csv');
    expect(over.status).toBe(413);
    expect(await over.json()).toEqual({ status: 'too-many-rows', message: expect.stringMatching(/^The return has more than 500 rows, the most Beacon takes in one return\. Nothing was stored\./) });
    expect((await storedSince()).filter((type) => type === 'ReturnReceived')).toHaveLength(1);
  });

  it('counts the rows of a workbook too, and stops reading at the limit', async () => {
    const { post, storedSince } = await serve({ maxRowsPerReturn: 100 });
    const rows = Array.from({ length: 20_000 }, (_, i) => ['SAC', 'DBC', '01/04/2008', '30/04/2008', i]);
    const response = await post(makeXlsx({ sheets: [{ name: 'Readings', rows: [['measure', 'area', 'period_start', 'period_end', 'value'], ...rows] }] }), 'big.xlsx');
    expect(response.status).toBe(413);
    expect(((await response.json()) as { status: string }).status).toBe('too-many-rows');
    expect(await storedSince()).toEqual([]);
  });
});

describe('uploads per minute per token', () => {
  it('answers 429 with Retry-After past the limit, records the refusal, and stores nothing of it', async () => {
    const { post, storedSince } = await serve({ uploadsPerMinute: 3 });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await post(sacRows(1 + i))).status);
    expect(statuses).toEqual([201, 201, 201]);
    const refused = await post(sacRows(9));
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(await refused.json()).toEqual({
      status: 'too-many-requests',
      action: 'submit-return',
      message: expect.stringMatching(/^Not now: too many returns sent with this token: at most 3 in 60 seconds; try again in \d+ seconds\.$/),
    });
    expect((await storedSince()).filter((type) => type === 'ReturnReceived' || type === 'AccessRefused')).toEqual(['ReturnReceived', 'ReturnReceived', 'ReturnReceived', 'AccessRefused']);
  });
});

describe('zip bombs', () => {
  it('refuses a workbook whose shared strings unpack past the limit for a part read whole: 413, nothing stored', async () => {
    const { post, storedSince } = await serve({ maxWorkbookBytes: 8 * 1024 * 1024 });
    // 64 MB of shared strings from a file of tens of kilobytes.
    const bomb = await zipBomb('xl/sharedStrings.xml', '<si><t>AAAAAAAAAAAAAAAA</t></si>'.repeat(2048), 1024);
    expect(bomb.length).toBeLessThan(200_000);
    const response = await post(bomb, 'bomb.xlsx');
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ status: 'too-large', message: expect.stringMatching(/^"bomb\.xlsx" unpacks to more than Beacon takes: its part xl\/sharedStrings\.xml comes to more than 1 MB unpacked/) });
    expect(await storedSince()).toEqual([]);
  });

  it('refuses a workbook whose sheet unpacks past the limit for the whole workbook', async () => {
    const { post, storedSince } = await serve({ maxWorkbookBytes: 8 * 1024 * 1024 });
    const bomb = await zipBomb('xl/worksheets/sheet1.xml', '<row/>'.repeat(10_000), 1000);
    const response = await post(bomb, 'rows.xlsx');
    expect(response.status).toBe(413);
    expect(((await response.json()) as { message: string }).message).toMatch(/the workbook comes to more than 8 MB unpacked/);
    expect(await storedSince()).toEqual([]);
  });

  it('but takes an ordinary workbook under the same limits', async () => {
    const { post } = await serve({ maxWorkbookBytes: 8 * 1024 * 1024 });
    const workbook = makeXlsx({ sheets: [{ name: 'April', rows: [['measure', 'area', 'period_start', 'period_end', 'value'], ['SAC', 'DBC', '01/04/2008', '30/04/2008', 101]] }] });
    expect((await post(workbook, 'april.xlsx')).status).toBe(201);
  });
});
