import type { Catalogue } from '@beacon/catalogue';
import { asFeedMessage, changesBetween, type FeedContent, FeedMessageValue, FEED_TOPIC, feedContents } from '@beacon/feed';
import { addToOutbox, prepareOutbox } from '@beacon/feed-publisher';
import type { PerformanceQueries, ReadModels } from '@beacon/read-models';
import { monthEndFrom } from '@beacon/periods';
import { FeedWorkers } from './parallel-contents.js';

/** The moment a month closes: 00:00 UTC on `closeDay` of the month after (returns recorded before then are in its first publication). */
export function monthClose(month: string, closeDay: number): string {
  const next = monthEndFrom(`${month}-01`, 1).slice(0, 7);
  return `${next}-${String(closeDay).padStart(2, '0')}T00:00:00.000Z`;
}

export interface PublishOutcome {
  month: string;
  asAt: string;
  /** Messages new in the outbox: a first publication, or a new revision. */
  added: number;
  /** Messages whose content had not changed since their latest revision: nothing new. */
  unchanged: number;
  revisions: Array<{ key: string; revision: number; changes: FeedMessageValue['changes'] }>;
}

/** Below this many areas, starting worker threads costs more than it saves. */
const PARALLEL_FROM_AREAS = 60;

const withoutMoment = (content: FeedContent) => JSON.stringify({ ...content, asAt: null });

/**
 * Where the feed leaves Beacon: the month's summaries for every area become feed messages, written
 * into the outbox in the read-model database in one transaction; a publisher drains it to Kafka or
 * to files. A message whose content is what its latest revision already says is not written
 * again; a changed one becomes the next revision and says what changed.
 */
export class Reporter {
  private readonly latest;
  private readonly published;
  readonly closeDay: number;
  /** From this many areas on, a month is worked out in worker threads. */
  private readonly parallelFrom: number;
  private workers: FeedWorkers | undefined;
  /** The Kafka topic (the file feed's folder). */
  readonly topic: string;

  constructor(
    private readonly readModels: ReadModels,
    private readonly queries: PerformanceQueries,
    private readonly catalogue: Catalogue,
    options: { closeDay?: number; topic?: string; parallelFrom?: number } = {},
  ) {
    this.closeDay = options.closeDay ?? 20;
    this.parallelFrom = options.parallelFrom ?? PARALLEL_FROM_AREAS;
    this.topic = options.topic ?? FEED_TOPIC;
    const db = readModels.db;
    prepareOutbox(db);
    db.exec(`CREATE TABLE IF NOT EXISTS feed_months (
      month TEXT PRIMARY KEY,
      -- the read models' checkpoint when the month was last worked out: later readings may revise it
      checked_position INTEGER NOT NULL
    ) STRICT`);
    this.latest = db.prepare<[string, string], { revision: number; value: string }>(
      'SELECT revision, value FROM feed_outbox WHERE topic = ? AND key = ? ORDER BY revision DESC LIMIT 1',
    );
    this.published = {
      get: db.prepare<[string], { checked_position: number }>('SELECT checked_position FROM feed_months WHERE month = ?'),
      set: db.prepare('INSERT INTO feed_months (month, checked_position) VALUES (?, ?) ON CONFLICT (month) DO UPDATE SET checked_position = excluded.checked_position'),
    };
  }

  /** The month's messages as at a moment, for every area: what `publish` would write (revision 1 numbering). */
  contentsOf(month: string, asAt: string): Array<{ key: string; period: string; content: FeedContent }> {
    return this.catalogue.areas.flatMap((area) => feedContents(this.catalogue, this.queries.summary({ area: area.id, period: month, asAt }), asAt));
  }

  /**
   * Works out the month as at `asAt` and writes what is new or changed into the outbox. Many areas
   * (a county of partnerships) are worked out on every core, and each area's messages are written
   * as soon as they are ready, with `onWritten` told so that a publisher can send them meanwhile.
   * The month is marked worked out only at the end: if the work stops half-way, it is done again
   * and the messages already written are recognised as unchanged.
   */
  async publish(month: string, asAt: string, onWritten?: () => void): Promise<PublishOutcome> {
    const outcome: PublishOutcome = { month, asAt, added: 0, unchanged: 0, revisions: [] };
    const write = (contents: Array<{ key: string; period: string; content: FeedContent }>) => {
      this.readModels.db.transaction(() => {
        outcome.added += addToOutbox(this.readModels.db, FeedMessageValue, this.numbered(contents, outcome), new Date(asAt)).added;
      })();
      onWritten?.();
    };
    const workers = this.feedWorkers();
    if (workers) {
      await workers.contents({ month, asAt, areas: this.catalogue.areas.map((a) => a.id), onArea: write });
    } else {
      write(this.contentsOf(month, asAt));
    }
    this.published.set.run(month, this.readModels.checkpoint());
    return outcome;
  }

  /**
   * The worker threads that work out months of many areas, started on first use (or by
   * `startWorkers`, so that a month close does not wait for them); none below `parallelFrom` areas.
   */
  private feedWorkers(): FeedWorkers | undefined {
    if (this.catalogue.areas.length < this.parallelFrom) return undefined;
    this.workers ??= new FeedWorkers({ readModelsFile: this.readModels.location, catalogueDir: this.catalogue.dir });
    return this.workers;
  }

  /** Starts the worker threads now, if the catalogue has areas enough to use them, and waits until they are ready. */
  async startWorkers(): Promise<void> {
    await this.feedWorkers()?.ready();
  }

  async close(): Promise<void> {
    await this.workers?.close();
    this.workers = undefined;
  }

  /** Each message with its revision: 1 for a new key, the next for changed content, none for content its latest revision already has. */
  private numbered(contents: Array<{ key: string; period: string; content: FeedContent }>, outcome: PublishOutcome) {
    return contents.flatMap(({ key, period, content }) => {
      const latest = this.latest.get(this.topic, key);
      if (!latest) return [asFeedMessage(key, period, { ...content, revision: 1, changes: [] }, this.topic)];
      const previous = JSON.parse(latest.value) as FeedMessageValue;
      const { revision: _revision, changes: _changes, ...previousContent } = previous;
      if (withoutMoment(previousContent) === withoutMoment(content)) {
        outcome.unchanged++;
        return [];
      }
      const revision = latest.revision + 1;
      const changes = changesBetween(previousContent, content);
      outcome.revisions.push({ key, revision, changes });
      return [asFeedMessage(key, period, { ...content, revision, changes }, this.topic)];
    });
  }

  /** Months with returns whose close has passed by `now`, oldest first. */
  closedMonths(now: string): string[] {
    const span = this.queries.records.span();
    if (!span) return [];
    const months: string[] = [];
    for (let end = monthEndFrom(span.first, 0); end <= span.last; end = monthEndFrom(end, 1)) {
      const month = end.slice(0, 7);
      if (monthClose(month, this.closeDay) <= now) months.push(month);
    }
    return months;
  }

  /**
   * The scheduled work: every closed month not yet published is published as at its close; then
   * every published month that readings recorded since may have changed is worked out again as at
   * the latest recorded fact, and publishes a new revision where its content changed.
   */
  async cycle(now: string, onWritten?: () => void): Promise<PublishOutcome[]> {
    const outcomes: PublishOutcome[] = [];
    const checkpoint = this.readModels.checkpoint();
    // Nothing recorded means no closed month, so the fallback is never compared.
    const latest = this.queries.records.lastRecordedAt() ?? '';
    for (const month of this.closedMonths(now)) {
      const close = monthClose(month, this.closeDay);
      const checked = this.published.get.get(month);
      if (!checked) outcomes.push(await this.publish(month, close, onWritten));
      else if (BigInt(checked.checked_position) >= checkpoint) continue;
      // Anything recorded after the close (a correction, a late return) may revise it.
      if (latest > close && (!checked || this.changedSince(month, checked.checked_position))) {
        const revised = await this.publish(month, latest, onWritten);
        if (revised.added > 0) outcomes.push(revised);
      } else {
        this.published.set.run(month, checkpoint);
      }
    }
    return outcomes;
  }

  /** Whether anything recorded after `position` bears on the month: a reading in its look-back window, a target or a population. */
  private changedSince(month: string, position: number): boolean {
    const end = monthEndFrom(`${month}-01`, 0);
    const windowStart = `${monthEndFrom(end, -36).slice(0, 8)}01`;
    const db = this.readModels.db;
    return Boolean(
      db.prepare('SELECT 1 FROM readings WHERE position > ? AND period_start <= ? AND period_end >= ? LIMIT 1').get(position, end, windowStart) ||
        db.prepare('SELECT 1 FROM targets WHERE position > ? LIMIT 1').get(position) ||
        db.prepare('SELECT 1 FROM populations WHERE position > ? LIMIT 1').get(position),
    );
  }

  /** The month's messages as published, every revision in outbox order, as JSON Lines (what a feed file holds). */
  messagesOf(month: string): string {
    return this.readModels.db
      .prepare<[string, string], { key: string; revision: number; value: string }>('SELECT key, revision, value FROM feed_outbox WHERE topic = ? AND period = ? ORDER BY position')
      .all(this.topic, month)
      .map((m) => `{"key":${JSON.stringify(m.key)},"revision":${m.revision},"value":${m.value}}\n`)
      .join('');
  }

  /** Sends a month's messages again, every revision in order (consumers dedupe on key and revision). */
  republish(month: string): number {
    return this.readModels.db.prepare('UPDATE feed_outbox SET sent_at = NULL WHERE topic = ? AND period = ?').run(this.topic, month).changes;
  }
}
