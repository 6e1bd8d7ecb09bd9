import { z } from 'zod';

/**
 * The Kent Partnership feed: one message per area, month and priority area (and per PSA),
 * each the whole answer to "how is this priority area doing", so a consumer needs nothing else.
 * Versioned: a consumer reads `schemaVersion` and this schema is exported as JSON Schema
 * (schema/feed-message.v1.json) for consumers outside TypeScript.
 */

const RagStatus = z.enum(['green', 'amber', 'red', 'grey']).describe('RAG status; grey = no target, or no reading for the period (an overdue return)');
const Counts = z.object({ green: z.int().nonnegative(), amber: z.int().nonnegative(), red: z.int().nonnegative(), grey: z.int().nonnegative() });
const Period = z.object({ start: z.iso.date(), end: z.iso.date() });
const Trend = z
  .object({ direction: z.enum(['improving', 'steady', 'worsening']), comparedWith: z.number(), change: z.number(), significant: z.boolean().nullable() })
  .nullable();

export const FeedMeasure = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  unit: z.enum(['count', 'rate_per_1000', 'rate_per_100000', 'percent']),
  kentAgreement: z.boolean().describe('a Kent Agreement 2 indicator'),
  /** The figure rated: the rolling 12 months, or the financial year to date while the series is younger. */
  value: z.number().nullable(),
  ratedOn: z.enum(['rolling', 'year_to_date']),
  period: Period.nullable().describe('the months (or survey wave) the value covers'),
  interval: z.object({ lower: z.number(), upper: z.number(), level: z.literal(0.95), method: z.enum(['wilson', 'byar']) }).nullable(),
  target: z
    .object({
      id: z.string(),
      version: z.int().positive(),
      kind: z.enum(['value', 'direction']),
      value: z.number().nullable(),
      direction: z.enum(['reduce', 'increase']).nullable(),
      period: Period,
      carriedForward: z.boolean(),
      inheritedFrom: z.object({ area: z.string(), measureId: z.string() }).nullable(),
    })
    .nullable(),
  /** Where the trajectory from baseline to target stands at the month end (null without one). */
  trajectory: z.number().nullable(),
  rag: RagStatus,
  rule: z.string().describe('what the RAG was judged against: trajectory, target, baseline, or why it is grey'),
  reason: z.string(),
  directionOfTravel: z.object({ shortTerm: Trend, longTerm: Trend }),
  /** The returns whose readings produced the value. */
  returnIds: z.array(z.string().min(1)),
});
export type FeedMeasure = z.infer<typeof FeedMeasure>;

export const FEED_SCHEMA_VERSION = 1;

export const FeedMessageValue = z.object({
  schemaVersion: z.literal(FEED_SCHEMA_VERSION),
  partnership: z.object({ id: z.string().min(1), name: z.string().min(1) }),
  area: z.object({ id: z.string().min(1), name: z.string().min(1), kind: z.enum(['borough', 'partnership']) }),
  /** The month reported on. */
  period: z.object({ month: z.string().regex(/^\d{4}-\d{2}$/), start: z.iso.date(), end: z.iso.date() }),
  subject: z.object({ kind: z.enum(['priority_area', 'psa']), id: z.string().min(1), name: z.string().min(1) }),
  rag: z.object({ status: RagStatus, rule: z.enum(['worst', 'majority']), counts: Counts, reason: z.string() }),
  /** For a priority area, the PSAs the plan files under it. */
  psas: z.array(z.string()),
  measures: z.array(FeedMeasure),
  /** Only what Beacon had recorded by this moment went into the message. */
  asAt: z.iso.datetime(),
  revision: z.int().positive(),
  /** For a revision after the first: what changed since the one before. */
  changes: z.array(z.object({ what: z.string(), was: z.union([z.string(), z.number(), z.null()]), now: z.union([z.string(), z.number(), z.null()]) })),
});
export type FeedMessageValue = z.infer<typeof FeedMessageValue>;

/** The feed's one topic: compacted, keyed by partnership/area/month/subject. */
export const FEED_TOPIC = 'beacon.performance.monthly';
