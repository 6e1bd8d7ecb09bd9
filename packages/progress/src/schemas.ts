/**
 * The data that crosses the boundary of the progress maths: what goes in (readings,
 * populations, measures, targets) and what comes out (rolling values, RAG ratings,
 * year-to-date figures, forecasts, trends, roll-ups). Every type is inferred from its schema.
 *
 * Units as in the catalogue: percent is 0-100 (22% is 22); rates are per 1,000 or per
 * 100,000 of the population; intervals are in the unit of the value they go with.
 */
import { BaselineSchema, MeasureSchema, MethodSchema, PeriodSchema, PolaritySchema, ToleranceSchema, UnitSchema } from '@beacon/catalogue';
import { z } from 'zod';

const IsoDate = z.iso.date('expected a date written YYYY-MM-DD');

// ---------------------------------------------------------------------------
// In
// ---------------------------------------------------------------------------

/**
 * A reading of one measure for one borough over a period, as the projector holds it after
 * corrections (a superseded reading is left out) and after the "as at" cut. The data of a
 * ReadingRecorded event fits this shape as it is; returnId and row are kept for provenance.
 */
export const ReadingSchema = z.object({
  /** When given, readings of other measures are ignored. */
  measureId: z.string().min(1).optional(),
  area: z.string().min(1),
  period: PeriodSchema,
  value: z.number(),
  numerator: z.number().nonnegative().optional(),
  denominator: z.number().positive().optional(),
  sampleSize: z.int().positive().optional(),
  returnId: z.string().min(1).optional(),
  row: z.int().positive().optional(),
});
export type Reading = z.infer<typeof ReadingSchema>;

/** The population of a borough (or of the partnership) for a (mid-)year, in the measure's population base. */
export const AreaPopulationSchema = z.object({
  area: z.string().min(1),
  year: z.int(),
  value: z.number().positive(),
  illustrative: z.boolean().optional(),
});
export type AreaPopulation = z.infer<typeof AreaPopulationSchema>;

/**
 * The area a value is wanted for: a borough (no members: its own readings) or the
 * partnership (members: the boroughs whose numerators and denominators are summed).
 */
export const AreaScopeSchema = z.object({
  id: z.string().min(1),
  members: z.array(z.string().min(1)).min(1).optional(),
});
export type AreaScope = z.infer<typeof AreaScopeSchema>;

/** What the maths needs to know about a measure (a catalogue Measure fits as it is; other fields are dropped). */
export const ProgressMeasureSchema = z.object(
  MeasureSchema.pick({ id: true, unit: true, method: true, polarity: true, frequency: true, tolerance: true, rag: true }).shape,
);
export type ProgressMeasure = z.infer<typeof ProgressMeasureSchema>;

const targetFields = {
  id: z.string().min(1).optional(),
  version: z.int().min(1).optional(),
  /** The period the target applies to; a value target is due at its end. */
  period: PeriodSchema,
  /** Where the trajectory starts (value target) or what "reduce"/"increase" is judged against. */
  baseline: BaselineSchema.optional(),
  /** Overrides the measure's tolerance for this target (a TargetSet event may carry one). */
  tolerance: ToleranceSchema.optional(),
};

/** A catalogue Target fits as it is; so does a target built from a TargetSet event. */
export const ProgressTargetSchema = z.discriminatedUnion('kind', [
  z.object({ ...targetFields, kind: z.literal('value'), value: z.number() }),
  z.object({ ...targetFields, kind: z.literal('direction'), direction: z.enum(['reduce', 'increase']) }),
]);
export type ProgressTarget = z.infer<typeof ProgressTargetSchema>;

// ---------------------------------------------------------------------------
// Out
// ---------------------------------------------------------------------------

/** A 95% confidence interval, in the unit of the value. */
export const IntervalSchema = z.object({
  lower: z.number(),
  upper: z.number(),
  level: z.literal(0.95),
  /** wilson: Wilson score interval for a proportion; byar: Byar's approximation to the Poisson limits of a count. */
  method: z.enum(['wilson', 'byar']),
});
export type Interval = z.infer<typeof IntervalSchema>;

/** The population that divided a count: the year's figure of each borough, summed for the partnership. */
export const PopulationUsedSchema = z.object({
  value: z.number().positive(),
  /** The year wanted: the one whose 30 June falls in the period (the ONS mid-year estimate). */
  year: z.int(),
  figures: z.array(AreaPopulationSchema),
  /** True when the year wanted was missing and the latest earlier figure stood in. */
  earlierYear: z.boolean(),
  illustrative: z.boolean(),
});
export type PopulationUsed = z.infer<typeof PopulationUsedSchema>;

/** Periods (months, or a survey wave) that should have had a reading and did not. */
export const MissingSchema = z.array(z.object({ area: z.string(), periods: z.array(PeriodSchema) }));
export type Missing = z.infer<typeof MissingSchema>;

/**
 * The rolling value of a measure for an area at a month end:
 * value = numerator / denominator × the unit's multiplier (count unit: the numerator itself).
 */
export const RollingValueSchema = z.object({
  measureId: z.string(),
  area: z.string(),
  /** The boroughs whose readings went in (the area itself for a borough). */
  members: z.array(z.string()),
  date: IsoDate,
  method: MethodSchema,
  unit: UnitSchema,
  /** The period the value describes: the 12 months to `date`, or the survey wave / reading used. */
  period: PeriodSchema.nullable(),
  value: z.number().nullable(),
  /** count: the summed count; ratio: the summed numerator; survey: value × sample size. */
  numerator: z.number().nullable(),
  /** count: the population (null for a count unit); ratio: the summed denominator; survey: the sample size. */
  denominator: z.number().nullable(),
  sampleSize: z.number().nullable(),
  population: PopulationUsedSchema.nullable(),
  interval: IntervalSchema.nullable(),
  /** Every period that should have a reading has one, for every member. */
  complete: z.boolean(),
  /** The latest period expected by `date` has no reading for some member (an overdue return). */
  overdue: z.boolean(),
  missing: MissingSchema,
  /** The readings that went in, for provenance. */
  readings: z.array(ReadingSchema),
  notes: z.array(z.string()),
});
export type RollingValue = z.infer<typeof RollingValueSchema>;

/** What a RAG rating is given: a rolling value fits, and so does a year-to-date figure. */
export const RatedValueSchema = z.object({
  area: z.string(),
  value: z.number().nullable(),
  interval: IntervalSchema.nullable().optional(),
  complete: z.boolean().optional(),
  overdue: z.boolean().optional(),
  missing: MissingSchema.optional(),
  readings: z.array(ReadingSchema).optional(),
});
export type RatedValue = z.infer<typeof RatedValueSchema>;

export const RagStatusSchema = z.enum(['green', 'amber', 'red', 'grey']);
export type RagStatus = z.infer<typeof RagStatusSchema>;

/**
 * Which rule produced the colour: rated against the trajectory, the target itself, or the
 * baseline (direction-only targets); or why it is Grey.
 */
export const RagRuleSchema = z.enum(['trajectory', 'target', 'baseline', 'no_target', 'no_baseline', 'no_reading', 'incomplete']);
export type RagRule = z.infer<typeof RagRuleSchema>;

export const SignificanceSchema = z.object({
  /** The value compared with the interval (the target, trajectory or baseline value). */
  against: z.number(),
  interval: IntervalSchema,
  /** The comparison value lies outside the value's 95% interval. */
  significant: z.boolean(),
});
export type Significance = z.infer<typeof SignificanceSchema>;

export const RagResultSchema = z.object({
  measureId: z.string(),
  area: z.string(),
  date: IsoDate,
  status: RagStatusSchema,
  rule: RagRuleSchema,
  unit: UnitSchema,
  /** lower = lower is better (polarity down, or a "reduce" target). */
  better: z.enum(['lower', 'higher']),
  value: z.number().nullable(),
  comparator: z
    .object({
      kind: z.enum(['trajectory', 'target', 'baseline']),
      value: z.number(),
      /** The target's own value (null for a direction target). */
      targetValue: z.number().nullable(),
    })
    .nullable(),
  /** worseBy > 0 means worse than the comparator, in the unit; relative = worseBy / |comparator|. */
  gap: z.object({ worseBy: z.number(), relative: z.number().nullable() }).nullable(),
  /** band = the Amber band in the unit; limit = the worst value still Amber. */
  tolerance: ToleranceSchema.extend({ band: z.number().nullable(), limit: z.number().nullable() }),
  redOnlyIfSignificant: z.boolean(),
  significance: SignificanceSchema.nullable(),
  /** Red by tolerance, but Amber because the gap is not significant. */
  downgraded: z.boolean(),
  target: z
    .object({
      id: z.string().nullable(),
      version: z.number().nullable(),
      kind: z.enum(['value', 'direction']),
      period: PeriodSchema,
    })
    .nullable(),
  readings: z.array(ReadingSchema),
  /** Why it is that colour, in words. */
  reason: z.string(),
});
export type RagResult = z.infer<typeof RagResultSchema>;

export const TrajectorySchema = z.object({
  baseline: z.object({ value: z.number(), date: IsoDate }),
  target: z.object({ value: z.number(), date: IsoDate }),
});
export type Trajectory = z.infer<typeof TrajectorySchema>;

export const TrajectoryProgressSchema = z.object({
  date: IsoDate,
  value: z.number(),
  /** Where the trajectory stands at `date`. */
  expected: z.number(),
  /** > 0 means behind the trajectory (worse), in the unit. */
  worseBy: z.number(),
  relative: z.number().nullable(),
  onTrack: z.boolean(),
});
export type TrajectoryProgress = z.infer<typeof TrajectoryProgressSchema>;

export const FinancialYearToDateSchema = z.object({
  measureId: z.string(),
  area: z.string(),
  date: IsoDate,
  /** e.g. "2008/09". */
  financialYear: z.string(),
  /** 1 April to `date`. */
  period: PeriodSchema,
  months: z.int().min(1).max(12),
  /**
   * count unit: the year-to-date count; rate unit: the year-to-date rate annualised (× 12 / months);
   * percent: the year-to-date ratio.
   */
  value: z.number().nullable(),
  /** How `value` compares with the target, in words. */
  basis: z.string(),
  numerator: z.number().nullable(),
  denominator: z.number().nullable(),
  population: PopulationUsedSchema.nullable(),
  interval: IntervalSchema.nullable(),
  /** The annual target value (or the baseline, for a direction target) and its pro-rata share. */
  annualTarget: z.number().nullable(),
  proRataTarget: z.number().nullable(),
  complete: z.boolean(),
  overdue: z.boolean(),
  missing: MissingSchema,
  readings: z.array(ReadingSchema),
  /** The year to date rated against the pro-rata target (Grey when there is none). */
  rag: RagResultSchema,
  notes: z.array(z.string()),
});
export type FinancialYearToDate = z.infer<typeof FinancialYearToDateSchema>;

export const ForecastSchema = z.object({
  /** The forecast outturn for 31 March, in the measure's unit. */
  value: z.number(),
  /** The forecast count (count method) or numerator / denominator (ratio method). */
  numerator: z.number(),
  denominator: z.number().nullable(),
  /** The share of the year's total that the months so far carried (12ths for the straight line). */
  shareOfYear: z.number(),
  shareOfDenominator: z.number().nullable(),
  method: z.string(),
});
export type Forecast = z.infer<typeof ForecastSchema>;

export const ForecastOutturnSchema = z.object({
  measureId: z.string(),
  area: z.string(),
  date: IsoDate,
  financialYear: z.string(),
  /** 31 March of the financial year. */
  outturnDate: IsoDate,
  months: z.int().min(1).max(12),
  yearToDate: z.object({ numerator: z.number(), denominator: z.number().nullable() }).nullable(),
  straightLine: ForecastSchema.nullable(),
  /** Profiled by last year's monthly shares; null without a full prior year. */
  seasonal: ForecastSchema.nullable(),
  priorYear: z.object({ financialYear: z.string(), complete: z.boolean(), readings: z.array(ReadingSchema) }),
  population: PopulationUsedSchema.nullable(),
  complete: z.boolean(),
  readings: z.array(ReadingSchema),
  notes: z.array(z.string()),
});
export type ForecastOutturn = z.infer<typeof ForecastOutturnSchema>;

export const TravelSchema = z.enum(['improving', 'steady', 'worsening']);
export type Travel = z.infer<typeof TravelSchema>;

export const TrendSchema = z.object({
  direction: TravelSchema,
  value: z.number(),
  comparedWith: z.number(),
  /** value − comparedWith, in the unit. */
  change: z.number(),
  relativeChange: z.number().nullable(),
  /** A change no bigger than this (in the unit) is steady under the tolerance rule. */
  steadyBand: z.number(),
  /** Non-overlapping 95% intervals (short trend) or the average outside the current interval (long trend); null without intervals. */
  significant: z.boolean().nullable(),
  rule: z.enum(['tolerance', 'significance']),
  reason: z.string(),
});
export type Trend = z.infer<typeof TrendSchema>;

export const DirectionOfTravelSchema = z.object({
  polarity: PolaritySchema,
  /** Against the same period last year. */
  short: TrendSchema.nullable(),
  /** Against the average of the previous four periods. */
  long: TrendSchema.nullable(),
  notes: z.array(z.string()),
});
export type DirectionOfTravel = z.infer<typeof DirectionOfTravelSchema>;

export const RollUpRuleSchema = z.enum(['worst', 'majority']);
export type RollUpRule = z.infer<typeof RollUpRuleSchema>;

export const RollUpSchema = z.object({
  id: z.string(),
  kind: z.enum(['psa', 'priority_area']),
  area: z.string().nullable(),
  rule: RollUpRuleSchema,
  status: RagStatusSchema,
  counts: z.object({ green: z.int(), amber: z.int(), red: z.int(), grey: z.int() }),
  measures: z.array(z.object({ measureId: z.string(), area: z.string(), status: RagStatusSchema, reason: z.string().optional() })),
  reason: z.string(),
});
export type RollUp = z.infer<typeof RollUpSchema>;
