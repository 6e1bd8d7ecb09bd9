/**
 * A deployment on one PostgreSQL database, as its processes run: the main job fills the log, the
 * read models and the outbox; then the projector and the reporter services run as processes of
 * their own while a data officer sends a correction with `beacon ingest`. The projector's query
 * API shows the corrected figure, and the reporter publishes it as the next revision.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '@beacon/event-store-postgres/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '..');
const tsx = join(repo, 'node_modules/.bin/tsx');
let home: string;
let database: TestDatabase;
let env: Record<string, string>;
const services: ChildProcess[] = [];

/** Starts a service and resolves with the address it prints once it listens. */
function startService(main: string, extra: Record<string, string>, listening: RegExp): Promise<string> {
  const child = spawn(tsx, [join(repo, main)], { cwd: repo, env: { ...env, ...extra }, stdio: ['ignore', 'pipe', 'pipe'] });
  services.push(child);
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const found = listening.exec(output);
      if (found?.[1]) resolve(found[1]);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${main} stopped (exit ${code}) before it listened:\n${output}`)));
  });
}

const beacon = (args: string[]) => spawnSync(process.execPath, [join(repo, 'services/beacon/bin/beacon.mjs'), ...args], { cwd: repo, env, encoding: 'utf8' });

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'beacon-deployment-'));
  database = await createTestDatabase();
  env = { PATH: process.env.PATH ?? '', BEACON_HOME: home, BEACON_STORE: 'postgres', BEACON_POSTGRES_URL: database.url };
});

afterAll(async () => {
  for (const child of services) child.kill('SIGTERM');
  await Promise.all(services.map((child) => (child.exitCode === null ? new Promise((resolve) => child.once('exit', resolve)) : undefined)));
  await database.drop();
  rmSync(home, { recursive: true, force: true });
});

describe('a deployment on one PostgreSQL database', () => {
  it('follows a correction sent while the projector and reporter services run: the query API shows it, the feed revises it', async () => {
    const main = beacon(['run']);
    expect(main.status).toBe(0);
    const token = /API token: (beacon_\S+)/.exec(main.stdout)?.[1];
    expect(token).toBeDefined();
    expect(existsSync(join(home, 'read-models.sqlite'))).toBe(false);

    const queryApi = await startService('services/projector/src/main.ts', { BEACON_QUERY_PORT: '0' }, /query API on (http:\/\/127\.0\.0\.1:\d+)/);
    const feedDir = join(home, 'service-feed');
    const reporter = await startService(
      'services/reporter/src/main.ts',
      { BEACON_REPORTER_PORT: '0', BEACON_FEED_DIR: feedDir, BEACON_REPORT_EVERY_SECONDS: '0.2' },
      /health at (http:\/\/127\.0\.0\.1:\d+)\/health/,
    );
    const summaryOfMarch = async () => {
      const response = await fetch(`${queryApi}/summary?area=DBC&period=2011-03`, { headers: { authorization: `Bearer ${token}` } });
      expect(response.status).toBe(200);
      return ((await response.json()) as { measures: Array<{ measureId: string; provenance: { readings: Array<{ value: number }> } }> }).measures.find((m) => m.measureId === 'SAC');
    };
    const before = await summaryOfMarch();
    expect(before?.provenance.readings.map((r) => r.value)).not.toContain(99);

    // Dartford's March 2011 SAC corrected to 99 by North Kent Police, through the command line.
    const file = join(home, 'nkp-2011-03-corrected.csv');
    writeFileSync(file, 'Measure,Area,Period start,Period end,Value,Numerator,Denominator,Sample size,Note\r\nSAC,DBC,01/03/2011,31/03/2011,99,,,,corrected\r\n');
    const sent = beacon(['ingest', file, '--agency', 'north-kent-police', '--submitter', 'nkp.analyst']);
    expect(sent.stderr).toBe('');
    expect(sent.stdout).toMatch(/^Accepted "nkp-2011-03-corrected.csv": 1 reading recorded/);

    // The projector service follows the log (LISTEN/NOTIFY) into the read models in PostgreSQL.
    await expect.poll(async () => (await summaryOfMarch())?.provenance.readings.map((r) => r.value), { timeout: 20_000, interval: 200 }).toContain(99);

    // The reporter service publishes the revision of every message about Dartford's March 2011 acquisitive crime.
    const march = join(feedDir, 'beacon.performance.monthly', '2011-03.jsonl');
    await expect.poll(() => existsSync(march) && readFileSync(march, 'utf8'), { timeout: 30_000, interval: 250 }).toMatch(/"key":"DGCDRP\/DBC\/2011-03\/priority-area\/acquisitive-crime"/);
    const revisions = readFileSync(march, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { key: string; revision: number; value: { changes: Array<{ what: string; was: unknown; now: unknown }> } })
      .filter((m) => m.key === 'DGCDRP/DBC/2011-03/priority-area/acquisitive-crime');
    // The main job published (to files under BEACON_HOME) the revisions before; this feed has only the one after them.
    const published = readFileSync(join(home, 'feed', 'beacon.performance.monthly', '2011-03.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { key: string; revision: number })
      .filter((m) => m.key === 'DGCDRP/DBC/2011-03/priority-area/acquisitive-crime');
    expect(published.length).toBeGreaterThan(0);
    expect(revisions.map((m) => m.revision)).toEqual([Math.max(...published.map((m) => m.revision)) + 1]);
    expect(revisions[0]?.value.changes.length).toBeGreaterThan(0);
    const health = await fetch(`${reporter}/health`);
    expect(health.status).toBe(200);
  });
});
