/**
 * The dashboard's parts, and the app answering requests (Fastify's inject) over a real SQLite
 * store and read models in a temporary folder: a year of serious acquisitive crime returns and
 * one correction. The browser tests (tests/dashboard.browser.test.ts) drive the whole thing.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testAdministrator, tokenFor } from '@beacon/accounts/test-support';
import { loadCatalogue } from '@beacon/catalogue';
import type { EventStore } from '@beacon/event-store';
import { openSqliteEventStore } from '@beacon/event-store-sqlite';
import { catalogueRecords, toEventToAppend } from '@beacon/events';
import { createAuth } from '@beacon/http-auth';
import { catchUp } from '@beacon/projector-service';
import { ReadModels } from '@beacon/read-models';
import { ingestReturn, keepReadingsOnRecord } from '@beacon/return-intake';
import type { MeasureHistory } from '@beacon/reports';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWebApp } from './app.js';
import { historyChart } from './chart.js';
import { csvCell, csvFile } from './csv.js';
import { html } from './html.js';
import { lastMonthClose } from './pages/changes.js';
import { PendingUploads } from './pages/upload.js';

describe('html', () => {
  it('escapes every value put into it, and only once', () => {
    const note = `<script>alert("x")</script> & 'y'`;
    expect(html`<td>${note}</td>`.text).toBe('<td>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;</td>');
    expect(html`<p>${html`<b>${'<i>'}</b>`}</p>`.text).toBe('<p><b>&lt;i&gt;</b></p>');
    expect(html`${['<a>', html`<br>`]}|${null}|${undefined}|${false}|${0}`.text).toBe('&lt;a&gt;<br>||||0');
  });
});

describe('csv', () => {
  it('neutralises text cells that would start a formula, and quotes what needs it', () => {
    expect(['=1+1', '+44 1322', '-2', '@SUM(A1)', '\t=x', '\r=x'].map(csvCell)).toEqual(["'=1+1", "'+44 1322", "'-2", "'@SUM(A1)", "'\t=x", `"'\r=x"`]);
    expect(csvCell('=HYPERLINK("http://example.invalid","x")')).toBe(`"'=HYPERLINK(""http://example.invalid"",""x"")"`);
    expect(csvCell('a, b')).toBe('"a, b"');
    expect([csvCell(-3.5), csvCell(null), csvCell(undefined), csvCell(Number.NaN), csvCell('ok')]).toEqual(['-3.5', '', '', '', 'ok']);
    expect(csvFile([['a', 1], ['=b', null]])).toBe("\uFEFFa,1\r\n'=b,\r\n");
  });
});

describe('lastMonthClose', () => {
  it('is the latest close (00:00 UTC on the close day of the month after) at or before the moment', () => {
    expect(lastMonthClose('2026-11-26T10:00:00Z', 20)).toEqual({ month: '2026-10', close: '2026-11-20T00:00:00.000Z', dayBefore: '2026-11-19' });
    expect(lastMonthClose('2026-11-19T23:00:00Z', 20)).toEqual({ month: '2026-09', close: '2026-10-20T00:00:00.000Z', dayBefore: '2026-10-19' });
    // A date means the end of that day, so the close at the start of the 20th has happened.
    expect(lastMonthClose('2026-11-20', 20).month).toBe('2026-10');
    expect(lastMonthClose('2027-01-05T00:00:00Z', 1)).toEqual({ month: '2026-12', close: '2027-01-01T00:00:00.000Z', dayBefore: '2026-12-31' });
  });
});

describe('PendingUploads', () => {
  it('gives a checked file back once, until it expires', () => {
    const pending = new PendingUploads();
    const upload = { bytes: Buffer.from('x'), fileName: 'a.csv', agency: 'kdaat', submitter: { kind: 'person' as const, id: 'me' }, sheet: undefined };
    const token = pending.keep(upload, 0);
    expect(pending.take(token, 1_000)?.fileName).toBe('a.csv');
    expect(pending.take(token, 1_000)).toBeUndefined();
    const expiring = pending.keep(upload, 0);
    expect(pending.take(expiring, 3_600_000)).toBeUndefined();
  });
});

describe('historyChart', () => {
  it('breaks the line where a month has no figure and marks each RAG by shape', () => {
    const point = (date: string, value: number | null, status: 'green' | 'amber' | 'red' | 'grey') => ({
      date,
      value,
      status,
      interval: value === null ? null : { lower: value - 1, upper: value + 1, level: 0.95 as const, method: 'byar' as const },
      ratedOn: 'rolling' as const,
      target: 10,
      trajectory: null,
      complete: true,
      reason: '',
    });
    const history = {
      measureId: 'SAC',
      name: 'Serious acquisitive crime',
      area: 'DBC',
      unit: 'count',
      polarity: 'down',
      asAt: null,
      points: [point('2009-01-31', 9, 'green'), point('2009-02-28', null, 'grey'), point('2009-03-31', 10.3, 'amber'), point('2009-04-30', 12, 'red')],
      latest: { unit: 'count' },
    } as unknown as MeasureHistory;
    const svg = historyChart(history).text;
    expect(svg).not.toMatch(/NaN|undefined/);
    const value = /class="value" d="([^"]+)"/.exec(svg)?.[1] ?? '';
    expect(value.match(/M/g)).toHaveLength(2);
    expect(svg.match(/<path class="band"/g)).toHaveLength(2);
    expect(svg).toContain('class="month rag-green"><title>Jan 2009: 9, GREEN</title><circle');
    expect(svg).toContain('class="month rag-amber"');
    expect(svg).toContain('class="month rag-red"');
    expect(svg).not.toContain('rag-grey');
  });
});

const catalogue = loadCatalogue();
const HEADER = 'measure,area,period_start,period_end,value,numerator,denominator,sample_size,note\r\n';
const monthCsv = (month: number, dbc: number, gbc: number) => {
  const year = month < 9 ? 2008 : 2009;
  const mm = String(((month + 3) % 12) + 1).padStart(2, '0');
  const last = new Date(Date.UTC(year, Number(mm), 0)).getUTCDate();
  return `${HEADER}SAC,DBC,01/${mm}/${year},${last}/${mm}/${year},${dbc},,,,\r\nSAC,GBC,01/${mm}/${year},${last}/${mm}/${year},${gbc},,,,\r\n`;
};

/** A multipart form as a browser sends it: fields first, then the file. */
function form(fields: Record<string, string>, file?: { name: string; content: string }) {
  const boundary = '----beacon-test-boundary';
  let body = '';
  for (const [name, value] of Object.entries(fields)) body += `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  if (file) body += `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: text/csv\r\n\r\n${file.content}\r\n`;
  return { payload: `${body}--${boundary}--\r\n`, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

const OFFICER_PASSWORD = 'correct horse battery staple';

describe('the web app', () => {
  let dir: string;
  let store: EventStore;
  let readModels: ReadModels;
  let app: FastifyInstance;
  /** The data officer's session cookie and its CSRF token, and a strategy group viewer's API token. */
  let cookie: string;
  let csrf: string;
  let viewerToken: string;
  let auth: ReturnType<typeof createAuth>;
  /** Asks as the signed-in data officer. */
  const signedIn = (request: string | { method: 'POST'; url: string; payload: string; headers: Record<string, string> }) =>
    typeof request === 'string' ? app.inject({ url: request, headers: { cookie } }) : app.inject({ ...request, headers: { ...request.headers, cookie } });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'beacon-web-'));
    store = await openSqliteEventStore({ file: join(dir, 'events.sqlite') });
    for (const record of catalogueRecords(catalogue)) await store.append(record.stream, [toEventToAppend(record.event, record.id)]);
    const dependencies = { store, catalogue, readingsOnRecord: keepReadingsOnRecord(store) };
    const submitter = { kind: 'person' as const, id: 'nkp.analyst', agency: 'north-kent-police' };
    // April 2008 to March 2009, each received on the 10th of the month after; then March corrected on 20 April.
    for (let month = 0; month < 12; month++) {
      const receivedAt = new Date(Date.UTC(2008, month + 4, 10, 9)).toISOString();
      const outcome = await ingestReturn({ source: { bytes: Buffer.from(monthCsv(month, 120, 110)) }, fileName: `nkp-${month}.csv`, agency: 'north-kent-police', submitter, receivedAt }, dependencies);
      expect(outcome.status).toBe('accepted');
    }
    await ingestReturn({ source: { bytes: Buffer.from(monthCsv(11, 300, 110)) }, fileName: 'nkp-correction.csv', agency: 'north-kent-police', submitter, receivedAt: '2009-04-20T11:00:00Z' }, dependencies);
    readModels = new ReadModels(join(dir, 'read-models.sqlite'));
    auth = createAuth({ store, catalogue, sessionKey: randomBytes(32) });
    await auth.accounts.openAccount({ accountId: 'nkp.analyst', name: 'NKP analyst', role: 'data-officer', kind: 'person', agency: 'north-kent-police', password: OFFICER_PASSWORD }, testAdministrator);
    viewerToken = await tokenFor(auth.accounts, 'sg.viewer', 'strategy-group-viewer');
    app = buildWebApp({ store, catalogue, auth, records: readModels.records, audit: readModels.audit, bringUpToDate: () => catchUp(store, readModels), maxUploadBytes: 2_000 });
    await catchUp(store, readModels);
    const signIn = await app.inject({ method: 'POST', url: '/sign-in', payload: { user: 'nkp.analyst', password: OFFICER_PASSWORD } });
    expect(signIn.statusCode).toBe(200);
    cookie = String(signIn.headers['set-cookie']).split(';')[0] as string;
    csrf = signIn.json().csrfToken;
  });

  afterAll(async () => {
    await app?.close();
    readModels?.close();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the summary of the latest month, with headers that let no script run', async () => {
    const response = await signedIn('/');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-security-policy']).toContain("default-src 'none'");
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.body).toContain('<h1>Dartford &amp; Gravesham CDRP, March 2009</h1>');
    expect(response.body).not.toMatch(/<script/i);
    for (const p of catalogue.priorityAreas) expect(response.body).toContain(`<th scope="row">${p.name}</th>`);
  });

  it('shows a month as it stood at an earlier moment, and what was revised since', async () => {
    const then = await signedIn('/?area=DBC&period=2009-03&asAt=2009-04-15');
    expect(then.body).toContain('As at 15 Apr 2009');
    expect(then.body).toContain('SAC DBC, March 2009: was 120, now 300 (corrected 20 Apr 2009)');
    const now = await signedIn('/?area=DBC&period=2009-03');
    expect(now.body).not.toContain('Revised since');
  });

  it('answers a bad choice with a page that says what to change, escaped', async () => {
    const area = await signedIn(`/?area=${encodeURIComponent('<b>x</b>')}`);
    expect(area.statusCode).toBe(404);
    expect(area.body).toContain('There is no area &quot;&lt;b&gt;x&lt;/b&gt;&quot;');
    const measure = await signedIn(`/measures/${encodeURIComponent('<script>')}`);
    expect(measure.statusCode).toBe(404);
    expect(measure.body).not.toContain('<script>');
    expect((await signedIn('/?period=2009-13')).statusCode).toBe(400);
    expect((await signedIn('/?asAt=yesterday')).statusCode).toBe(400);
    expect((await signedIn('/changes?from=2009-05-01&to=2009-04-01')).statusCode).toBe(400);
    expect((await signedIn('/nowhere')).statusCode).toBe(404);
  });

  it('exports the summary and a measure as CSV files', async () => {
    const summary = await signedIn('/export/summary.csv?area=GBC&period=2009-03');
    expect(summary.headers['content-disposition']).toBe('attachment; filename="beacon-summary-GBC-2009-03.csv"');
    expect(summary.body.split('\r\n')[0]).toMatch(/^\uFEFFKind,Id,Name,Area,Month end/);
    const measure = await signedIn('/export/measures/SAC.csv?area=DBC&period=2009-03');
    expect(measure.body.split('\r\n').filter((line) => line.startsWith('SAC,DBC,2009-03-01'))).toHaveLength(1);
  });

  it('checks an upload without storing it, and stores it only when confirmed', async () => {
    const head = await store.headPosition();
    const fields = { agency: 'north-kent-police' };
    const checked = await signedIn({ method: 'POST', url: `/upload?_csrf=${csrf}`, ...form(fields, { name: 'april.csv', content: monthCsv(12, 100, 90) }) });
    expect(checked.statusCode).toBe(200);
    expect(checked.body).toContain('ready to store:\n        2 readings');
    expect(await store.headPosition()).toBe(head);
    const token = /name="token" value="([^"]+)"/.exec(checked.body)?.[1] as string;

    const stored = await signedIn({ method: 'POST', url: '/upload/confirm', payload: `token=${token}&_csrf=${csrf}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(stored.statusCode).toBe(303);
    expect(stored.headers.location).toMatch(/^\/\?period=2009-04&received=north-kent-police-[0-9a-f]{16}$/);
    // The read models were brought up to date before the redirect.
    expect(readModels.checkpoint()).toBe(await store.headPosition());
    const summary = await signedIn(stored.headers.location as string);
    expect(summary.body).toContain('Return stored.');
    expect(summary.body).toContain('April 2009');

    const again = await signedIn({ method: 'POST', url: '/upload/confirm', payload: `token=${token}&_csrf=${csrf}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(again.statusCode).toBe(410);
  });

  it('sends a visitor who has not signed in to the sign-in page, and answers a wrong token 401', async () => {
    const anonymous = await app.inject('/measures/SAC?area=DBC');
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toBe('/sign-in?next=%2Fmeasures%2FSAC%3Farea%3DDBC');
    const signInPage = await app.inject(anonymous.headers.location as string);
    expect(signInPage.statusCode).toBe(200);
    expect(signInPage.body).toContain('<input type="hidden" name="next" value="/measures/SAC?area=DBC">');
    expect((await app.inject('/sign-in?failed=1')).body).toContain('Wrong name or password.');
    const failed = await app.inject({ method: 'POST', url: '/sign-in', payload: 'user=nkp.analyst&password=wrong&next=%2F', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(failed.statusCode).toBe(303);
    expect(failed.headers.location).toBe('/sign-in?failed=1&next=%2F');
    const wrongToken = await app.inject({ url: '/', headers: { authorization: 'Bearer beacon_not-a-token' } });
    expect(wrongToken.statusCode).toBe(401);
    expect(wrongToken.body).toContain('Sign in first');
    // The viewer's token reads the summary, and says who is asking; the officer's page has a sign-out button.
    const viewer = await app.inject({ url: '/?area=DBC', headers: { authorization: `Bearer ${viewerToken}` } });
    expect(viewer.statusCode).toBe(200);
    expect(viewer.body).toContain('Signed in as <strong>sg.viewer</strong> (strategy group viewer)');
    const officer = await signedIn('/?area=DBC');
    expect(officer.body).toContain('Signed in as <strong>NKP analyst</strong> (data officer, North Kent Police)');
    expect(officer.body).toContain(`<input type="hidden" name="_csrf" value="${csrf}">`);
  });

  it('lets only a data officer upload, only for their agency, and only with the CSRF token', async () => {
    const head = await store.headPosition();
    const viewer = await app.inject({ url: '/upload', headers: { authorization: `Bearer ${viewerToken}` } });
    expect(viewer.statusCode).toBe(403);
    expect(viewer.body).toContain('Not allowed');
    const page = await signedIn('/upload');
    expect(page.body).toContain(`action="/upload?_csrf=${encodeURIComponent(csrf)}"`);
    expect(page.body).not.toContain('name="submitter"');
    const otherAgency = await signedIn({ method: 'POST', url: `/upload?_csrf=${csrf}`, ...form({ agency: 'kdaat' }, { name: 'kdaat.csv', content: monthCsv(12, 1, 1) }) });
    expect(otherAgency.statusCode).toBe(403);
    const noCsrf = await signedIn({ method: 'POST', url: '/upload', ...form({ agency: 'north-kent-police' }, { name: 'a.csv', content: monthCsv(12, 1, 1) }) });
    expect(noCsrf.statusCode).toBe(403);
    expect(noCsrf.body).toContain('CSRF token');
    const confirmNoCsrf = await signedIn({ method: 'POST', url: '/upload/confirm', payload: 'token=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(confirmNoCsrf.statusCode).toBe(403);
    const signOutNoCsrf = await signedIn({ method: 'POST', url: '/sign-out', payload: '', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(signOutNoCsrf.statusCode).toBe(403);
    // Refusals are recorded, nothing else.
    const added = (await store.readAll({ after: head })).map((event) => event.type);
    expect(added.length).toBeGreaterThan(0);
    expect(new Set(added)).toEqual(new Set(['AccessRefused']));
  });

  /** Opens an analyst's account and signs them in: their session cookie and CSRF token. */
  async function signInAnalyst() {
    const password = 'analyst horse battery staple';
    if (!(await auth.accounts.checkPassword('dgcdrp.analyst', password)).ok) {
      await auth.accounts.openAccount({ accountId: 'dgcdrp.analyst', name: 'CSP analyst', role: 'analyst', kind: 'person', password }, testAdministrator);
    }
    const signIn = await app.inject({ method: 'POST', url: '/sign-in', payload: { user: 'dgcdrp.analyst', password } });
    expect(signIn.statusCode).toBe(200);
    return { cookie: String(signIn.headers['set-cookie']).split(';')[0] as string, csrf: signIn.json().csrfToken as string };
  }
  const formPost = (url: string, payload: string, as: string) =>
    app.inject({ method: 'POST', url, payload, headers: { cookie: as, 'content-type': 'application/x-www-form-urlencoded' } });
  const ni15Row = (body: string) => /<th scope="row"><a href="\/measures\/NI15[^"]*">NI15<\/a>[\s\S]*?<\/tr>/.exec(body)?.[0] ?? '';

  it('lets an analyst set a target from the targets page, which the summary then uses', async () => {
    const analyst = await signInAnalyst();
    const before = await app.inject({ url: '/?area=DGCDRP&period=2009-03', headers: { cookie: analyst.cookie } });
    expect(ni15Row(before.body)).toContain('no target');
    const page = await app.inject({ url: '/targets', headers: { cookie: analyst.cookie } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<a href="/targets" aria-current="page">Targets</a>');
    expect(page.body).toContain('<a href="/audit">Audit trail</a>');
    expect(page.body).toContain(`<input type="hidden" name="_csrf" value="${analyst.csrf}">`);

    const fields = `measure=NI15&area=DGCDRP&start=2008-04-01&end=2009-03-31&value=0.5&direction=&tolerance=10&toleranceType=relative&_csrf=${encodeURIComponent(analyst.csrf)}`;
    const wrong = await formPost('/targets', fields.replace('value=0.5', 'value=lots'), analyst.cookie);
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('value: &quot;lots&quot; is not a number');
    expect(wrong.body).toContain('value="lots"');
    const both = await formPost('/targets', fields.replace('direction=', 'direction=reduce'), analyst.cookie);
    expect(both.statusCode).toBe(400);
    expect(both.body).toContain('give either a value or a direction');

    const set = await formPost('/targets', fields, analyst.cookie);
    expect(set.statusCode).toBe(303);
    expect(set.headers.location).toBe('/targets?recorded=NI15-DGCDRP-2008-04-01-2009-03-31');
    expect(readModels.checkpoint()).toBe(await store.headPosition());
    const confirmed = await app.inject({ url: set.headers.location as string, headers: { cookie: analyst.cookie } });
    expect(confirmed.body).toContain('<strong>Target recorded.</strong> NI15 for Dartford &amp; Gravesham CDRP');
    expect(confirmed.body).toContain('(version 1)');
    expect(confirmed.body).toMatch(/<td>dgcdrp\.analyst <span class="muted">/);
    const after = await app.inject({ url: '/?area=DGCDRP&period=2009-03', headers: { cookie: analyst.cookie } });
    expect(ni15Row(after.body)).not.toContain('no target');
    expect(ni15Row(after.body)).toContain('(local)');
  });

  it('refuses a target from a data officer, or without the CSRF token, and stores nothing but the refusal', async () => {
    const analyst = await signInAnalyst();
    const head = await store.headPosition();
    const fields = 'measure=NI15&area=DBC&start=2008-04-01&end=2009-03-31&value=0.4';
    const officer = await formPost('/targets', `${fields}&_csrf=${encodeURIComponent(csrf)}`, cookie);
    expect(officer.statusCode).toBe(403);
    expect(officer.body).toContain('may not set or revise targets');
    const noCsrf = await formPost('/targets', fields, analyst.cookie);
    expect(noCsrf.statusCode).toBe(403);
    expect(noCsrf.body).toContain('CSRF token');
    const added = (await store.readAll({ after: head })).map((event) => event.type);
    expect(new Set(added)).toEqual(new Set(['AccessRefused']));
    // A data officer sees the targets but no form, and neither the audit page nor its link.
    const page = await signedIn('/targets');
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('method="post" action="/targets"');
    expect(page.body).not.toContain('href="/audit"');
    expect((await signedIn('/audit')).statusCode).toBe(403);
  });

  it('shows the audit trail to an analyst, filtered, and exports it as formula-safe CSV', async () => {
    const analyst = await signInAnalyst();
    // A sign-in attempt whose user name is a formula: recorded as a refusal, so it is in the trail.
    await app.inject({ method: 'POST', url: '/sign-in', payload: { user: '=1+1', password: 'nothing' } });
    await catchUp(store, readModels);
    const page = await app.inject({ url: '/audit?measure=NI15&from=2000-01-01', headers: { cookie: analyst.cookie } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatch(/<td>dgcdrp\.analyst<\/td>\s*<td>target<\/td>/);
    expect(page.body).toContain('target NI15-DGCDRP-2008-04-01-2009-03-31 version 1 (local)');
    expect(page.body).toContain('– → 0.5, Amber within 10%');
    expect(page.body).toContain('href="/audit.csv?measure=NI15&amp;from=2000-01-01"');
    expect((await app.inject({ url: '/audit?person=nobody', headers: { cookie: analyst.cookie } })).body).toContain('Nothing in the audit trail matches');
    expect((await app.inject({ url: '/audit?from=yesterday', headers: { cookie: analyst.cookie } })).statusCode).toBe(400);

    const csvExport = await app.inject({ url: '/audit.csv', headers: { cookie: analyst.cookie } });
    expect(csvExport.statusCode).toBe(200);
    expect(csvExport.headers['content-disposition']).toMatch(/^attachment; filename="beacon-audit-\d{4}-\d{2}-\d{2}\.csv"$/);
    const lines = csvExport.body.split('\r\n');
    expect(lines[0]).toBe('\uFEFFrecorded_at,kind,person,agency,measure,area,period_start,period_end,was,now,what,return_id,row');
    expect(lines.some((line) => line.includes(",target,dgcdrp.analyst,,NI15,DGCDRP,2008-04-01,2009-03-31,,\"0.5, Amber within 10%\""))).toBe(true);
    expect(lines.some((line) => line.includes(",access-refused,'=1+1,"))).toBe(true);
    expect(lines.some((line) => line.includes(',=1+1'))).toBe(false);
  });

  it('answers the 31st upload of a minute from one sender 429', async () => {
    // An app of its own, so its limit starts at nought.
    const limited = buildWebApp({ store, catalogue, auth, records: readModels.records, audit: readModels.audit, bringUpToDate: () => catchUp(store, readModels), maxUploadBytes: 2_000 });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 31; i++) {
        const upload = form({ agency: '' }, { name: 'a.csv', content: monthCsv(0, 1, 1) });
        statuses.push((await limited.inject({ method: 'POST', url: `/upload?_csrf=${csrf}`, payload: upload.payload, headers: { ...upload.headers, cookie } })).statusCode);
      }
      expect(statuses.slice(0, 30)).toEqual(Array(30).fill(400));
      expect(statuses[30]).toBe(429);
      const refused = await limited.inject({ method: 'POST', url: `/upload?_csrf=${csrf}`, ...form({ agency: '' }), headers: { ...form({ agency: '' }).headers, cookie } });
      expect(refused.statusCode).toBe(429);
      expect(refused.headers['retry-after']).toMatch(/^\d+$/);
      expect(refused.body).toContain('<h1>Not now</h1>');
      expect(refused.body).toContain('Uploads: at most 30 in 60 seconds');
    } finally {
      await limited.close();
    }
  });

  it('turns down an upload it cannot check, saying why', async () => {
    const noAgency = await signedIn({ method: 'POST', url: `/upload?_csrf=${csrf}`, ...form({ agency: '' }, { name: 'a.csv', content: monthCsv(0, 1, 1) }) });
    expect(noAgency.statusCode).toBe(400);
    expect(noAgency.body).toContain('choose your agency');
    const tooLarge = await signedIn({ method: 'POST', url: `/upload?_csrf=${csrf}`, ...form({ agency: 'north-kent-police' }, { name: 'big.csv', content: 'x'.repeat(3_000) }) });
    expect(tooLarge.statusCode).toBe(413);
    expect(tooLarge.body).toContain('larger than Beacon takes');
    const pdf = await signedIn({ method: 'POST', url: `/upload?_csrf=${csrf}`, ...form({ agency: 'north-kent-police' }, { name: 'minutes.pdf', content: '%PDF-1.4 minutes' }) });
    expect(pdf.statusCode).toBe(415);
  });
});
