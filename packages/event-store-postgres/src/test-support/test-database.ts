/**
 * A PostgreSQL database of their own for tests: makes sure the server runs (starting the local
 * cluster if it does not), creates `beacon_test_<random>` and drops it afterwards. The server is
 * BEACON_TEST_POSTGRES_URL, by default the machine's own (trust authentication for postgres on
 * 127.0.0.1:5432). A server that cannot be reached or started fails the tests with what to do:
 * they are never skipped.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import pg from 'pg';

export const serverUrl = process.env.BEACON_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const startTimeoutMs = 30_000;

export interface TestDatabase {
  /** Connection string of the new database. */
  url: string;
  /** Drops the database, closing whatever connections are left. */
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  await ensureServer();
  const name = `beacon_test_${randomBytes(6).toString('hex')}`;
  await onServer((client) => client.query(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8'`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => onServer((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => {}),
  };
}

async function onServer<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

let ready: Promise<void> | undefined;

function ensureServer(): Promise<void> {
  ready ??= (async () => {
    const firstTry = await reachable();
    if (firstTry === true) return;
    const started = startLocalCluster();
    const deadline = performance.now() + startTimeoutMs;
    let last: Error = firstTry;
    while (performance.now() < deadline) {
      const attempt = await reachable();
      if (attempt === true) return;
      last = attempt;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(
      `PostgreSQL is not running at ${redacted(serverUrl)} (${last.message}) and could not be started: ${started}. ` +
        'Install and start PostgreSQL (apt-get install postgresql; pg_ctlcluster --skip-systemctl-redirect <version> main start), ' +
        'or point BEACON_TEST_POSTGRES_URL at a server where the tests may create databases.',
    );
  })();
  return ready;
}

async function reachable(): Promise<true | Error> {
  try {
    await onServer((client) => client.query('SELECT 1'));
    return true;
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

/** Starts the local cluster (Debian's postgresql-common), as root or postgres; says what happened. */
function startLocalCluster(): string {
  const host = new URL(serverUrl).hostname;
  if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host)) return `the server is not on this machine (${host})`;
  let versions: string[];
  try {
    versions = readdirSync('/etc/postgresql');
  } catch {
    return 'no PostgreSQL cluster is installed here (/etc/postgresql is missing)';
  }
  const version = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!version) return 'no PostgreSQL cluster is installed here (/etc/postgresql is empty)';
  try {
    execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start'], { stdio: 'pipe', timeout: startTimeoutMs });
    return `started it with pg_ctlcluster ${version} main start, but it did not answer within ${startTimeoutMs / 1000} s`;
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    // Another test file may have started it a moment ago.
    return `pg_ctlcluster ${version} main start failed: ${stderr || (error as Error).message}`;
  }
}

const redacted = (url: string) => url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
