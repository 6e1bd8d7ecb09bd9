/**
 * The dashboard at the scale the architecture plans for: the projector benchmark's made-up
 * country of 300 partnerships with ten years of every rated measure (about 1.08 million
 * readings), rebuilt into read models and served by the dashboard on loopback. Prints:
 *  - the summary page's server time (the Server-Timing header), each page asked for the first
 *    time (another partnership or month each), goal < 50 ms median;
 *  - time to first render in Debian's Chromium (first contentful paint), goal < 1 s;
 *  - 50 concurrent viewers of one summary for 30 s with wrk (Debian's): requests/s and p99.
 * Asserts nothing. BENCH_PARTNERSHIPS=30 for a quick run; BENCH_WRK_SECONDS to shorten the load.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tokenFor } from '@beacon/accounts/test-support';
import { loadCatalogue } from '@beacon/catalogue';
import { openSqliteEventStore } from '@beacon/event-store-sqlite';
import { catalogueRecords, toEventToAppend } from '@beacon/events';
import { createAuth } from '@beacon/http-auth';
import { rebuild } from '@beacon/projector-service';
import { chromium } from 'playwright-core';
import {
  catalogueWithPartnerships,
  PARTNERSHIPS,
  partnershipId,
  partnershipReturns,
  partnershipTargets,
} from '../../projector/bench/partnerships.js';
import { CHROMIUM_FLAGS, DEFAULT_CHROMIUM } from '../src/chromium.js';
import { startDashboard } from '../src/serve.js';
import { ensureDebianPackage } from '../src/test-support/debian-package.js';

const WRK_SECONDS = Number(process.env.BENCH_WRK_SECONDS ?? 30);
const dir = mkdtempSync(join(tmpdir(), 'beacon-web-bench-'));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? Number.NaN;
const rows: Array<[string, string, string]> = [];
const report = (measure: string, figure: string, goal = '') => {
  rows.push([measure, figure, goal]);
  console.log(`  ${measure}: ${figure}${goal ? `   (goal ${goal})` : ''}`);
};
/** The i-th summary, different for every i below 60 × PARTNERSHIPS: a partnership and a month in the last five years. */
const summaryPath = (i: number) => {
  const month = 60 + (i % 60);
  const period = `${2008 + Math.floor((month + 3) / 12)}-${String(((month + 3) % 12) + 1).padStart(2, '0')}`;
  return `/?area=${partnershipId(1 + ((i + Math.floor(i / 60)) % PARTNERSHIPS))}&period=${period}`;
};

/** wrk's figures: requests/s and the latency percentiles it prints with --latency. */
function runWrk(url: string, seconds: number, authorization: string): Promise<{ requestsPerSecond: number; p50: string; p99: string; errors: string }> {
  return new Promise((resolve, reject) => {
    const wrk = spawn('wrk', ['-t1', '-c50', `-d${seconds}s`, '--latency', '--timeout', '10s', '-H', `Authorization: ${authorization}`, url], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    wrk.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    wrk.on('error', reject);
    wrk.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`wrk exited ${code}:\n${out}`));
      const requestsPerSecond = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
      const p50 = /\s50%\s+(\S+)/.exec(out)?.[1] ?? '?';
      const p99 = /\s99%\s+(\S+)/.exec(out)?.[1] ?? '?';
      const errors = /Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)/.exec(out)?.[0] ?? 'none';
      resolve({ requestsPerSecond, p50, p99, errors });
    });
  });
}

try {
  ensureDebianPackage(DEFAULT_CHROMIUM, 'chromium');
  ensureDebianPackage('/usr/bin/wrk', 'wrk');
  const catalogueDir = catalogueWithPartnerships();
  const catalogue = loadCatalogue(catalogueDir);
  console.log(`Building a store: ${PARTNERSHIPS} partnerships x 2 boroughs, 10 years of every rated measure...`);
  const store = await openSqliteEventStore({ file: join(dir, 'events.sqlite') });
  let started = performance.now();
  let readings = 0;
  for (const record of catalogueRecords(catalogue)) await store.append(record.stream, [toEventToAppend(record.event, record.id)]);
  for (const target of partnershipTargets(catalogueDir)) await store.append(target.stream, target.events);
  for (const r of partnershipReturns(catalogueDir)) {
    await store.append(r.stream, r.events, { expectedRevision: 'no_stream' });
    readings += r.readings;
  }
  const readModelsFile = join(dir, 'read-models.sqlite');
  await rebuild(store, { kind: 'sqlite', file: readModelsFile });
  report('store and read models', `${readings.toLocaleString('en-GB')} readings, ${(await store.headPosition()).toLocaleString('en-GB')} events, built in ${((performance.now() - started) / 1000).toFixed(0)} s`);

  // The strategy group's viewer, with an API token (pages need read-summary).
  const auth = createAuth({ store, catalogue });
  const authorization = `Bearer ${await tokenFor(auth.accounts, 'bench.viewer', 'strategy-group-viewer')}`;
  const headers = { authorization };
  const dashboard = await startDashboard({ store, catalogue, auth, readModels: { kind: 'sqlite', file: readModelsFile }, port: 0 });
  const base = dashboard.url.replace(/\/$/, '');
  try {
    // 1. Server time of summary pages never asked before (nothing remembered), as the server measures it.
    const server: number[] = [];
    const roundTrip: number[] = [];
    let bytes = 0;
    for (let i = 0; i < 120; i++) {
      started = performance.now();
      const response = await fetch(base + summaryPath(i), { headers });
      const body = await response.text();
      roundTrip.push(performance.now() - started);
      if (response.status !== 200) throw new Error(`${summaryPath(i)} answered ${response.status}`);
      server.push(Number(/dur=([\d.]+)/.exec(response.headers.get('server-timing') ?? '')?.[1]));
      bytes = body.length;
    }
    const cold = server.slice(20);
    report('summary page, server time (first asked)', `median ${median(cold).toFixed(1)} ms, p95 ${percentile(cold, 0.95).toFixed(1)} ms (${cold.length} pages)`, '< 50 ms median');
    report('summary page, round trip on loopback (first asked)', `median ${median(roundTrip.slice(20)).toFixed(1)} ms; ${Math.round(bytes / 1024)} KiB of HTML`);
    await fetch(base + summaryPath(50), { headers }).then((r) => r.text());
    started = performance.now();
    const again = await fetch(base + summaryPath(50), { headers });
    await again.text();
    report('the same summary page asked again (remembered)', `server ${/dur=([\d.]+)/.exec(again.headers.get('server-timing') ?? '')?.[1]} ms, round trip ${(performance.now() - started).toFixed(1)} ms`);

    // 2. Time to first render in Chromium: each page asked for the first time, in a fresh tab.
    const browser = await chromium.launch({ executablePath: DEFAULT_CHROMIUM, args: CHROMIUM_FLAGS });
    const paints: number[] = [];
    const loads: number[] = [];
    try {
      for (let i = 0; i < 12; i++) {
        const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, extraHTTPHeaders: headers });
        await page.goto(base + summaryPath(1000 + i), { waitUntil: 'load' });
        // Run in the page (milliseconds from the start of the navigation), so written as text: Node's
        // types are not the DOM's. The paint entry may come after the load event: it is waited for.
        const timing = JSON.parse(
          (await page.evaluate(`new Promise((resolve) => new PerformanceObserver((list, observer) => {
            const paint = list.getEntriesByName('first-contentful-paint')[0];
            if (!paint) return;
            observer.disconnect();
            resolve(JSON.stringify({ firstPaint: paint.startTime, load: performance.getEntriesByType('navigation')[0].loadEventEnd }));
          }).observe({ type: 'paint', buffered: true }))`)) as string,
        ) as { firstPaint: number; load: number };
        paints.push(timing.firstPaint);
        loads.push(timing.load);
        await page.close();
      }
    } finally {
      await browser.close();
    }
    const warm = paints.slice(2);
    report('first contentful paint in Chromium (page first asked)', `median ${median(warm).toFixed(0)} ms, max ${Math.max(...warm).toFixed(0)} ms; load event median ${median(loads.slice(2)).toFixed(0)} ms`, '< 1 s');

    // 3. 50 viewers on one summary, as many requests as wrk can make, for 30 s.
    const url = base + summaryPath(7);
    await fetch(url, { headers }).then((r) => r.text());
    console.log(`wrk -t1 -c50 -d${WRK_SECONDS}s ${url} ...`);
    const load = await runWrk(url, WRK_SECONDS, authorization);
    report(`50 concurrent viewers of one summary for ${WRK_SECONDS} s (wrk)`, `${Math.round(load.requestsPerSecond).toLocaleString('en-GB')} requests/s, p50 ${load.p50}, p99 ${load.p99}; errors: ${load.errors}`);
  } finally {
    await dashboard.close();
    await store.close();
  }

  console.log('\n| measure | figure | goal |\n|---|---|---|');
  for (const [measure, figure, goal] of rows) console.log(`| ${measure} | ${figure} | ${goal || '-'} |`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
