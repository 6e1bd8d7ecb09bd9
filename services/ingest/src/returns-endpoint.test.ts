/**
 * The returns endpoint over real HTTP: a server listening on 127.0.0.1, requests sent with
 * fetch, a SQLite store in a temporary folder and the real catalogue. Each test has a fresh
 * store holding only the test's accounts, so "nothing stored" is a store whose head has not
 * moved since (`stored()` is 0). Who may send, and every refusal, is in access.test.ts.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCatalogue } from '@beacon/catalogue';
import type { EventStore } from '@beacon/event-store';
import { openSqliteEventStore } from '@beacon/event-store-sqlite';
import { fromStoredEvent, streamOf } from '@beacon/events';
import { tokenFor } from '@beacon/accounts/test-support';
import { createAuth } from '@beacon/http-auth';
import { templateCsv } from '@beacon/return-intake';
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { makeXlsx } from '../../../packages/returns/src/xlsx-writer.test-support.js';
import { buildIngestServer } from './server.js';
import { DEFAULT_MAX_UPLOAD_BYTES } from './upload-body.js';

const catalogue = loadCatalogue();
const repo = (path: string) => fileURLToPath(new URL(`../../../${path}`, import.meta.url));
const sample = (file: string) => readFile(repo(`data/sample-returns/${file}`));
const HEADER = 'measure,area,period_start,period_end,value,numerator,denominator,sample_size,note';
const csv = (...rows: string[]) => Buffer.from(`${[HEADER, ...rows].join('\r\n')}\r\n`);
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'beacon-ingest-http-'));
  return () => rm(dir, { recursive: true, force: true });
});

/** The fields of the endpoint's answers that the tests look at. */
interface Answer {
  status: string;
  returnId: string;
  fileName: string;
  message: string;
  problems: { row: number; column: string; value: string; reason: string; fix: string }[];
  corrections: unknown[];
}

let serverCount = 0;
/** A listening server on a fresh store, closed when the test ends. */
async function serve(maxUploadBytes = 64 * 1024) {
  const store: EventStore = await openSqliteEventStore({ file: join(dir, `events-${++serverCount}.sqlite`) });
  const auth = createAuth({ store, catalogue });
  const token = await tokenFor(auth.accounts, 'nkp.analyst', 'data-officer', 'north-kent-police');
  const baseline = await store.headPosition();
  /** Events stored since the test's accounts were made. */
  const stored = async () => (await store.headPosition()) - baseline;
  const app = buildIngestServer({ store, catalogue, auth, maxUploadBytes, uploadsPerMinute: 1_000 });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  onTestFinished(async () => {
    await app.close();
    await store.close();
  });

  interface Sent {
    query?: string;
    headers?: Record<string, string>;
  }
  const post = async (body: RequestInit['body'], { query = 'agency=north-kent-police', headers = {} }: Sent = {}) => {
    const response = await fetch(`${url}/returns?${query}`, {
      method: 'POST',
      body,
      headers: { authorization: `Bearer ${token}`, ...headers },
      duplex: 'half',
    });
    return { status: response.status, answer: (await response.json()) as Answer };
  };
  const postCsv = (bytes: Uint8Array, fileName: string, sent: Sent = {}) =>
    post(bytes, { ...sent, headers: { 'content-type': 'text/csv', 'x-file-name': fileName, ...sent.headers } });
  const streamEvents = async (returnId: string) => (await store.readStream(streamOf.return(returnId))).map(fromStoredEvent);
  return { url, token, store, stored, post, postCsv, streamEvents };
}

describe('POST /returns', () => {
  it('accepts a sample return: 201, its readings counted, all of them stored with who sent it', async () => {
    const { postCsv, stored, streamEvents } = await serve();
    const { status, answer } = await postCsv(await sample('2008-09/north-kent-police-2008-04.csv'), 'north-kent-police-2008-04.csv');

    expect(status).toBe(201);
    expect(answer).toEqual({
      status: 'accepted',
      returnId: expect.stringMatching(/^north-kent-police-[0-9a-f]{16}$/),
      fileName: 'north-kent-police-2008-04.csv',
      agency: 'north-kent-police',
      readings: 10,
      corrections: [],
      warnings: [],
    });
    const events = await streamEvents(answer.returnId);
    // One ReturnReceived, then one ReadingRecorded per row: the whole log.
    expect(events.map((event) => event.type)).toEqual(['ReturnReceived', ...Array(10).fill('ReadingRecorded')]);
    expect(await stored()).toBe(11n);
    expect(events[0]?.data).toMatchObject({
      fileName: 'north-kent-police-2008-04.csv',
      format: 'csv',
      readingCount: 10,
      actor: { kind: 'person', id: 'nkp.analyst', agency: 'north-kent-police' },
    });
  });

  it('rejects a return with bad rows: 422 listing every problem, and stores nothing', async () => {
    const { postCsv, stored } = await serve();
    const { status, answer } = await postCsv(
      csv(
        'SAC,DBC,01/04/2008,30/04/2008,110,,,,',
        'SACC,DBC,01/04/2008,30/04/2008,110,,,,',
        'SAC,XYZ,01/04/2008,30/04/2008,96,,,,',
        'SAC,GBC,31/04/2008,30/04/2008,96,,,,',
        'NI15,DBC,01/04/2008,30/04/2008,-3,,,,',
        'NI40,GBC,01/04/2008,30/04/2008,7,,,,',
      ),
      'april.csv',
    );

    expect(status).toBe(422);
    expect(answer).toMatchObject({ status: 'rejected', fileName: 'april.csv', agency: 'north-kent-police', problemsNotListed: 0, warnings: [] });
    expect(answer.problems.map((problem) => [problem.row, problem.column, problem.value])).toEqual([
      [3, 'measure', 'SACC'],
      [4, 'area', 'XYZ'],
      [5, 'period_start', '31/04/2008'],
      [6, 'value', '-3'],
      [7, 'measure', 'NI40'],
    ]);
    for (const problem of answer.problems) {
      expect(Object.keys(problem).sort()).toEqual(['column', 'fix', 'reason', 'row', 'value']);
      expect(problem.reason).not.toBe('');
      expect(problem.fix).not.toBe('');
    }
    expect(answer.problems[0]).toMatchObject({ reason: '"SACC" is not a measure in Beacon\'s catalogue', fix: expect.stringMatching(/did you mean SAC\?/) });
    expect(await stored()).toBe(0n);
  });

  it('answers a resubmission 200 already-received, with when it was first received, and stores nothing new', async () => {
    const { postCsv, stored, streamEvents } = await serve();
    const file = await sample('2008-09/north-kent-police-2008-05.csv');
    const first = await postCsv(file, 'north-kent-police-2008-05.csv');
    const head = await stored();

    const again = await postCsv(file, 'may-again.csv');

    expect(again.status).toBe(200);
    const [received] = await streamEvents(first.answer.returnId);
    expect(received?.type).toBe('ReturnReceived');
    expect(again.answer).toEqual({
      status: 'already-received',
      returnId: first.answer.returnId,
      fileName: 'may-again.csv',
      agency: 'north-kent-police',
      firstReceivedAt: received?.data.recordedAt,
      readings: 10,
      warnings: [],
    });
    expect(await stored()).toBe(head);
  });

  it('says which readings a correction supersedes: the old and the new value', async () => {
    const { postCsv, streamEvents } = await serve();
    const march = await postCsv(await sample('2008-09/north-kent-police-2009-03.csv'), 'north-kent-police-2009-03.csv');
    const { status, answer } = await postCsv(await sample('2008-09/north-kent-police-2009-03-correction.csv'), 'north-kent-police-2009-03-correction.csv');

    expect(status).toBe(201);
    expect(answer).toMatchObject({ status: 'accepted', readings: 1 });
    // The first return said 170 crimes for Dartford in March 2009; the correction says 118.
    expect(answer.corrections).toEqual([
      {
        row: 2,
        measure: 'SAC',
        area: 'DBC',
        period: { start: '2009-03-01', end: '2009-03-31' },
        was: 170,
        now: 118,
        supersedes: { returnId: march.answer.returnId, row: 2, recordedAt: expect.any(String) },
      },
    ]);
    expect((await streamEvents(answer.returnId)).map((event) => event.type)).toEqual(['ReturnReceived', 'ReadingRecorded', 'ReadingSuperseded']);
  });

  it('checks a dry run without storing it: 200 valid, and the file is still new afterwards', async () => {
    const { postCsv, stored } = await serve();
    const file = await sample('2008-09/north-kent-police-2008-06.csv');
    const { status, answer } = await postCsv(file, 'june.csv', { query: 'agency=north-kent-police&dryRun=true' });

    expect(status).toBe(200);
    expect(answer).toMatchObject({ status: 'valid', readings: 10, corrections: [] });
    expect(await stored()).toBe(0n);
    expect((await postCsv(file, 'june.csv')).status).toBe(201);
  });

  describe('an upload over the limit: 413 saying the limit, and nothing stored', () => {
    // 3,000 good rows: about 113 KB, over the 64 KB the test server takes.
    const large = csv(...Array.from({ length: 3000 }, () => 'SAC,DBC,01/03/2009,31/03/2009,170,,,,'));

    it('when its Content-Length says so', async () => {
      const { postCsv, stored } = await serve();
      const { status, answer } = await postCsv(large, 'large.csv');
      expect(status).toBe(413);
      expect(answer).toEqual({ status: 'too-large', message: expect.stringContaining('at most 64 KB (65,536 bytes)') });
      expect(await stored()).toBe(0n);
    });

    it('when it comes in chunks of unknown total length', async () => {
      const { post, stored } = await serve();
      const chunks = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let at = 0; at < large.length; at += 16 * 1024) controller.enqueue(large.subarray(at, at + 16 * 1024));
          controller.close();
        },
      });
      const { status, answer } = await post(chunks, { headers: { 'content-type': 'text/csv' } });
      expect(status).toBe(413);
      expect(answer.status).toBe('too-large');
      expect(await stored()).toBe(0n);
    });

    it('when it is the file of a form', async () => {
      const { post, stored } = await serve();
      const form = new FormData();
      form.append('file', new Blob([large], { type: 'text/csv' }), 'large.csv');
      const { status, answer } = await post(form);
      expect(status).toBe(413);
      expect(answer.status).toBe('too-large');
      expect(await stored()).toBe(0n);
    });

    it("but a file larger than Fastify's own 1 MiB body limit is taken under the default limit", async () => {
      const { postCsv } = await serve(DEFAULT_MAX_UPLOAD_BYTES);
      // Blank rows, as Excel leaves at the bottom of a sheet, are skipped.
      const file = Buffer.concat([await sample('2008-09/north-kent-police-2009-01.csv'), Buffer.from(',,,,,,,,\r\n'.repeat(150_000))]);
      expect(file.length).toBeGreaterThan(1024 * 1024);
      const { status, answer } = await postCsv(file, 'january.csv');
      expect(status).toBe(201);
      expect(answer).toMatchObject({ status: 'accepted', readings: 10 });
    });

    it('but a file of exactly the limit is taken', async () => {
      const file = await sample('2008-09/north-kent-police-2008-07.csv');
      expect((await (await serve(file.length)).postCsv(file, 'july.csv')).status).toBe(201);
      expect((await (await serve(file.length - 1)).postCsv(file, 'july.csv')).status).toBe(413);
    });
  });

  it('answers 415 for a PDF or a picture, with the message saying what to save instead', async () => {
    const { post, stored } = await serve();
    const pdf = await post(Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n'), { headers: { 'content-type': 'application/pdf', 'x-file-name': 'april.pdf' } });
    expect(pdf.status).toBe(415);
    expect(pdf.answer).toEqual({ status: 'unsupported-format', message: expect.stringMatching(/^"april.pdf" looks like a PDF document.*CSV UTF-8/) });

    const png = await post(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]), { headers: { 'content-type': 'image/png', 'x-file-name': 'screenshot.png' } });
    expect(png.status).toBe(415);
    expect(png.answer.message).toMatch(/^"screenshot.png" looks like a picture/);
    expect(await stored()).toBe(0n);
  });

  it('answers 400 for an unknown or missing agency or a missing file, and 401 without a token', async () => {
    const { url, post, postCsv, stored } = await serve();
    const file = await sample('2008-09/north-kent-police-2008-08.csv');

    const unknown = await postCsv(file, 'august.csv', { query: 'agency=nkp' });
    expect(unknown).toEqual({ status: 400, answer: { status: 'bad-request', message: expect.stringMatching(/^"nkp" is not an agency Beacon knows. Agencies: north-kent-police, /) } });
    expect((await postCsv(file, 'august.csv', { query: '' })).answer.message).toMatch(/say which agency sends the return/);
    expect(await post(undefined)).toEqual({ status: 400, answer: { status: 'bad-request', message: expect.stringMatching(/the request has no file/) } });
    // Without a token it is 401, whatever else is wrong: the X-Submitter header of old counts for nothing.
    const anonymous = await fetch(`${url}/returns?agency=north-kent-police`, { method: 'POST', body: file, headers: { 'content-type': 'text/csv', 'x-submitter': 'nkp.analyst' } });
    expect(anonymous.status).toBe(401);
    expect((await postCsv(file, 'august.csv', { query: 'agency=north-kent-police&dryRun=maybe' })).status).toBe(400);
    // Only the record of the anonymous attempt.
    expect(await stored()).toBe(1n);
  });

  it('stores nothing when the sender goes away mid-upload, and goes on answering', async () => {
    const { url, token, postCsv, stored } = await serve();
    const { port } = new URL(url);
    const cutShort = request({ host: '127.0.0.1', port, method: 'POST', path: '/returns?agency=north-kent-police', headers: { 'content-type': 'text/csv', 'content-length': '50000', authorization: `Bearer ${token}` } });
    const hungUp = new Promise((resolve) => cutShort.on('error', resolve));
    cutShort.write(csv('SAC,DBC,01/03/2009,31/03/2009,170,,,,'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    cutShort.destroy();
    await hungUp;

    expect((await postCsv(await sample('2008-09/north-kent-police-2009-02.csv'), 'february.csv')).status).toBe(201);
    expect(await stored()).toBe(11n);
  });

  it('takes the file name from ?fileName=, X-File-Name (percent-encoded) or Content-Disposition', async () => {
    const { post } = await serve();
    const nameOf = async (file: string, sent: { query?: string; headers?: Record<string, string> }) =>
      (await post(await sample(file), { ...sent, query: `agency=north-kent-police&dryRun=true${sent.query ?? ''}` })).answer.fileName;

    expect(await nameOf('2008-09/north-kent-police-2008-09.csv', { query: '&fileName=September%20return.csv' })).toBe('September return.csv');
    expect(await nameOf('2008-09/north-kent-police-2008-09.csv', { headers: { 'x-file-name': encodeURIComponent('Relevé septembre.csv') } })).toBe('Relevé septembre.csv');
    expect(await nameOf('2008-09/north-kent-police-2008-09.csv', { headers: { 'content-disposition': `attachment; filename="sept.csv"; filename*=UTF-8''sept%C2%A3.csv` } })).toBe('sept£.csv');
    expect(await nameOf('2008-09/north-kent-police-2008-09.csv', { headers: { 'content-disposition': 'attachment; filename="sept \\"final\\".csv"' } })).toBe('sept "final".csv');
    // Only the name, without the folders some browsers send.
    expect(await nameOf('2008-09/north-kent-police-2008-09.csv', { query: `&fileName=${encodeURIComponent('C:\\fakepath\\sept.csv')}` })).toBe('sept.csv');
  });

  describe('a form upload (multipart/form-data)', () => {
    it('takes the file field, with the agency as a field before it', async () => {
      const { post, streamEvents } = await serve();
      const form = new FormData();
      form.append('agency', 'north-kent-police');
      form.append('file', new Blob([await sample('2008-09/north-kent-police-2008-10.csv')], { type: 'text/csv' }), 'nkp-october.csv');

      const { status, answer } = await post(form, { query: '' });

      expect(status).toBe(201);
      expect(answer).toMatchObject({ status: 'accepted', fileName: 'nkp-october.csv', agency: 'north-kent-police', readings: 10 });
      expect((await streamEvents(answer.returnId))[0]?.data).toMatchObject({ fileName: 'nkp-october.csv' });
    });

    it('checks only when dryRun is a field, and reads the agency from the query too', async () => {
      const { post, stored } = await serve();
      const form = new FormData();
      form.append('dryRun', 'true');
      form.append('file', new Blob([await sample('2008-09/north-kent-police-2008-11.csv')]), 'nkp-november.csv');

      const { status, answer } = await post(form);

      expect(status).toBe(200);
      expect(answer).toMatchObject({ status: 'valid', readings: 10 });
      expect(await stored()).toBe(0n);
    });

    it('does not read fields sent after the file: the agency must come first', async () => {
      const { post, stored } = await serve();
      const form = new FormData();
      form.append('file', new Blob([await sample('2008-09/north-kent-police-2008-12.csv')]), 'nkp-december.csv');
      form.append('agency', 'north-kent-police');

      const { status, answer } = await post(form, { query: '' });

      expect(status).toBe(400);
      expect(answer.message).toMatch(/say which agency/);
      expect(await stored()).toBe(0n);
    });

    it('answers 400 for a form with no file', async () => {
      const { post } = await serve();
      const form = new FormData();
      form.append('agency', 'north-kent-police');
      expect(await post(form)).toEqual({ status: 400, answer: { status: 'bad-request', message: expect.stringMatching(/no file/) } });
    });
  });

  describe('an Excel workbook (.xlsx)', () => {
    /** Excel's day number for a date (days since 30 December 1899). */
    const excelDay = (iso: string) => (Date.parse(iso) - Date.UTC(1899, 11, 30)) / 86_400_000;

    it('is accepted when its rows are right', async () => {
      const { post, streamEvents } = await serve();
      const workbook = makeXlsx({
        sheets: [
          {
            name: 'January',
            rows: [
              ['Measure', 'Area', 'Period start', 'Period end', 'Value', 'Numerator', 'Denominator'],
              ['SAC', 'DBC', { date: excelDay('2009-01-01') }, { date: excelDay('2009-01-31') }, 141],
              ['DA_REPEAT', 'GBC', { date: excelDay('2009-01-01') }, { date: excelDay('2009-01-31') }, { percent: 0.25 }, 20, 80],
            ],
          },
        ],
      });

      const { status, answer } = await post(workbook, { headers: { 'content-type': XLSX, 'x-file-name': 'nkp-january.xlsx' } });

      expect(status).toBe(201);
      expect(answer).toMatchObject({ status: 'accepted', fileName: 'nkp-january.xlsx', readings: 2 });
      expect((await streamEvents(answer.returnId))[0]?.data).toMatchObject({ format: 'xlsx', readingCount: 2 });
    });

    it('lists the problems of rows that do not fit the agency', async () => {
      const { post, stored } = await serve();
      const workbook = await readFile(repo('packages/returns/test-fixtures/return.xlsx'));

      const { status, answer } = await post(workbook, { headers: { 'content-type': 'application/octet-stream', 'x-file-name': 'return.xlsx' } });

      expect(status).toBe(422);
      // The test workbook has DA_REPEAT for a quarter (it is monthly) and a Place Survey measure.
      expect(answer.problems).toEqual([
        expect.objectContaining({ row: 3, column: 'period_end', value: '01/04/2008 to 30/06/2008' }),
        expect.objectContaining({ row: 4, column: 'measure', value: 'NI21' }),
      ]);
      expect(await stored()).toBe(0n);
    });

    it('reads the sheet asked for, and answers 422 for a sheet it does not have or a damaged workbook', async () => {
      const { post } = await serve();
      const workbook = await readFile(repo('packages/returns/test-fixtures/return.xlsx'));
      const headers = { 'content-type': XLSX, 'x-file-name': 'return.xlsx' };

      // The second sheet gives a quarter for SAC, which is monthly.
      const second = await post(workbook, { headers, query: 'agency=north-kent-police&sheet=Q2%202008' });
      expect(second.answer.problems).toEqual([expect.objectContaining({ row: 2, column: 'period_end' })]);

      const noSheet = await post(workbook, { headers, query: 'agency=north-kent-police&sheet=March' });
      expect(noSheet).toEqual({ status: 422, answer: { status: 'unreadable', message: expect.stringMatching(/^"return.xlsx" cannot be read: .*March/) } });

      const cut = await post(workbook.subarray(0, workbook.length - 100), { headers });
      expect(cut).toEqual({ status: 422, answer: { status: 'unreadable', message: expect.stringMatching(/^"return.xlsx" cannot be read/) } });
    });
  });
});

describe('GET /agencies/:agency/template.csv', () => {
  it("gives the agency's blank return as a download", async () => {
    const { url, token } = await serve();
    const response = await fetch(`${url}/agencies/north-kent-police/template.csv`, { headers: { authorization: `Bearer ${token}` } });

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="north-kent-police-return-template.csv"');
    const agency = catalogue.agency('north-kent-police') ?? expect.fail('no north-kent-police');
    // Compared as bytes: decoding as text would drop the BOM that Excel needs.
    expect(Buffer.from(await response.arrayBuffer())).toEqual(Buffer.from(templateCsv(agency, catalogue)));
  });

  it("answers 403 for another agency's template, or one Beacon does not know: a data officer has their own agency's", async () => {
    const { url, token } = await serve();
    for (const agency of ['kdaat', 'nkp']) {
      const response = await fetch(`${url}/agencies/${agency}/template.csv`, { headers: { authorization: `Bearer ${token}` } });
      expect(response.status).toBe(403);
      expect(await response.json()).toEqual({ status: 'forbidden', action: 'submit-return', message: expect.stringContaining(`not for ${agency}`) });
    }
  });
});
