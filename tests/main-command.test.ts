import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
    expect(first.out).toContain('17 newly recorded, 0 already recorded');
    expect(first.out).toMatch(/holds 17 events in 15 streams/);
    expect(first.out).toMatch(/TargetSet\s+13/);
    expect(first.out).toMatch(/PopulationRecorded\s+4/);
    expect(existsSync(join(home, 'events.sqlite'))).toBe(true);

    const second = runBeacon({ BEACON_HOME: home });
    expect(second.code).toBe(0);
    expect(second.out).toContain('0 newly recorded, 17 already recorded');
    expect(second.out).toMatch(/holds 17 events in 15 streams/);
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
    expect(run.err).toMatch(/BEACON_STORE="spreadsheet": .*"sqlite"/);
  });
});
