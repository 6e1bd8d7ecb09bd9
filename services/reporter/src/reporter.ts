import type { Catalogue } from '@beacon/catalogue';
import type { ReadModelsConfig } from '@beacon/config';
import { asFeedMessage, changesBetween, type FeedContent, FeedMessageValue, FEED_TOPIC, feedContents } from '@beacon/feed';
import { feedLine, type Outbox } from '@beacon/feed-publisher';
import type { Answer, PerformanceQueries } from '@beacon/read-models';
import { monthEndFrom } from '@beacon/periods';
import { lookBackWindow } from '@beacon/reports';
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

type Contents = Array<{ key: string; period: string; content: FeedContent }>;

export interface ReporterOptions {
  /** The day of the month after on which a month closes. Default 20. */
  closeDay?: number;
  /** The Kafka topic (the file feed's folder). Default the feed's. */
  topic?: string;
  /** From this many areas on, a month is worked out in worker threads. Default 60. */
  parallelFrom?: number;
  /** Where the worker threads open the read models; without it, every month is worked out in this thread. */
  readModels?: ReadModelsConfig;
}

/**
 * Where the feed leaves Beacon: the month's summaries for every area become feed messages, written
 * into the outbox beside the read models, each area's messages together; a publisher drains it to
 * Kafka or to files. A message whose content is what its latest revision already says is not
 * written again; a changed one becomes the next revision and says what changed.
 */
export class Reporter {
  readonly closeDay: number;
  /** From this many areas on, a month is worked out in worker threads. */
  private readonly parallelFrom: number;
  private workers: FeedWorkers | undefined;
  /** The Kafka topic (the file feed's folder). */
  readonly topic: string;

  constructor(
    private readonly outbox: Outbox,
    private readonly queries: PerformanceQueries,
    private readonly catalogue: Catalogue,
    private readonly options: ReporterOptions = {},
  ) {
    this.closeDay = options.closeDay ?? 20;
    this.parallelFrom = options.parallelFrom ?? PARALLEL_FROM_AREAS;
    this.topic = options.topic ?? FEED_TOPIC;
  }

  /** The month's messages as at a moment, for every area: what `publish` would write (revision 1 numbering). */
  async contentsOf(month: string, asAt: string): Promise<Contents> {
    const contents: Contents = [];
    for (const area of this.catalogue.areas) contents.push(...feedContents(this.catalogue, await this.queries.summary({ area: area.id, period: month, asAt }), asAt));
    return contents;
  }

  /**
   * Works out the month as at `asAt` and writes what is new or changed into the outbox. Many areas
   * (a county of partnerships) are worked out on every core, and each area's messages are written
   * as soon as they are ready, with `onWritten` told so that a publisher can send them meanwhile.
   * The month is marked worked out only at the end: if the work stops half-way, it is done again
   * and the messages already written are recognised as unchanged.
   */
  async publish(month: string, asAt: string, onWritten?: () => void): Promise<PublishOutcome> {
    // Taken before the month is read: what is projected meanwhile is looked at again next cycle.
    const checkpoint = await this.queries.records.checkpoint();
    const outcome: PublishOutcome = { month, asAt, added: 0, unchanged: 0, revisions: [] };
    const write = async (contents: Contents) => {
      outcome.added += (await this.outbox.add(FeedMessageValue, await this.numbered(contents, outcome), new Date(asAt))).added;
      onWritten?.();
    };
    const workers = this.feedWorkers();
    if (workers) {
      // Areas may come from the workers faster than the outbox takes them: written one at a time,
      // in the order they came, and none after a failure (which is handled here, thrown below).
      let written = Promise.resolve();
      const queue = (contents: Contents) => {
        written = written.then(() => write(contents));
        written.catch(() => {});
      };
      await workers.contents({ month, asAt, areas: this.catalogue.areas.map((a) => a.id), onArea: queue }).finally(() => written.catch(() => {}));
      await written;
    } else {
      await write(await this.contentsOf(month, asAt));
    }
    await this.outbox.setCheckedPosition(month, checkpoint);
    return outcome;
  }

  /**
   * The worker threads that work out months of many areas, started on first use (or by
   * `startWorkers`, so that a month close does not wait for them); none below `parallelFrom` areas.
   */
  private feedWorkers(): FeedWorkers | undefined {
    const { readModels } = this.options;
    if (!readModels || this.catalogue.areas.length < this.parallelFrom) return undefined;
    this.workers ??= new FeedWorkers({ readModels, catalogueDir: this.catalogue.dir });
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
  private async numbered(contents: Contents, outcome: PublishOutcome) {
    const messages: ReturnType<typeof asFeedMessage>[] = [];
    const latestOf = await this.outbox.latestRevisions(this.topic, contents.map((c) => c.key));
    for (const { key, period, content } of contents) {
      const latest = latestOf.get(key);
      if (!latest) {
        messages.push(asFeedMessage(key, period, { ...content, revision: 1, changes: [] }, this.topic));
        continue;
      }
      const previous = JSON.parse(latest.value) as FeedMessageValue;
      const { revision: _revision, changes: _changes, ...previousContent } = previous;
      if (withoutMoment(previousContent) === withoutMoment(content)) {
        outcome.unchanged++;
        continue;
      }
      const revision = latest.revision + 1;
      const changes = changesBetween(previousContent, content);
      outcome.revisions.push({ key, revision, changes });
      messages.push(asFeedMessage(key, period, { ...content, revision, changes }, this.topic));
    }
    return messages;
  }

  /** Months with returns whose close has passed by `now`, oldest first. */
  async closedMonths(now: string): Promise<string[]> {
    const span = await this.queries.records.span();
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
    const checkpoint = await this.queries.records.checkpoint();
    // Nothing recorded means no closed month, so the fallback is never compared.
    const latest = (await this.queries.records.lastRecordedAt()) ?? '';
    for (const month of await this.closedMonths(now)) {
      const close = monthClose(month, this.closeDay);
      const checked = await this.outbox.checkedPosition(month);
      if (checked === undefined) outcomes.push(await this.publish(month, close, onWritten));
      else if (checked >= checkpoint) continue;
      // Anything recorded after the close (a correction, a late return) may revise it.
      if (latest > close && (checked === undefined || (await this.changedSince(month, checked)))) {
        const revised = await this.publish(month, latest, onWritten);
        if (revised.added > 0) outcomes.push(revised);
      } else {
        await this.outbox.setCheckedPosition(month, checkpoint);
      }
    }
    return outcomes;
  }

  /** Whether anything recorded after `position` bears on the month: a reading in its look-back window, a target or a population. */
  private changedSince(month: string, position: bigint): Answer<boolean> {
    return this.queries.records.changedSince(position, lookBackWindow(monthEndFrom(`${month}-01`, 0)));
  }

  /** The month's messages as published, every revision in outbox order, as JSON Lines (what a feed file holds). */
  async messagesOf(month: string): Promise<string> {
    return (await this.outbox.messagesOf(this.topic, month)).map(feedLine).join('');
  }

  /** Sends a month's messages again, every revision in order (consumers dedupe on key and revision); says how many. */
  async republish(month: string): Promise<number> {
    return this.outbox.resend(this.topic, month);
  }
}
