/**
 * The dashboard as the strategy group and a data officer use it: `beacon run --serve` in its own
 * process, signed in as the first administrator it prints and then as a data officer, driven by
 * Debian's Chromium through playwright-core. Screenshots of each step go to
 * .test-results/dashboard/.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM_FLAGS, DEFAULT_CHROMIUM } from '@beacon/web';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '..');
const shots = join(repo, '.test-results', 'dashboard');
const header = 'measure,area,period_start,period_end,value,numerator,denominator,sample_size,note\r\n';
const scriptNote = '<script>window.__pwned = 1</script>';
const formulaNote = '=HYPERLINK("http://example.invalid","click me")';
/** Two mistakes: a measure id with a typo and a negative count. */
const badReturn = `${header}NTE_VIOLENCEE,DBC,01/03/2011,31/03/2011,200,,,,${scriptNote}\r\nNTE_VIOLENCE,GBC,01/03/2011,31/03/2011,-20,,,,"${formulaNote.replaceAll('"', '""')}"\r\n`;
/** Fixed: corrects the night-time economy's March 2011 figures (10 → 200, 16 → 20), enough to turn Substance Misuse from Green to Red. */
const fixedReturn = badReturn.replace('NTE_VIOLENCEE', 'NTE_VIOLENCE').replace(',-20,', ',20,');
const fileName = 'nkp-2011-03 <img src=x onerror=window.__pwned=2>.csv';

let home: string;
let beacon: ChildProcess;
let url: string;
/** The first administrator's password and API token, as the first start printed them. */
let adminPassword: string;
let adminToken: string;
/** A data officer of North Kent Police, opened by the administrator through the accounts API. */
const officer = { user: 'nkp.analyst', password: 'north kent returns, march' };
let browser: Browser;
let page: Page;
let step = 0;
const shot = (name: string) => page.screenshot({ path: join(shots, `${String(++step).padStart(2, '0')}-${name}.png`), fullPage: true });
/** The row of a table whose header cell reads `name`. */
const rowOf = (name: string) => page.locator('tr', { has: page.locator('th', { hasText: new RegExp(`^${name}$`) }) }).first();
/** Set by the markup in the note or file name, had any of it run. */
const pwned = () => page.evaluate(() => (globalThis as { __pwned?: number }).__pwned);
const yesterday = () => new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  home = mkdtempSync(join(tmpdir(), 'beacon-dashboard-'));
  beacon = spawn(process.execPath, [join(repo, 'services/beacon/bin/beacon.mjs'), 'run', '--serve'], {
    cwd: repo,
    env: { PATH: process.env.PATH, BEACON_HOME: home, BEACON_WEB_PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "Dashboard:" line within 90 s:\n${output}`)), 90_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const found = /^Dashboard: (http:\/\/127\.0\.0\.1:\d+\/)$/m.exec(output);
      if (found) {
        clearTimeout(timer);
        adminPassword = /^ {2}password: {2}(\S+)$/m.exec(output)?.[1] as string;
        adminToken = /^ {2}API token: (beacon_\S+)/m.exec(output)?.[1] as string;
        resolve(found[1] as string);
      }
    };
    beacon.stdout?.on('data', read);
    beacon.stderr?.on('data', read);
    beacon.once('exit', (code) => reject(new Error(`beacon exited (${code}) before serving:\n${output}`)));
  });
  browser = await chromium.launch({ executablePath: process.env.BEACON_CHROMIUM ?? DEFAULT_CHROMIUM, args: CHROMIUM_FLAGS });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'en-GB', acceptDownloads: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (beacon && beacon.exitCode === null) beacon.kill('SIGKILL');
  rmSync(home, { recursive: true, force: true });
});

/** Signs in on the sign-in page with the form, as a person would. */
async function signIn(user: string, password: string) {
  await page.fill('input[name=user]', user);
  await page.fill('input[name=password]', password);
  await page.click('form.sign-in button');
}

describe('the dashboard in a real browser', () => {
  it('sends a visitor who has not signed in to the sign-in page, and says when the password is wrong', async () => {
    expect(adminPassword).toBeTruthy();
    expect(adminToken).toMatch(/^beacon_/);
    await page.goto(`${url}changes`);
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    expect(new URL(page.url()).searchParams.get('next')).toBe('/changes');
    expect(await page.locator('h1').textContent()).toBe('Sign in to Beacon');
    await shot('sign-in');
    await signIn('administrator', 'not the password');
    expect(page.url()).toContain('failed=1');
    expect(await page.getByRole('alert').textContent()).toContain('Wrong name or password.');
    await shot('sign-in-failed');
  });

  it('signs the first administrator in, who opens a data officer account with the API token', async () => {
    await signIn('administrator', adminPassword);
    expect(new URL(page.url()).pathname).toBe('/changes');
    expect(await page.locator('header .who').textContent()).toMatch(/Signed in as\s+Beacon administrator \(administrator\)/);
    // An administrator may not send returns.
    const upload = await page.goto(`${url}upload`);
    expect(upload?.status()).toBe(403);
    expect(await page.locator('h1').textContent()).toBe('Not allowed');
    const opened = await page.request.post(`${url}accounts`, {
      headers: { authorization: `Bearer ${adminToken}` },
      data: { user: officer.user, name: 'NKP analyst', role: 'data-officer', agency: 'north-kent-police', password: officer.password },
    });
    expect(opened.status()).toBe(201);
    await page.click('header .who button');
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    await signIn(officer.user, officer.password);
    expect(new URL(page.url()).pathname).toBe('/');
    expect(await page.locator('header .who').textContent()).toMatch(/NKP analyst \(data officer, North Kent Police\)/);
  });

  it('shows the summary of the latest month, with RAG as a word and symbol as well as colour', async () => {
    await page.goto(url);
    expect(await page.locator('h1').textContent()).toBe('Dartford & Gravesham CDRP, March 2011');
    expect(await rowOf('Substance Misuse').locator('.rag').textContent()).toBe('✔ GREEN');
    expect(await rowOf('Violent Crime').locator('.rag').textContent()).toBe('✖ RED');
    expect(await page.locator('table').first().locator('tbody tr').count()).toBe(6);
    await shot('summary-before');
  });

  it('rejects a return with its problems row by row, showing the note as text', async () => {
    await page.click('text=Upload a return');
    await page.selectOption('select[name=agency]', 'north-kent-police');
    await page.setInputFiles('input[name=file]', { name: fileName, mimeType: 'text/csv', buffer: Buffer.from(badReturn) });
    const response = page.waitForResponse((r) => new URL(r.url()).pathname === '/upload' && r.request().method() === 'POST');
    await page.click('text=Check the return');
    expect((await response).status()).toBe(422);
    expect(await page.getByRole('alert').textContent()).toMatch(/Rejected:.*has 2 problems\s+in 2 rows, so it cannot be stored/s);
    const row2 = page.locator('tr.row-problem', { has: page.locator('th', { hasText: /^2$/ }) });
    expect(await row2.textContent()).toContain('did you mean NTE_VIOLENCE?');
    expect(await page.locator('tr.row-problem', { has: page.locator('th', { hasText: /^3$/ }) }).textContent()).toContain('value “-20”');
    expect(await page.locator('tr.row-problem').count()).toBe(2);
    // The note is shown as the text it is; nothing in it ran.
    expect(await row2.locator('td.note').textContent()).toBe(scriptNote);
    expect(await pwned()).toBeUndefined();
    expect(await page.locator('.rag', { hasText: 'PROBLEM' }).count()).toBe(2);
    await shot('upload-rejected');
  });

  it('accepts the fixed return, and the summary then includes it', async () => {
    // The form under the result keeps the agency and the sender.
    expect(await page.inputValue('select[name=agency]')).toBe('north-kent-police');
    await page.setInputFiles('input[name=file]', { name: fileName, mimeType: 'text/csv', buffer: Buffer.from(fixedReturn) });
    await page.click('text=Check the return');
    const verdict = (await page.getByRole('status').textContent()) ?? '';
    expect(verdict).toMatch(/Valid:.*ready to store:\s+2 readings, of which 2 correct figures already on record/s);
    expect(verdict).toContain(fileName);
    expect(await page.locator('tr.row-ok').count()).toBe(2);
    expect(await page.locator('tr.row-ok').first().textContent()).toMatch(/corrects NTE_VIOLENCE DBC: was 10 .* now 200/);
    await shot('upload-valid');

    await page.click('text=Store this return');
    await page.waitForURL(/received=north-kent-police-/);
    expect(await page.getByRole('status').first().textContent()).toMatch(/Return stored\..*2 readings recorded as return north-kent-police-/s);
    expect(await rowOf('Substance Misuse').locator('.rag').textContent()).toBe('✖ RED');
    expect(await pwned()).toBeUndefined();
    await shot('summary-after');
  });

  it("shows the measure's new figure, where it came from, and its note as text", async () => {
    await page.click('a:text-is("NTE_VIOLENCE") >> nth=0');
    expect(await page.locator('h1').textContent()).toMatch(/^NTE_VIOLENCE: /);
    // 332 less the old 10 and 16, plus the new 200 and 20.
    expect(await page.locator('p.lead').textContent()).toMatch(/March 2011: 526 ✖ RED/);
    const provenance = await page.locator('#provenance + table').textContent();
    expect(provenance).toMatch(/north-kent-police-[0-9a-f]{16}/);
    expect(provenance).toContain('North Kent Police');
    expect(await page.locator('svg[role=img] g.month').count()).toBeGreaterThan(20);
    expect(await page.locator('svg[role=img] g.month.rag-red').count()).toBeGreaterThan(0);
    expect(await page.locator('td.note', { hasText: 'window.__pwned' }).textContent()).toBe(scriptNote);
    expect(await pwned()).toBeUndefined();
    await shot('measure-after');

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('text=Download the readings (CSV)')]);
    const csv = readFileSync(await download.path(), 'utf8');
    expect(csv).toContain(`"'=HYPERLINK(""http://example.invalid"",""click me"")"`);
    // No cell of the file starts a formula.
    expect(csv.split('\r\n').some((line) => line.split(',').some((cell) => /^"?[=+\-@]/.test(cell)))).toBe(false);
  });

  it('shows any page as it stood at an earlier moment with the "as at" picker', async () => {
    await page.goto(url);
    await page.fill('#as-at', yesterday());
    await page.click('form.as-at button');
    expect(page.url()).toContain(`asAt=${yesterday()}`);
    expect(await page.locator('.notice.as-at').textContent()).toContain('As at');
    expect(await rowOf('Substance Misuse').locator('.rag').textContent()).toBe('✔ GREEN');
    await shot('summary-as-at-yesterday');
    // The moment stays chosen on the measure page.
    await page.click('a:text-is("NTE_VIOLENCE") >> nth=0');
    expect(page.url()).toContain(`asAt=${yesterday()}`);
    expect(await page.locator('p.lead').textContent()).toMatch(/March 2011: 332 ✔ GREEN/);
    await shot('measure-as-at-yesterday');
  });

  it('says what changed since the last month close: the status that moved, the corrections and the return', async () => {
    await page.goto(url);
    await page.click('header >> text=What changed');
    expect(await page.locator('main').textContent()).toContain('the last month close');
    expect(await rowOf('Substance Misuse').textContent()).toMatch(/✔ GREEN\s*✖ RED/);
    const corrections = page.locator('h2:text-is("Corrections") + table');
    expect(await corrections.textContent()).toMatch(/NTE_VIOLENCE\s*DBC\s*March 2011\s*10\s*200/);
    // The file's name, markup and all, is text.
    expect(await page.locator('h2:text-is("Returns received") + table td.text').first().textContent()).toBe(fileName);
    expect(await pwned()).toBeUndefined();
    await shot('what-changed');
  });

  it('exports the summary as CSV and as a printable report and PDF', async () => {
    const csv = await (await page.request.get(`${url}export/summary.csv`)).text();
    expect(csv.split('\r\n')[0]).toBe('\uFEFFKind,Id,Name,Area,Month end,As at,RAG,Green,Amber,Red,Grey,Value,Unit,Target,Direction of travel,Why');
    expect(csv).toMatch(/\r\nPriority area,[^,]+,Substance Misuse,DGCDRP,2011-03-31,,RED,/);

    await page.goto(`${url}report`);
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('header.site').isVisible()).toBe(false);
    expect(await page.locator('h1').textContent()).toContain('Dartford & Gravesham CDRP, March 2011');
    await shot('report-print');
    await page.emulateMedia({ media: 'screen' });

    const pdf = await page.request.get(`${url}report.pdf`);
    expect(pdf.status()).toBe(200);
    expect(pdf.headers()['content-type']).toBe('application/pdf');
    const bytes = await pdf.body();
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    expect(bytes.length).toBeGreaterThan(10_000);
  });

  it("refuses a data officer's return for another agency, and a form without the CSRF token, storing nothing", async () => {
    await page.goto(`${url}upload`);
    // Only the officer's own agency is offered; a forged form for another is refused.
    expect(await page.locator('select[name=agency] option').allTextContents()).toEqual(['North Kent Police']);
    const action = (await page.getAttribute('form.upload', 'action')) as string;
    expect(action).toMatch(/^\/upload\?_csrf=/);
    const forged = 'kdaat-forged.csv';
    const file = { name: forged, mimeType: 'text/csv', buffer: Buffer.from(`${header}DRUG_TREATMENT,DBC,01/03/2011,31/03/2011,5,,,,\r\n`) };
    const otherAgency = await page.request.post(url + action.slice(1), { multipart: { agency: 'kdaat', file } });
    expect(otherAgency.status()).toBe(403);
    expect(await otherAgency.text()).toContain('Not allowed');
    const noToken = await page.request.post(`${url}upload`, { multipart: { agency: 'north-kent-police', file } });
    expect(noToken.status()).toBe(403);
    expect(await noToken.text()).toContain('CSRF token');
    const confirmNoToken = await page.request.post(`${url}upload/confirm`, { form: { token: 'anything' } });
    expect(confirmNoToken.status()).toBe(403);
    // Nothing was stored: the return is not among those received.
    await page.goto(`${url}changes`);
    expect(await page.locator('main').textContent()).not.toContain(forged);
    await page.setContent(await otherAgency.text());
    await shot('upload-refused-other-agency');
  });

  it('stops cleanly on Ctrl-C', async () => {
    const exited = new Promise<number | null>((resolve) => beacon.once('exit', resolve));
    beacon.kill('SIGINT');
    expect(await exited).toBe(0);
  });
});
