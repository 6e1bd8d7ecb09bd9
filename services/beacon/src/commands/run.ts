import { ensureFirstAdministrator, firstAdministratorText } from '@beacon/accounts';
import { loadCatalogue } from '@beacon/catalogue';
import { type Outbox, openOutbox } from '@beacon/feed-publisher';
import { PerformanceQueries } from '@beacon/read-models';
import type { Config } from '../config.js';
import { openEventStore } from '../open-store.js';
import { outcomeText } from '../outcome-text.js';
import { recordCatalogue } from '../record-catalogue.js';
import { loadSampleReturns, sampleReturnsDir } from '../sample-returns.js';
import { summaryText } from '../summary-text.js';
import { projectToHead } from './project.js';
import { drainFeed, feedWhere, reporterFor, revisionLine } from './publish.js';

const count = (n: number, noun: string, nouns = `${noun}s`) => `${n.toLocaleString('en-GB')} ${n === 1 ? noun : nouns}`;

/** Beacon's main job on whatever exists of the pipeline so far. */
export async function runMainJob(config: Config, say: (line: string) => void): Promise<void> {
  const catalogue = loadCatalogue(config.catalogueDir);
  const groups = catalogue.measures.filter((m) => m.subMeasures.length > 0).length;
  const subMeasures = catalogue.measures.filter((m) => m.parent !== null).length;
  say(`Catalogue ${catalogue.dir}: checked.`);
  say(
    `  ${count(catalogue.measures.length - subMeasures, 'measure')} (${groups} with ${count(subMeasures, 'sub-measure')}), ${count(catalogue.targets.length, 'target')}, ` +
      `${count(catalogue.priorityAreas.length, 'priority area')}, ${count(catalogue.psas.length, 'PSA')}, ${count(catalogue.areas.length, 'area')}, ${count(catalogue.agencies.length, 'agency', 'agencies')}`,
  );

  const { store, location } = await openEventStore(config);
  try {
    say(`Event store: ${location}`);
    // On a new store only: the first administrator, whose password and token are printed this once.
    const first = await ensureFirstAdministrator(store);
    if (first) for (const line of firstAdministratorText(first)) say(line);
    const recorded = await recordCatalogue(store, catalogue);
    say(`  targets and populations from the catalogue: ${recorded.added} newly recorded, ${recorded.alreadyRecorded} already recorded`);

    const outcomes = await loadSampleReturns(store, catalogue);
    const accepted = outcomes.flatMap((o) => (o.status === 'accepted' ? [o] : []));
    const rejected = outcomes.filter((o) => o.status === 'rejected');
    const readings = accepted.reduce((sum, o) => sum + o.readings, 0);
    const corrections = accepted.flatMap((o) => o.corrections.map((c) => ({ ...o, corrections: [c] })));
    say(`Sample returns (ILLUSTRATIVE figures, not official statistics) from ${sampleReturnsDir}:`);
    say(
      `  ${count(outcomes.length, 'return')}: ${accepted.length} accepted (${count(readings, 'reading')}, ${count(corrections.length, 'correction')}), ` +
        `${outcomes.length - accepted.length - rejected.length} already received, ${rejected.length} rejected`,
    );
    for (const outcome of [...corrections, ...rejected]) for (const line of outcomeText(outcome)) say(`  ${line}`);

    // What the store holds, as the projector counted it: projected first, then read from the read models.
    const { readModels, from, to } = await projectToHead(config, store);
    let outbox: Outbox | undefined;
    try {
      const holdings = await readModels.records.holdings();
      say(`  holds ${count(holdings.events, 'event')} in ${count(holdings.streams, 'stream')} (last position ${to})`);
      for (const [type, n] of holdings.byType) say(`    ${type.padEnd(20)} ${n.toLocaleString('en-GB')}`);
      say(`Read models: ${readModels.location}, projected to position ${to} (${count(Number(to - from), 'new event')})`);
      const queries = new PerformanceQueries(readModels.records, catalogue);
      const latest = (await queries.records.span())?.last;
      if (latest) for (const line of summaryText(await queries.summary({ area: 'DGCDRP', period: latest.slice(0, 7) }))) say(line);
      // The same month as the strategy group saw it, and after later corrections: the two timelines.
      say('March 2009 as the strategy group saw it on 15 April 2009, before the police corrected Dartford\'s March figure:');
      for (const line of summaryText(await queries.summary({ area: 'DBC', period: '2009-03', asAt: '2009-04-15' }))) say(line);
      say('More: beacon summary --period YYYY-MM [--area DBC|GBC|DGCDRP] [--as-at YYYY-MM-DD]');

      // The monthly feed: every closed month as at its close, then revisions for later corrections.
      // Opened after the read models, which refuse a new database that already holds other tables.
      outbox = await openOutbox(config.readModels);
      const reporter = reporterFor(config, outbox, catalogue, queries);
      const outcomes = await reporter.cycle(new Date().toISOString()).finally(() => reporter.close());
      const written = outcomes.reduce((sum, o) => sum + o.added, 0);
      const months = new Set(outcomes.map((o) => o.month)).size;
      say(`Feed to the Kent Partnership: ${count(written, 'new message')} for ${count(months, 'closed month')} (months close on day ${config.closeDay} of the month after), to ${feedWhere(config)}`);
      const revisions = outcomes.flatMap((o) => o.revisions);
      if (revisions.length > 0) {
        say(`  ${count(revisions.length, 'message')} of them are later revisions (returns received after a month closed, and corrections), each saying what changed, e.g.:`);
        const example = revisions.find((r) => r.key === 'DGCDRP/DBC/2009-03/priority-area/acquisitive-crime') ?? revisions[0];
        if (example) say(`    ${revisionLine(example)}`);
      }
      if (await drainFeed(config, outbox, say)) say('  all sent (one JSON Lines file per month when there is no Kafka)');
    } finally {
      await outbox?.close();
      await readModels.close();
    }
  } finally {
    await store.close();
  }
}
