/**
 * Shapes of the catalogue files under data/catalogue/ and of the resolved catalogue.
 * Every type is inferred from its schema, so the schema is the one source of truth.
 *
 * *EntrySchema = what a YAML file may say; the resolved types (Measure, ...) are what
 * loadCatalogue() hands out after defaults, inheritance and cross-checks.
 */
import { z } from 'zod';

/** Ids appear in CSV returns, so no spaces or punctuation beyond - and _. */
export const IdSchema = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'expected an id of letters, digits, "-" or "_"');

const IsoDateSchema = z.iso.date('expected a date written YYYY-MM-DD');

// ---------------------------------------------------------------------------
// psas.yaml
// ---------------------------------------------------------------------------

export const PsaSchema = z.strictObject({
  id: IdSchema,
  title: z.string().min(1),
  note: z.string().optional(),
});
export type Psa = z.infer<typeof PsaSchema>;

export const PsasFileSchema = z.strictObject({ psas: z.array(PsaSchema) });

// ---------------------------------------------------------------------------
// priority-areas.yaml
// ---------------------------------------------------------------------------

export const PriorityAreaSchema = z.strictObject({
  id: IdSchema,
  name: z.string().min(1),
  keyAims: z.string().min(1),
  /** The PSAs the plan lists under this priority area (Appendix 1). */
  psas: z.array(IdSchema).min(1),
  note: z.string().optional(),
});
export type PriorityArea = z.infer<typeof PriorityAreaSchema>;

export const PriorityAreasFileSchema = z.strictObject({
  priorityAreas: z.array(PriorityAreaSchema),
});

// ---------------------------------------------------------------------------
// areas.yaml
// ---------------------------------------------------------------------------

/** all_ages for crime rates per 1,000; aged_10_17 for NI 111's rate per 100,000 aged 10-17. */
export const PopulationBaseSchema = z.enum(['all_ages', 'aged_10_17']);
export type PopulationBase = z.infer<typeof PopulationBaseSchema>;

export const PopulationSchema = z.strictObject({
  /** Year of the (mid-year) estimate. */
  year: z.int().min(1990).max(2100),
  base: PopulationBaseSchema,
  value: z.int().positive(),
  /** Not a real figure: sample data until the ONS mid-year estimate is entered. */
  illustrative: z.boolean().default(false),
  /** A projection (e.g. the plan's 212,500 by 2016), not an estimate. */
  projected: z.boolean().default(false),
  source: z.string().min(1),
  /** When the partnership recorded this figure: "as at" reports before that date do not see it. */
  recordedOn: IsoDateSchema,
  note: z.string().optional(),
});
export type Population = z.infer<typeof PopulationSchema>;

const BoroughSchema = z.strictObject({
  id: IdSchema,
  name: z.string().min(1),
  /** A borough is a reporting area: returns carry readings for it. */
  kind: z.literal('borough'),
  council: z.string().min(1),
  populations: z.array(PopulationSchema).default([]),
  note: z.string().optional(),
});

const PartnershipSchema = z.strictObject({
  id: IdSchema,
  name: z.string().min(1),
  /** An aggregate of its member boroughs, never reported directly. */
  kind: z.literal('partnership'),
  members: z.array(IdSchema).min(2),
  /** Figures the plan states for the whole partnership; the boroughs' figures must sum to them. */
  populations: z.array(PopulationSchema).default([]),
  note: z.string().optional(),
});

export const AreaSchema = z.discriminatedUnion('kind', [BoroughSchema, PartnershipSchema]);
export type Area = z.infer<typeof AreaSchema>;
export type Borough = z.infer<typeof BoroughSchema>;
export type Partnership = z.infer<typeof PartnershipSchema>;

export const AreasFileSchema = z.strictObject({ areas: z.array(AreaSchema) });

// ---------------------------------------------------------------------------
// agencies.yaml
// ---------------------------------------------------------------------------

export const AgencySchema = z.strictObject({
  id: IdSchema,
  name: z.string().min(1),
  /** The boroughs this agency may upload readings for. */
  areas: z.array(IdSchema).min(1),
  note: z.string().optional(),
});
export type Agency = z.infer<typeof AgencySchema>;

export const AgenciesFileSchema = z.strictObject({ agencies: z.array(AgencySchema) });

// ---------------------------------------------------------------------------
// measures.yaml
// ---------------------------------------------------------------------------

export const UnitSchema = z.enum(['rate_per_1000', 'rate_per_100000', 'percent', 'count']);
export type Unit = z.infer<typeof UnitSchema>;

/**
 * How the rolling value is computed from readings:
 * - count: rolling 12-month sum of the counts; for a rate unit, divided by the population
 *   (populationBase) of its year.
 * - ratio: rolling 12-month sums of numerator and denominator, then divided.
 * - survey: the latest wave; readings carry a sample size.
 * - latest: the reading already covers a rolling period (NDTMS reports NI 40 as a rolling
 *   12-month count each month), so the latest reading is the rolling value; summing would
 *   count the same people twelve times.
 */
export const MethodSchema = z.enum(['count', 'ratio', 'survey', 'latest']);
export type Method = z.infer<typeof MethodSchema>;

/** up = higher is better, down = lower is better. */
export const PolaritySchema = z.enum(['up', 'down']);
export type Polarity = z.infer<typeof PolaritySchema>;

/**
 * How often a reading is expected (an overdue return shows Grey):
 * tranche = one of the three four-monthly NI 195 survey periods (Apr-Jul, Aug-Nov, Dec-Mar);
 * survey_wave = whenever a survey reports (Place Survey biennial, TellUs annual, KCVS waves).
 */
export const FrequencySchema = z.enum(['monthly', 'quarterly', 'tranche', 'annual', 'survey_wave']);
export type Frequency = z.infer<typeof FrequencySchema>;

/**
 * Amber band: relative = a fraction of the target value (0.05 = 5%);
 * absolute = in the measure's own unit (e.g. 2 percentage points).
 */
export const ToleranceSchema = z.strictObject({
  type: z.enum(['relative', 'absolute']),
  value: z.number().nonnegative(),
});
export type Tolerance = z.infer<typeof ToleranceSchema>;

export const RagOptionsSchema = z.strictObject({
  /** Only rate Red when the gap is statistically significant (else Amber). */
  redOnlyIfSignificant: z.boolean(),
});
export type RagOptions = z.infer<typeof RagOptionsSchema>;

export const ValidRangeSchema = z
  .strictObject({ min: z.number().optional(), max: z.number().optional() })
  .refine((r) => r.min === undefined || r.max === undefined || r.min < r.max, {
    message: 'min must be below max',
    path: ['max'],
  });
export type ValidRange = z.infer<typeof ValidRangeSchema>;

/** Fields a measure entry may state; sub-measures may state any of them to override the parent. */
const measureFields = {
  id: IdSchema,
  name: z.string().min(1),
  definition: z.string().min(1),
  unit: UnitSchema,
  method: MethodSchema,
  /** Required for rate units, absent otherwise. */
  populationBase: PopulationBaseSchema.optional(),
  polarity: PolaritySchema,
  frequency: FrequencySchema,
  /** Agencies that upload readings of this measure. */
  owners: z.array(IdSchema).min(1),
  dataSource: z.string().min(1),
  priorityAreas: z.array(IdSchema).min(1),
  /** The PSAs the plan files this measure under. */
  psas: z.array(IdSchema).min(1),
  /** Only where the national PSA differs from the plan's (NI 110/111/117: PSA 14). */
  nationalPsas: z.array(IdSchema).min(1).optional(),
  /** A Kent Agreement 2 (LAA) indicator: goes in the monthly feed to the Kent Partnership. */
  kentAgreement: z.boolean(),
  /** The National Indicator Set definition this measure follows, e.g. "NI 16". */
  nationalIndicator: z.string().optional(),
  tolerance: ToleranceSchema.optional(),
  rag: RagOptionsSchema.optional(),
  validRange: ValidRangeSchema.optional(),
  aliases: z.array(IdSchema).optional(),
  /** Shown in reports beside the measure (e.g. why the plan's "NI 95" is NI 195). */
  notes: z.string().optional(),
};

export const SubMeasureEntrySchema = z.strictObject({
  ...z.object(measureFields).partial().shape,
  id: IdSchema,
  name: z.string().min(1),
});
export type SubMeasureEntry = z.infer<typeof SubMeasureEntrySchema>;

export const MeasureEntrySchema = z.strictObject({
  ...measureFields,
  subMeasures: z.array(SubMeasureEntrySchema).optional(),
});
export type MeasureEntry = z.infer<typeof MeasureEntrySchema>;

/** Applied to every measure that does not say otherwise. */
export const MeasureDefaultsSchema = z.strictObject({
  tolerance: ToleranceSchema,
  rag: RagOptionsSchema,
});
export type MeasureDefaults = z.infer<typeof MeasureDefaultsSchema>;

export const MeasuresFileSchema = z.strictObject({
  defaults: MeasureDefaultsSchema,
  measures: z.array(MeasureEntrySchema),
});

/**
 * A resolved measure: defaults applied, sub-measures flattened (inheriting their parent's
 * fields). A measure with sub-measures is a group: readings are made on its sub-measures.
 */
export const MeasureSchema = z.strictObject({
  ...measureFields,
  populationBase: PopulationBaseSchema.nullable(),
  tolerance: ToleranceSchema,
  rag: RagOptionsSchema,
  validRange: ValidRangeSchema,
  aliases: z.array(IdSchema),
  /** The group this sub-measure belongs to, or null. */
  parent: IdSchema.nullable(),
  /** Ids of this measure's sub-measures (empty unless it is a group). */
  subMeasures: z.array(IdSchema),
});
export type Measure = z.infer<typeof MeasureSchema>;

// ---------------------------------------------------------------------------
// targets.yaml
// ---------------------------------------------------------------------------

/** Both ends inclusive, e.g. the financial year 2008-04-01..2009-03-31. Also the period of every event. */
export const PeriodSchema = z
  .strictObject({ start: IsoDateSchema, end: IsoDateSchema })
  .refine((p) => p.start <= p.end, { message: 'period start must not be after its end', path: ['end'] });
export type Period = z.infer<typeof PeriodSchema>;

export const TargetSourceSchema = z.enum(['police_target', 'kent_agreement', 'psa', 'local']);
export type TargetSource = z.infer<typeof TargetSourceSchema>;

/** The value the trajectory starts from and the period it describes (e.g. the 2007/08 outturn). */
export const BaselineSchema = z.strictObject({
  value: z.number(),
  period: PeriodSchema,
  note: z.string().optional(),
});
export type Baseline = z.infer<typeof BaselineSchema>;

const targetFields = {
  id: IdSchema,
  measure: IdSchema,
  area: IdSchema,
  period: PeriodSchema,
  source: TargetSourceSchema,
  /** Absent when the plan gives none: the projector then takes it from readings. */
  baseline: BaselineSchema.optional(),
  /** Raised each time the target is revised (the plan is refreshed annually). */
  version: z.int().min(1),
  /** When the partnership set this version: "as at" reports before that date do not see it. */
  recordedOn: IsoDateSchema,
  note: z.string().optional(),
};

/** value is in the measure's unit (percent as 0-100, so 22% is 22). */
export const ValueTargetSchema = z.strictObject({
  ...targetFields,
  kind: z.literal('value'),
  value: z.number(),
});

/** "Reduce X" / "increase X": rated against the baseline. */
export const DirectionTargetSchema = z.strictObject({
  ...targetFields,
  kind: z.literal('direction'),
  direction: z.enum(['reduce', 'increase']),
});

export const TargetSchema = z.discriminatedUnion('kind', [ValueTargetSchema, DirectionTargetSchema]);
export type Target = z.infer<typeof TargetSchema>;
export type ValueTarget = z.infer<typeof ValueTargetSchema>;
export type DirectionTarget = z.infer<typeof DirectionTargetSchema>;

export const TargetsFileSchema = z.strictObject({ targets: z.array(TargetSchema) });
