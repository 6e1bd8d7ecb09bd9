import { BaselineSchema, PopulationBaseSchema, TargetSourceSchema, ToleranceSchema } from '@beacon/catalogue';
import { z } from 'zod';
import { eventBasics } from './common.js';

/**
 * The events of Beacon, at their current schema versions. A type's version changes whenever its
 * data changes shape; older stored versions are brought up to date by the upcasters in
 * `upcasters.ts` before they are validated here.
 */

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 digest in lower-case hex');
const ReadingRef = z.object({ returnId: z.string().min(1), row: z.int().positive(), value: z.number() });

/** A data officer's return was accepted whole; its readings follow in the same stream and append. */
export const ReturnReceived = z.object({
  ...eventBasics,
  returnId: z.string().min(1),
  agency: z.string().min(1),
  fileName: z.string().min(1),
  sha256: Sha256,
  format: z.enum(['csv', 'xlsx']),
  readingCount: z.int().nonnegative(),
});

/** One row of a return: the value of a measure for an area over a period. */
export const ReadingRecorded = z.object({
  ...eventBasics,
  returnId: z.string().min(1),
  /** Row number as the spreadsheet shows it, so a reader can find the figure in the file. */
  row: z.int().positive(),
  measureId: z.string().min(1),
  /** The id as the agency wrote it when it was an alias (e.g. NI95 for NI195). */
  submittedMeasureId: z.string().min(1).optional(),
  area: z.string().min(1),
  agency: z.string().min(1),
  value: z.number(),
  numerator: z.number().nonnegative().optional(),
  denominator: z.number().positive().optional(),
  sampleSize: z.int().positive().optional(),
  note: z.string().optional(),
});

/** A later reading for the same measure, area and period replaced an earlier one, which stays in history. */
export const ReadingSuperseded = z.object({
  ...eventBasics,
  measureId: z.string().min(1),
  area: z.string().min(1),
  superseded: ReadingRef,
  by: ReadingRef,
  reason: z.string().optional(),
});

const TargetValue = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('value'), value: z.number() }),
  /** Plan targets such as "reduce the number of NTE violence offences": rated against the baseline. */
  z.object({ kind: z.literal('direction'), direction: z.enum(['reduce', 'increase']) }),
]);

/** A target was set or revised for the period it applies to (`period`); a revision has a higher version. */
export const TargetSet = z.object({
  ...eventBasics,
  targetId: z.string().min(1),
  version: z.int().positive(),
  measureId: z.string().min(1),
  area: z.string().min(1),
  target: TargetValue,
  source: TargetSourceSchema,
  /** Absent when the plan gives none: the projector then takes it from readings. */
  baseline: BaselineSchema.optional(),
  /** The Amber band for this target; absent means the measure's own tolerance. */
  tolerance: ToleranceSchema.optional(),
  note: z.string().optional(),
});

/** The population of an area for a year (the `period`), the denominator of count-based rates. */
export const PopulationRecorded = z.object({
  ...eventBasics,
  area: z.string().min(1),
  /** Whose population: all ages (crime rates per 1,000) or aged 10-17 (NI 111). */
  base: PopulationBaseSchema,
  population: z.int().positive(),
  source: z.string().min(1),
  /** True for figures that only illustrate (e.g. a borough split of the plan's combined total). */
  illustrative: z.boolean(),
  /** True for a projection (e.g. the plan's 212,500 by 2016) rather than an estimate. */
  projected: z.boolean(),
});

/** Every event type with its current schema version. */
export const beaconEvents = {
  ReturnReceived: { version: 1, schema: ReturnReceived },
  ReadingRecorded: { version: 1, schema: ReadingRecorded },
  ReadingSuperseded: { version: 1, schema: ReadingSuperseded },
  TargetSet: { version: 1, schema: TargetSet },
  PopulationRecorded: { version: 2, schema: PopulationRecorded },
} as const;

type Events = typeof beaconEvents;
export type BeaconEventType = keyof Events;
export type EventData<T extends BeaconEventType> = z.infer<Events[T]['schema']>;
/** A Beacon event in the shape domain code handles: its type and its (current-version) data. */
export type BeaconEvent = { [T in BeaconEventType]: { type: T; data: EventData<T> } }[BeaconEventType];
export type EventOfType<T extends BeaconEventType> = Extract<BeaconEvent, { type: T }>;
