import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from '@beacon/event-store-postgres/test-support';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '..');
const beacon = join(repo, 'services/beacon/bin/beacon.mjs');

/** Runs `beacon` as a user would, in its own process, with only the given configuration. */
function runBeacon(env: Record<string, string>, args: string[] = []) {
  const result = spawnSync(process.execPath, [beacon, ...args], { cwd: repo, env: { PATH: process.env.PATH, ...env }, encoding: 'utf8' });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

let home: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'beacon-main-'));
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

describe('the main command on the embedded default', () => {
  it("checks the catalogue, records the plan's targets and populations once, and says what the store holds", () => {
    const first = runBeacon({ BEACON_HOME: home });
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    expect(first.out).toContain('23 measures (2 with 11 sub-measures), 13 targets, 6 priority areas');
    // A new store gets its first administrator, whose password and token are printed this once.
    expect(first.out).toContain('Beacon made its first administrator account.');
    expect(first.out).toMatch(/ {2}user name: administrator\n {2}password: {2}\S+\n {2}API token: beacon_\S+/);
    expect(first.out).toContain('17 newly recorded, 0 already recorded');
    expect(first.out).toContain('179 returns: 179 accepted (1,045 readings, 1 correction), 0 already received, 0 rejected');
    expect(first.out).toContain('correction, row 2: SAC DBC March 2009: 170 → 118');
    // 17 catalogue events, 179 ReturnReceived, 1,045 ReadingRecorded, 1 ReadingSuperseded, and the first administrator's 3 account events.
    expect(first.out).toMatch(/holds 1,245 events in 195 streams/);
    expect(first.out).toMatch(/TargetSet\s+13/);
    expect(first.out).toMatch(/PopulationRecorded\s+4/);
    expect(first.out).toMatch(/ReadingSuperseded\s+1\n/);
    expect(existsSync(join(home, 'events.sqlite'))).toBe(true);
    // The projector's read models, and the strategy group's summary of the latest month.
    expect(first.out).toContain(`Read models: SQLite file ${join(home, 'read-models.sqlite')}, projected to position 1245 (1,245 new events)`);
    expect(first.out).toContain('Dartford & Gravesham CDRP, March 2011 (worst of its measures):');
    expect(first.out).toMatch(/✖ RED {4}Violent Crime {24}1 green, 0 amber, 2 red, 3 grey/);
    // March 2009 as seen on 15 April 2009: Dartford's SAC on the uncorrected 170, and the revision since.
    expect(first.out).toMatch(/Dartford, March 2009, as at 2009-04-15[\s\S]*✖ RED {4}SAC {20}15\.5 per 1,000/);
    expect(first.out).toContain('revised since: SAC DBC was 170, now 118 (corrected 2009-04-20)');
    // The monthly feed, as files: 36 months x 3 areas x (6 priority areas + 4 PSAs), and later revisions.
    expect(first.out).toMatch(/Feed to the Kent Partnership: 1,560 new messages for 36 closed months .*, to .*feed\/beacon\.performance\.monthly\//);
    expect(first.out).toContain('480 messages of them are later revisions');
    const march = readFileSync(join(home, 'feed', 'beacon.performance.monthly', '2009-03.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    expect(march.filter((m) => m.value.revision === 1)).toHaveLength(30);
    expect(march[0].value).toMatchObject({ schemaVersion: 1, asAt: '2009-04-20T00:00:00.000Z', period: { month: '2009-03' } });

    const second = runBeacon({ BEACON_HOME: home });
    expect(second.code).toBe(0);
    expect(second.out).not.toContain('password:');
    expect(second.out).toContain('0 newly recorded, 17 already recorded');
    expect(second.out).toContain('179 returns: 0 accepted (0 readings, 0 corrections), 179 already received, 0 rejected');
    expect(second.out).toMatch(/holds 1,245 events in 195 streams/);
    expect(second.out).toContain('projected to position 1245 (0 new events)');
    expect(second.out).toContain('Feed to the Kent Partnership: 0 new messages');
  });

  it('stops on a broken catalogue, naming the file, entry and field, before touching the store', () => {
    const catalogueDir = join(home, 'catalogue');
    cpSync(join(repo, 'data/catalogue'), catalogueDir, { recursive: true });
    const measures = join(catalogueDir, 'measures.yaml');
    const text = readFileSync(measures, 'utf8');
    const broken = text.replace(/(- id: NI15\n(?:.*\n)*?\s+polarity:) down/, '$1 lower');
    expect(broken).not.toBe(text);
    writeFileSync(measures, broken);

    const run = runBeacon({ BEACON_HOME: home, BEACON_CATALOGUE_DIR: catalogueDir });
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/measures\.yaml: measure "NI15" field "polarity": .*"lower"/);
    expect(existsSync(join(home, 'events.sqlite'))).toBe(false);
  });

  it('refuses a file that is not a Beacon store and leaves it as it was', () => {
    const notAStore = join(home, 'minutes.sqlite');
    writeFileSync(notAStore, 'Strategy group minutes, 12 March 2009\n');
    const run = runBeacon({ BEACON_SQLITE_FILE: notAStore, BEACON_HOME: home });
    expect(run.code).toBe(1);
    expect(run.err).toContain(`Cannot open the event store at ${notAStore}`);
    expect(readFileSync(notAStore, 'utf8')).toBe('Strategy group minutes, 12 March 2009\n');
  });

  it('refuses a target changed in the catalogue without a new version', () => {
    expect(runBeacon({ BEACON_HOME: home }).code).toBe(0);
    const catalogueDir = join(home, 'catalogue');
    cpSync(join(repo, 'data/catalogue'), catalogueDir, { recursive: true });
    const targets = join(catalogueDir, 'targets.yaml');
    writeFileSync(targets, readFileSync(targets, 'utf8').replace('value: 13.7', 'value: 12.9'));

    const run = runBeacon({ BEACON_HOME: home, BEACON_CATALOGUE_DIR: catalogueDir });
    expect(run.code).toBe(1);
    expect(run.err).toContain('target "SAC-2008-09" version 1 differs from the one already recorded');
  });

  it('names a bad setting and what it may be', () => {
    const run = runBeacon({ BEACON_HOME: home, BEACON_STORE: 'spreadsheet' });
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/BEACON_STORE="spreadsheet": must be sqlite \(the default\), postgres or eventstoredb/);
  });
});

describe('the main command on PostgreSQL', () => {
  it('runs the same pipeline with the event log, read models and feed outbox in one PostgreSQL database, and names an unreachable server', async () => {
    const embedded = runBeacon({ BEACON_HOME: join(home, 'embedded') });
    expect(embedded.code).toBe(0);
    const database = await createTestDatabase();
    try {
      const onServer = join(home, 'on-postgres');
      const run = runBeacon({ BEACON_HOME: onServer, BEACON_STORE: 'postgres', BEACON_POSTGRES_URL: database.url });
      expect(run.err).toBe('');
      expect(run.code).toBe(0);
      expect(run.out).toContain(`Event store: PostgreSQL ${database.url}, schema beacon`);
      expect(run.out).toContain('179 returns: 179 accepted (1,045 readings, 1 correction)');
      expect(run.out).toContain(`Read models: schema "beacon_records" of ${database.url}, projected to position 1245 (1,245 new events)`);
      expect(run.out).toContain('revised since: SAC DBC was 170, now 118 (corrected 2009-04-20)');
      expect(run.out).toContain('Feed to the Kent Partnership: 1,560 new messages for 36 closed months');
      // Nothing of it went to a local file but the feed's own.
      expect(existsSync(join(onServer, 'read-models.sqlite'))).toBe(false);
      // The same summaries and the same feed as on the embedded default, byte for byte.
      const summaries = (text: string) => text.slice(text.indexOf('\n', text.indexOf('Read models:')), text.indexOf('Feed to the Kent Partnership'));
      expect(summaries(run.out)).toBe(summaries(embedded.out));
      for (const month of ['2008-04', '2009-03', '2011-03']) {
        const feedFile = (base: string) => readFileSync(join(base, 'feed', 'beacon.performance.monthly', `${month}.jsonl`), 'utf8');
        expect(feedFile(onServer)).toBe(feedFile(join(home, 'embedded')));
      }
      // Run again: everything recognised, nothing new projected or published.
      const again = runBeacon({ BEACON_HOME: onServer, BEACON_STORE: 'postgres', BEACON_POSTGRES_URL: database.url });
      expect(again.code).toBe(0);
      expect(again.out).toContain('projected to position 1245 (0 new events)');
      expect(again.out).toContain('Feed to the Kent Partnership: 0 new messages for 0 closed months');
    } finally {
      await database.drop();
    }
    const unreachable = runBeacon({ BEACON_HOME: home, BEACON_STORE: 'postgres', BEACON_POSTGRES_URL: 'postgres://beacon@127.0.0.1:1/beacon' });
    expect(unreachable.code).toBe(1);
    expect(unreachable.err).toMatch(/127\.0\.0\.1:1/);
  });
});

describe('beacon copy-store', () => {
  it('moves a partnership from the embedded store to PostgreSQL: the copy rebuilds into the same summary', async () => {
    expect(runBeacon({ BEACON_HOME: home }).code).toBe(0);
    const original = runBeacon({ BEACON_HOME: home }, ['summary', '--period', '2009-03', '--area', 'DBC', '--as-at', '2009-04-15']);
    expect(original.code).toBe(0);
    const database = await createTestDatabase();
    try {
      const copy = runBeacon({ BEACON_HOME: home }, ['copy-store', '--to', database.url]);
      expect(copy.err).toBe('');
      expect(copy.code).toBe(0);
      expect(copy.out).toContain(`Copying the event log from SQLite file ${join(home, 'events.sqlite')} to PostgreSQL ${database.url}, schema beacon`);
      expect(copy.out).toContain('1,245 events copied');
      // Again, as after an interruption: what was copied is recognised, nothing is doubled.
      expect(runBeacon({ BEACON_HOME: home }, ['copy-store', '--to', database.url]).out).toContain("(the copy's last position is 1245)");

      const onCopy = { BEACON_HOME: join(home, 'on-postgres'), BEACON_STORE: 'postgres', BEACON_POSTGRES_URL: database.url };
      expect(runBeacon(onCopy, ['rebuild']).code).toBe(0);
      const copied = runBeacon(onCopy, ['summary', '--period', '2009-03', '--area', 'DBC', '--as-at', '2009-04-15']);
      expect(copied.out).toBe(original.out);
      expect(copied.out).toContain('revised since: SAC DBC was 170, now 118');
    } finally {
      await database.drop();
    }
  });
});

describe('beacon ingest', () => {
  const march = 'Measure,Area,Period start,Period end,Value,Numerator,Denominator,Sample size,Note\r\n';

  it('accepts a good return, says so, and recognises it when sent again', () => {
    const file = join(home, 'nkp-2011-04.csv');
    writeFileSync(file, `\uFEFF${march}SAC,DBC,01/04/2011,30/04/2011,101,,,,\r\nSAC,GBC,01/04/2011,30/04/2011,"1,120",,,,\r\n`);
    const first = runBeacon({ BEACON_HOME: home }, ['ingest', file, '--agency', 'north-kent-police', '--submitter', 'nkp.analyst']);
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/^Accepted "nkp-2011-04.csv": 2 readings recorded as return north-kent-police-[0-9a-f]{16}\./);

    const again = runBeacon({ BEACON_HOME: home }, ['ingest', file, '--agency', 'north-kent-police']);
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/^Already received: "nkp-2011-04.csv" \(2 readings\) was first received on .*\. Nothing new was stored\./);
  });

  it('rejects a bad return with every problem and its fix, exits 1, and stores nothing', () => {
    const file = join(home, 'bad.csv');
    writeFileSync(file, `${march}SACC,DBC,01/04/2011,30/04/2011,101,,,,\r\nSAC,Dartfrod,01/04/2011,30/04/2011,99,,,,\r\nSAC,GBC,01/04/2011,30/06/2011,-3,,,,\r\n`);
    const run = runBeacon({ BEACON_HOME: home }, ['ingest', file, '--agency', 'north-kent-police']);
    expect(run.code).toBe(1);
    const lines = run.out.trim().split('\n');
    expect(lines[0]).toBe('Rejected "bad.csv": 4 problems found, so nothing was stored. Fix them and send the whole file again.');
    expect(lines).toContain('  row 2, measure "SACC": "SACC" is not a measure in Beacon\'s catalogue. To fix: did you mean SAC? Use the measure ids of your agency\'s template.');
    expect(lines.some((line) => line.startsWith('  row 3, area "Dartfrod": "Dartfrod" is not an area Beacon knows.'))).toBe(true);
    expect(lines.some((line) => line.startsWith('  row 4, period_end') && line.includes('one calendar month'))).toBe(true);
    expect(lines.some((line) => line.startsWith('  row 4, value "-3"'))).toBe(true);
    expect(runBeacon({ BEACON_HOME: home }, ['ingest', file, '--agency', 'north-kent-police', '--dry-run']).code).toBe(1);
  });

  it('checks without storing in a dry run', () => {
    const file = join(home, 'dry.csv');
    writeFileSync(file, `${march}NI15,GBC,01/05/2011,31/05/2011,12,,,,\r\n`);
    const dry = runBeacon({ BEACON_HOME: home }, ['ingest', file, '--agency', 'north-kent-police', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.out).toContain('Valid (dry run, nothing stored): "dry.csv": 1 reading would be recorded.');
    const real = runBeacon({ BEACON_HOME: home }, ['ingest', file, '--agency', 'north-kent-police']);
    expect(real.out).toMatch(/^Accepted "dry.csv"/);
  });

  it('names an unknown agency and a file that is not a return', () => {
    const file = join(home, 'minutes.pdf');
    writeFileSync(file, '%PDF-1.4 strategy group minutes');
    const unknown = runBeacon({ BEACON_HOME: home }, ['ingest', file, '--agency', 'mi5']);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/"mi5" is not an agency Beacon knows\. Agencies: .*north-kent-police/);
    const pdf = runBeacon({ BEACON_HOME: home }, ['ingest', file, '--agency', 'north-kent-police']);
    expect(pdf.code).toBe(1);
    expect(pdf.err).toMatch(/"minutes.pdf" looks like a PDF.*Save As/);
  });
});
