/**
 * Load: 20 data officers uploading returns at once while 50 strategy-group viewers read the
 * summary, for 60 s (BENCH_SECONDS), against the real services on loopback: the ingest service
 * and the projector (its query API following the log), each its own process, as `npm run
 * ingest` and the projector's main start them, on one SQLite store. The officers are 20 loops
 * here, each with a token of its own, sending 50-row returns one after another (past the 300th,
 * corrections of earlier ones: Beacon takes periods up to 2100 only); the viewers are
 * `wrk` (Debian's) with 50 connections. Afterwards it checks that every accepted return is in the
 * event log exactly once, and in the read models exactly once, and prints the figures. It asserts
 * nothing about speed: a slow machine prints slow figures. BENCH_SHOW_WRK=1 prints wrk's own report.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCatalogue } from '@beacon/catalogue';
import { logPages } from '@beacon/event-store';
import { openSqliteEventStore } from '@beacon/event-store-sqlite';
import { recordCatalogue, sendSacReturns } from '@beacon/projector-service/test-support';
import { percentile, policeReturn } from './police-return.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const OFFICERS = Number(process.env.BENCH_OFFICERS ?? 20);
const VIEWERS = 50;
const repo = join(import.meta.dirname, '../../..');

/** Starts a service's main in its own process; resolves with its address once it prints it. */
function start(main: string, env: Record<string, string>, address: RegExp): Promise<{ process: ChildProcess; address: string; printed: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(repo, main)], { cwd: repo, env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let printed = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    printed += chunk.toString();
  });
  // The services log a JSON line per request: read and dropped, so the pipe never fills.
  child.stderr?.resume();
  return new Promise((resolve, reject) => {
    const check = setInterval(() => {
      const found = address.exec(printed)?.[1];
      if (found) {
        clearInterval(check);
        resolve({ process: child, address: found, printed: () => printed });
      }
    }, 20);
    child.once('exit', (code) => {
      clearInterval(check);
      reject(new Error(`${main} stopped (exit code ${code}) before it was listening:\n${printed}`));
    });
  });
}

const ms = (value: number) => `${value.toFixed(1)} ms`;

/** How many times each return is in the log. */
async function returnsInLog(store: Parameters<typeof logPages>[0]): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for await (const page of logPages(store)) {
    for (const event of page) {
      if (event.type !== 'ReturnReceived') continue;
      const { returnId } = event.data as { returnId: string };
      counts.set(returnId, (counts.get(returnId) ?? 0) + 1);
    }
  }
  return counts;
}

async function main(): Promise<void> {
  if (spawnSync('wrk', ['--version']).error) {
    console.error('This benchmark needs wrk for its 50 viewers: apt-get install -y wrk');
    process.exitCode = 1;
    return;
  }
  const home = mkdtempSync(join(tmpdir(), 'beacon-bench-load-'));
  const processes: ChildProcess[] = [];
  const store = await openSqliteEventStore({ file: join(home, 'events.sqlite') });
  try {
    const catalogue = loadCatalogue();
    // The plan's targets and a year of returns, so the summary has something to work out.
    await recordCatalogue(store, catalogue);
    await sendSacReturns(store, catalogue);
    const seeded = new Set((await returnsInLog(store)).keys());
    const env = { BEACON_HOME: home, BEACON_INGEST_PORT: '0', BEACON_QUERY_PORT: '0', BEACON_UPLOADS_PER_MINUTE: '1000000' };
    const ingest = await start('services/ingest/src/main.ts', env, /listening on (http:\/\/127\.0\.0\.1:\d+)/);
    processes.push(ingest.process);
    const query = await start('services/projector/src/main.ts', env, /query API on (http:\/\/127\.0\.0\.1:\d+)/);
    processes.push(query.process);
    const adminToken = /API token: (beacon_\S+)/.exec(ingest.printed())?.[1];

    const asAdmin = async (path: string, body: unknown) => {
      const response = await fetch(`${ingest.address}${path}`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` } });
      if (response.status !== 201) throw new Error(`${path}: ${response.status} ${await response.text()}`);
      return (await response.json()) as { token: string };
    };
    const tokenOf = async (user: string, role: string, agency?: string) => {
      await asAdmin('/accounts', { user, name: user, role, kind: 'machine', ...(agency && { agency }) });
      return (await asAdmin(`/accounts/${user}/tokens`, { label: 'load benchmark' })).token;
    };
    const officers = await Promise.all(Array.from({ length: OFFICERS }, (_, i) => tokenOf(`nkp.officer.${i + 1}`, 'data-officer', 'north-kent-police')));
    const viewer = await tokenOf('strategy.group', 'strategy-group-viewer');
    const summaryUrl = `${query.address}/summary?period=2009-03`;
    if ((await fetch(summaryUrl, { headers: { authorization: `Bearer ${viewer}` } })).status !== 200) throw new Error('the summary did not answer 200 before the run');

    console.info(`Beacon under load: ${OFFICERS} data officers uploading 50-row returns at once while ${VIEWERS} viewers read the summary, for ${SECONDS} s`);
    console.info(`  (the ingest service and the projector in processes of their own, one SQLite store, loopback; ${OFFICERS} officer tokens, uploads per minute unlimited)`);
    const startedAt = new Date().toISOString();
    // A request is only counted as an error if it gets no answer in 30 s (wrk's own default, 2 s, would count a slow answer as none).
    const viewers = spawn('wrk', ['-t2', `-c${VIEWERS}`, `-d${SECONDS}s`, '--timeout', '30s', '--latency', '-H', `Authorization: Bearer ${viewer}`, summaryUrl], { stdio: ['ignore', 'pipe', 'inherit'] });
    let wrkOutput = '';
    viewers.stdout.on('data', (chunk: Buffer) => {
      wrkOutput += chunk.toString();
    });
    const viewersDone = new Promise((resolve) => viewers.once('exit', resolve));

    const deadline = performance.now() + SECONDS * 1000;
    let next = 0;
    const latencies: number[] = [];
    const statuses = new Map<number, number>();
    const accepted = new Set<string>();
    const uploading = officers.map(async (token, officer) => {
      while (performance.now() < deadline) {
        const index = next++;
        const started = performance.now();
        const response = await fetch(`${ingest.address}/returns?agency=north-kent-police`, {
          method: 'POST',
          body: policeReturn(index),
          headers: { 'content-type': 'text/csv', 'x-file-name': `officer-${officer + 1}-${index}.csv`, authorization: `Bearer ${token}` },
        });
        const answer = (await response.json()) as { returnId?: string };
        latencies.push(performance.now() - started);
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        if (response.status === 201 && answer.returnId) accepted.add(answer.returnId);
      }
    });
    await Promise.all(uploading);
    await viewersDone;

    // The projector catches up with the last uploads; then every accepted return is looked for.
    const head = await store.headPosition();
    for (let position = 0n; position < head; ) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      position = BigInt(((await (await fetch(`${query.address}/health`)).json()) as { position: string }).position);
    }
    const inLog = await returnsInLog(store);
    for (const returnId of seeded) inLog.delete(returnId);
    const changes = await fetch(`${query.address}/changes?period=2009-03&from=${encodeURIComponent(startedAt)}&to=${encodeURIComponent(new Date().toISOString())}`, {
      headers: { authorization: `Bearer ${viewer}` },
    });
    const inReadModels = new Map<string, number>();
    for (const { returnId } of ((await changes.json()) as { returns: { returnId: string }[] }).returns) inReadModels.set(returnId, (inReadModels.get(returnId) ?? 0) + 1);
    // Each accepted return once, and nothing else new.
    const exactlyOnce = (found: Map<string, number>) => [...accepted].every((id) => found.get(id) === 1) && [...found.keys()].every((id) => accepted.has(id));

    latencies.sort((a, b) => a - b);
    const sent = latencies.length;
    const errors = sent - (statuses.get(201) ?? 0);
    console.info(`  uploads: ${sent.toLocaleString('en-GB')} sent, ${accepted.size.toLocaleString('en-GB')} accepted (201), ${errors} other answers ${JSON.stringify(Object.fromEntries(statuses))}`);
    console.info(`  uploads/s: ${(sent / SECONDS).toFixed(1)}; request to stored: median ${ms(percentile(latencies, 50))}, p95 ${ms(percentile(latencies, 95))}, p99 ${ms(percentile(latencies, 99))}`);
    const wrkLine = (pattern: RegExp) => pattern.exec(wrkOutput)?.[1] ?? '?';
    if (process.env.BENCH_SHOW_WRK) console.info(wrkOutput);
    console.info(
      `  viewers: ${wrkLine(/(\d+) requests in/)} summaries read, ${wrkLine(/Requests\/sec:\s+([\d.]+)/)}/s; latency median ${wrkLine(/^\s+50%\s+(\S+)\s*$/m)}, p90 ${wrkLine(/^\s+90%\s+(\S+)\s*$/m)}, p99 ${wrkLine(/^\s+99%\s+(\S+)\s*$/m)}, max ${wrkLine(/Latency\s+\S+\s+\S+\s+(\S+)/)}`,
    );
    console.info(`  viewers' error answers: ${wrkLine(/Non-2xx or 3xx responses: (\d+)/) === '?' ? 0 : wrkLine(/Non-2xx or 3xx responses: (\d+)/)}; socket errors: ${wrkLine(/Socket errors: (.*)/) === '?' ? 'none' : wrkLine(/Socket errors: (.*)/)}`);
    console.info(`  every accepted return exactly once: in the event log ${exactlyOnce(inLog) ? 'yes' : 'NO'} (${inLog.size}), in the read models ${exactlyOnce(inReadModels) ? 'yes' : 'NO'} (${inReadModels.size})`);
    if (errors > 0 || !exactlyOnce(inLog) || !exactlyOnce(inReadModels)) process.exitCode = 1;
  } finally {
    for (const child of processes) child.kill('SIGTERM');
    await Promise.all(processes.map((child) => (child.exitCode !== null ? undefined : new Promise((resolve) => child.once('exit', resolve)))));
    await store.close();
    rmSync(home, { recursive: true, force: true });
  }
}

await main();
