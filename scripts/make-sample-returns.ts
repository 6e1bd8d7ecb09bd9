/**
 * Writes the ILLUSTRATIVE sample returns under data/sample-returns/: one CSV per agency per
 * reporting occasion for 2008/09 to 2010/11, a manifest listing them in the order they were
 * received, and a README. The figures are made up (plausible levels and trends, seeded noise),
 * not official statistics; they exist so Beacon's main command can show the whole pipeline.
 *
 *   npx tsx scripts/make-sample-returns.ts
 *
 * Deterministic: every random draw comes from a PRNG seeded by SEED and the reading's own key
 * (measure, area, period), so re-running gives byte-identical files, and editing one series
 * does not shift the noise of the others.
 *
 * What an agency reports, for which boroughs and how often comes from the catalogue
 * (owners, agency areas, frequency, method, populationBase); this file only states the
 * numbers (MODELS), the survey fieldwork dates (SURVEY_WAVES), when returns arrive
 * (RECEIPT) and the demo story (correction, overdue return, notes).
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Catalogue, type Frequency, loadCatalogue, type Measure } from '@beacon/catalogue';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT_DIR = path.join(REPO_ROOT, 'data', 'sample-returns');
const SEED = 'beacon-sample-returns-v1';
const FIRST_YEAR = 2008;
const YEARS = 3;
const HEADER = 'measure,area,period_start,period_end,value,numerator,denominator,sample_size,note';

// ---------------------------------------------------------------------------------------
// Seeded randomness
// ---------------------------------------------------------------------------------------

/** FNV-1a: turns a reading's key into a 32-bit seed. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: small, fast and good enough for sample data. */
class Rng {
  private state: number;

  constructor(key: string) {
    this.state = hash(`${SEED}|${key}`);
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = Math.imul(this.state ^ (this.state >>> 15), 1 | this.state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** Box-Muller. */
  normal(mean: number, sd: number): number {
    const u = 1 - this.next();
    const v = this.next();
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Recorded crime counts are Poisson-like: exact for small means, normal for large. */
  poisson(mean: number): number {
    if (mean >= 30) return Math.max(0, Math.round(this.normal(mean, Math.sqrt(mean))));
    const limit = Math.exp(-mean);
    let k = 0;
    let p = this.next();
    while (p > limit) {
      k++;
      p *= this.next();
    }
    return k;
  }
}

// ---------------------------------------------------------------------------------------
// Dates and periods (UTC throughout, so the local time zone cannot move a date)
// ---------------------------------------------------------------------------------------

const utc = (year: number, month: number, day: number) => new Date(Date.UTC(year, month - 1, day));
const pad = (n: number, width = 2) => String(n).padStart(width, '0');
/** dd/mm/yyyy, as Excel writes a UK date into a CSV. */
const ukDate = (d: Date) => `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${d.getUTCFullYear()}`;
const isoDate = (d: Date) => d.toISOString().slice(0, 10);
const addDays = (d: Date, days: number) => new Date(d.getTime() + days * 86_400_000);
/** "2008-09" for the financial year starting April 2008: the folder a period's returns go in. */
const fyFolder = (fy: number) => `${fy}-${pad((fy + 1) % 100)}`;

interface Period {
  start: Date;
  end: Date;
  /** Financial year (by its starting year) the period belongs to. */
  fy: number;
  /** Used in file names: 2008-04, 2008-09-q1, 2008-09-t2, 2008-autumn. */
  label: string;
  /** Months covered, as offsets from April 2008 (0..35): drive trend and seasonality. */
  months: number[];
}

const monthStart = (offset: number) => utc(FIRST_YEAR, 4 + offset, 1);
const monthEnd = (offset: number) => utc(FIRST_YEAR, 5 + offset, 0);

function monthsBetween(start: Date, end: Date): number[] {
  const months: number[] = [];
  for (let m = 0; m < YEARS * 12; m++) {
    if (monthStart(m) <= end && monthEnd(m) >= start) months.push(m);
  }
  return months;
}

/** Consecutive blocks of `length` months from April 2008: months, quarters, tranches, years. */
function blocks(length: number, label: (fy: number, index: number, start: Date) => string): Period[] {
  const periods: Period[] = [];
  for (let first = 0; first < YEARS * 12; first += length) {
    const start = monthStart(first);
    const end = monthEnd(first + length - 1);
    const fy = FIRST_YEAR + Math.floor(first / 12);
    const index = (first % 12) / length + 1;
    periods.push({ start, end, fy, label: label(fy, index, start), months: monthsBetween(start, end) });
  }
  return periods;
}

/**
 * Survey fieldwork is not in the catalogue (frequency survey_wave = "whenever it reports"):
 * KCVS reports quarterly waves; TellUs one autumn wave a year; the Place Survey autumn 2008
 * and, two years on, autumn 2010 (the real 2010 Place Survey was cancelled by government in
 * August 2010: this wave exists only so the sample data shows a trend; see the README).
 */
const SURVEY_WAVES: Record<string, () => Period[]> = {
  kcvs: () => blocks(3, (fy, q) => `${fyFolder(fy)}-q${q}`),
  tellus: () => [wave(2008, 10, 6, 2008, 11, 28), wave(2009, 10, 5, 2009, 11, 27), wave(2010, 10, 4, 2010, 11, 26)],
  'place-survey': () => [wave(2008, 9, 29, 2008, 12, 19), wave(2010, 9, 27, 2010, 12, 17)],
};

function wave(y1: number, m1: number, d1: number, y2: number, m2: number, d2: number): Period {
  const start = utc(y1, m1, d1);
  const end = utc(y2, m2, d2);
  return { start, end, fy: y1, label: `${y1}-autumn`, months: monthsBetween(start, end) };
}

function periodsFor(frequency: Frequency, agency: string): Period[] {
  switch (frequency) {
    case 'monthly':
      return blocks(1, (_fy, _i, start) => `${start.getUTCFullYear()}-${pad(start.getUTCMonth() + 1)}`);
    case 'quarterly':
      return blocks(3, (fy, q) => `${fyFolder(fy)}-q${q}`);
    case 'tranche':
      return blocks(4, (fy, t) => `${fyFolder(fy)}-t${t}`);
    case 'annual':
      return blocks(12, (fy) => fyFolder(fy));
    case 'survey_wave': {
      const waves = SURVEY_WAVES[agency];
      if (!waves) throw new Error(`no survey waves defined for agency ${agency}`);
      return waves();
    }
  }
}

// ---------------------------------------------------------------------------------------
// The numbers: level at April 2008 → level at March 2011 per borough, straight line between
// ---------------------------------------------------------------------------------------

/** [April 2008, March 2011]. */
type Span = readonly [number, number];
type ByBorough = Readonly<Record<'DBC' | 'GBC', Span>>;
/** One factor per month of the financial year, April first; normalised to average 1. */
type Profile = readonly number[];

type Model =
  /** method count: value is the count in the period. `annual` is a yearly rate per the unit's
   *  population divisor when the measure has a populationBase, else a yearly count. */
  | { kind: 'count'; annual: ByBorough; season?: Profile }
  /** method ratio: numerator/denominator; flow denominators (incidents) are per month and
   *  summed over the period, stock denominators (caseload, sites surveyed) are as stated. */
  | {
      kind: 'ratio';
      denominator: ByBorough;
      denominatorIs: 'flow' | 'stock';
      percent: ByBorough;
      denominatorSeason?: Profile;
      /** Added to the percent, in points, by month of the financial year. */
      percentSeason?: readonly number[];
      /** Multiplies the binomial sd: below 1 for slowly moving stocks. */
      noise: number;
    }
  /** method survey: value is the % of respondents; sample size per borough per wave. */
  | { kind: 'survey'; percent: ByBorough; sample: Span; sd?: number }
  /** method latest: NDTMS's rolling 12-month count, reported monthly. */
  | { kind: 'latest'; value: ByBorough; sd: number };

const normalise = (p: Profile): Profile => {
  const mean = p.reduce((a, b) => a + b, 0) / p.length;
  return p.map((x) => x / mean);
};
// Acquisitive crime peaks in the dark winter months.
const WINTER = normalise([0.95, 0.93, 0.92, 0.96, 0.97, 0.98, 1.05, 1.1, 1.12, 1.07, 0.97, 0.98]);
// Violence peaks in summer and at Christmas.
const VIOLENCE = normalise([0.97, 1.03, 1.06, 1.05, 1.04, 0.97, 0.96, 0.94, 1.08, 0.96, 0.93, 0.98]);
// Night-time economy: December parties, summer evenings.
const NTE = normalise([0.95, 1.02, 1.05, 1.06, 1.05, 0.94, 0.95, 0.93, 1.25, 0.92, 0.9, 0.98]);
// Domestic abuse rises over Christmas/New Year and in the summer holidays.
const DOMESTIC = normalise([0.96, 0.98, 1.0, 1.04, 1.03, 0.96, 0.97, 0.96, 1.1, 1.06, 0.94, 1.0]);
// Alcohol-related admissions: a December peak.
const ADMISSIONS = normalise([0.98, 1.0, 1.0, 1.02, 1.0, 0.97, 0.98, 1.0, 1.12, 0.98, 0.94, 1.01]);
// NEET: school leavers not yet placed push the rate up in September-November.
const NEET_SEASON = [-0.1, -0.2, -0.3, -0.1, 0.2, 0.8, 0.6, 0.3, 0.1, -0.1, -0.2, -0.3];

const KCVS_SAMPLE: Span = [350, 600];

/**
 * Keyed by leaf measure id, or "measure@agency" where two agencies report the same measure
 * differently (NI 21: Place Survey and KCVS). RAG intent is in the comments (targets.yaml).
 */
const MODELS: Record<string, Model> = {
  // Police target 13.7 per 1,000 (2008/09): with this seed's noise about 14.2 in 2008/09
  // (Amber), then below target in 2009/10 and 2010/11 (Green). Dartford (Bluewater car
  // parks) runs higher than Gravesham.
  SAC: { kind: 'count', annual: { DBC: [14.2, 12.3], GBC: [13.4, 11.4] }, season: WINTER },
  NI15: { kind: 'count', annual: { DBC: [0.8, 0.62], GBC: [0.88, 0.7] }, season: VIOLENCE },
  // Police target "reduce": falling, Green against its baseline.
  NTE_VIOLENCE: { kind: 'count', annual: { DBC: [190, 150], GBC: [230, 185] }, season: NTE },
  // "Reduce": all violence falls faster than NTE violence, so the NTE share creeps up (Red).
  NTE_SHARE: {
    kind: 'ratio',
    denominator: { DBC: [170, 140], GBC: [195, 158] },
    denominatorIs: 'flow',
    percent: { DBC: [13.5, 15.6], GBC: [15.0, 17.1] },
    denominatorSeason: VIOLENCE,
    noise: 1,
  },
  // Police target 22%: ~26% in 2008/09 falling to ~24.5% by 2010/11: improving but Red.
  DA_REPEAT: {
    kind: 'ratio',
    denominator: { DBC: [70, 74], GBC: [80, 85] },
    denominatorIs: 'flow',
    percent: { DBC: [25.5, 21.5], GBC: [26.5, 23.0] },
    denominatorSeason: DOMESTIC,
    noise: 1,
  },
  // MARAC: ~30 cases a quarter per borough; repeat share drifting up (no target: Grey).
  NI32: {
    kind: 'ratio',
    denominator: { DBC: [9, 11], GBC: [11, 13] },
    denominatorIs: 'flow',
    percent: { DBC: [24, 27], GBC: [26, 29] },
    noise: 1,
  },
  // Crude rate per 100,000 all ages, rising as it did nationally (no target: Grey).
  NI39: { kind: 'count', annual: { DBC: [1250, 1480], GBC: [1390, 1620] }, season: ADMISSIONS },
  NI40: { kind: 'latest', value: { DBC: [255, 305], GBC: [320, 372] }, sd: 3 },
  // Per 100,000 aged 10-17, falling steeply as first-time entrants did nationally.
  NI111: { kind: 'count', annual: { DBC: [1850, 1050], GBC: [2000, 1200] } },
  NI117: {
    kind: 'ratio',
    denominator: { DBC: [3550, 3600], GBC: [3950, 4000] },
    denominatorIs: 'stock',
    percent: { DBC: [6.2, 5.3], GBC: [7.6, 6.8] },
    percentSeason: NEET_SEASON,
    noise: 0.4,
  },
  // NI 195: ~300 sites a tranche per borough (the same sites for all four sub-measures).
  NI195a: { kind: 'ratio', denominator: { DBC: [300, 300], GBC: [310, 310] }, denominatorIs: 'stock', percent: { DBC: [9.5, 6.5], GBC: [11.5, 8.0] }, noise: 1 },
  NI195b: { kind: 'ratio', denominator: { DBC: [300, 300], GBC: [310, 310] }, denominatorIs: 'stock', percent: { DBC: [13.0, 10.5], GBC: [14.5, 12.0] }, noise: 1 },
  NI195c: { kind: 'ratio', denominator: { DBC: [300, 300], GBC: [310, 310] }, denominatorIs: 'stock', percent: { DBC: [5.5, 3.5], GBC: [7.0, 4.5] }, noise: 1 },
  NI195d: { kind: 'ratio', denominator: { DBC: [300, 300], GBC: [310, 310] }, denominatorIs: 'stock', percent: { DBC: [2.0, 1.0], GBC: [2.5, 1.5] }, noise: 1 },
  // Police target 15%: ~17% in 2008/09 (Red), about 15.1% in the last wave of 2010/11 (Amber).
  ASB_HIGH: { kind: 'survey', percent: { DBC: [16.6, 14.6], GBC: [18.6, 16.3] }, sample: KCVS_SAMPLE },
  // "Reduce": most types fall (Green); teenagers flat (Amber-ish); drunk/rowdy rises (Red).
  ASB_TYPES_NEIGHBOURS: { kind: 'survey', percent: { DBC: [10.5, 8.8], GBC: [11.5, 9.6] }, sample: KCVS_SAMPLE },
  ASB_TYPES_TEENAGERS: { kind: 'survey', percent: { DBC: [37.5, 37.0], GBC: [40.5, 40.2] }, sample: KCVS_SAMPLE },
  ASB_TYPES_LITTER: { kind: 'survey', percent: { DBC: [29.0, 24.5], GBC: [31.5, 26.0] }, sample: KCVS_SAMPLE },
  ASB_TYPES_VANDALISM: { kind: 'survey', percent: { DBC: [31.0, 26.5], GBC: [33.5, 28.0] }, sample: KCVS_SAMPLE },
  ASB_TYPES_DRUGS: { kind: 'survey', percent: { DBC: [27.0, 23.5], GBC: [29.5, 25.5] }, sample: KCVS_SAMPLE },
  ASB_TYPES_DRUNK: { kind: 'survey', percent: { DBC: [23.0, 27.5], GBC: [25.0, 29.0] }, sample: KCVS_SAMPLE },
  ASB_TYPES_CARS: { kind: 'survey', percent: { DBC: [7.5, 4.8], GBC: [8.5, 5.5] }, sample: KCVS_SAMPLE },
  // "Reduce": burglary worry falls (Green), car crime worry flat (Amber-ish), violence worry rises (Red).
  WORRY_BURGLARY: { kind: 'survey', percent: { DBC: [15.5, 12.0], GBC: [17.0, 13.5] }, sample: KCVS_SAMPLE },
  WORRY_CAR: { kind: 'survey', percent: { DBC: [13.0, 12.8], GBC: [13.8, 13.6] }, sample: KCVS_SAMPLE },
  WORRY_VIOLENCE: { kind: 'survey', percent: { DBC: [14.0, 16.5], GBC: [15.5, 18.0] }, sample: KCVS_SAMPLE },
  // "Increase": overall and after dark rise (Green), by day flat (Amber-ish), at home dips (Red).
  SAFE_OVERALL: { kind: 'survey', percent: { DBC: [79.0, 83.5], GBC: [76.5, 81.0] }, sample: KCVS_SAMPLE },
  SAFE_DAY: { kind: 'survey', percent: { DBC: [93.5, 93.7], GBC: [92.5, 92.7] }, sample: KCVS_SAMPLE },
  SAFE_NIGHT: { kind: 'survey', percent: { DBC: [53.0, 58.5], GBC: [50.0, 55.5] }, sample: KCVS_SAMPLE },
  SAFE_HOME_NIGHT: { kind: 'survey', percent: { DBC: [91.5, 89.5], GBC: [90.5, 88.5] }, sample: KCVS_SAMPLE },
  // Kent Agreement indicators without a figure in the plan (Grey), but with a trend to read.
  'NI21@kcvs': { kind: 'survey', percent: { DBC: [27.0, 31.0], GBC: [24.5, 28.5] }, sample: KCVS_SAMPLE },
  'NI21@place-survey': { kind: 'survey', percent: { DBC: [26.5, 29.8], GBC: [24.2, 27.1] }, sample: [1100, 1400], sd: 0.4 },
  NI3: { kind: 'survey', percent: { DBC: [12.8, 13.6], GBC: [11.2, 11.9] }, sample: [1100, 1400], sd: 0.4 },
  NI110: { kind: 'survey', percent: { DBC: [66.0, 70.5], GBC: [63.5, 67.0] }, sample: [550, 800], sd: 0.6 },
};

// ---------------------------------------------------------------------------------------
// When returns arrive, and who sends them
// ---------------------------------------------------------------------------------------

/** Days after the period ends that a return arrives (a weekend moves it to Monday). */
const RECEIPT: Record<string, { submitter: string; lag: Span }> = {
  'north-kent-police': { submitter: 'nkp.analyst', lag: [8, 12] }, // ~10th of next month
  kdaat: { submitter: 'kdaat.ndtms', lag: [18, 24] }, // NDTMS extract after month-end close
  connexions: { submitter: 'connexions.ccis', lag: [12, 17] },
  'west-kent-pct': { submitter: 'wkpct.analyst', lag: [30, 36] },
  yos: { submitter: 'yos.data', lag: [21, 28] },
  marac: { submitter: 'marac.coordinator', lag: [21, 27] },
  'dartford-psu': { submitter: 'dbc.psu.officer', lag: [28, 40] },
  'gravesham-psu': { submitter: 'gbc.psu.officer', lag: [28, 40] },
  kcvs: { submitter: 'kcvs.research', lag: [40, 45] }, // ~6 weeks after fieldwork
  tellus: { submitter: 'kcc.tellus', lag: [45, 56] },
  'place-survey': { submitter: 'dbc.consultation', lag: [60, 70] },
};

function receivedAt(agency: string, period: Period, fileLabel: string): string {
  const receipt = RECEIPT[agency];
  if (!receipt) throw new Error(`no receipt schedule for agency ${agency}`);
  const rng = new Rng(`received|${fileLabel}`);
  let day = addDays(period.end, rng.int(receipt.lag[0], receipt.lag[1]));
  while (day.getUTCDay() === 0 || day.getUTCDay() === 6) day = addDays(day, 1);
  // Office hours, on the quarter hour.
  const minutes = 8 * 60 + 15 * rng.int(0, 33);
  return `${isoDate(day)}T${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}:00Z`;
}

// ---------------------------------------------------------------------------------------
// The demo story
// ---------------------------------------------------------------------------------------

/**
 * (1) Police first send SAC for Dartford, March 2009, 52 too high, then resend it corrected.
 * The wrong figure puts the 2008/09 outturn just past the Amber band (Red, about 14.45 per
 * 1,000); the correction brings it back to Amber (about 14.2): a change the strategy group
 * can see "since last time", and why.
 */
const CORRECTION = {
  agency: 'north-kent-police',
  measure: 'SAC',
  area: 'DBC',
  periodLabel: '2009-03',
  overstatedBy: 52,
  firstReceivedAt: '2009-04-09T09:45:00Z',
  receivedAt: '2009-04-20T11:15:00Z',
  submitter: 'nkp.performance',
  note: 'Corrected figure: 52 February crimes were counted again as March crimes in the return of 9 April',
};

/** (2) The PCT's last quarter never arrives: NI 39 for Q4 2010/11 is overdue (Grey). */
const OVERDUE = { agency: 'west-kent-pct', periodLabel: '2010-11-q4' };

/** (3) Notes a data officer typed, and the change behind them. Key: measure|area|period label. */
const EPISODES: Record<string, { note: string; countAdd?: number; denominatorFactor?: number; percentAdd?: number }> = {
  'NTE_VIOLENCE|DBC|2008-12': { note: 'Includes 9 offences recorded during Operation PILOT (Christmas NTE patrols, Dartford town centre)', countAdd: 9 },
  'DA_REPEAT|GBC|2010-06': { note: 'FIFA World Cup month: DA incidents up after England matches', denominatorFactor: 1.22, percentAdd: 2 },
  'DA_REPEAT|DBC|2010-06': { note: 'FIFA World Cup month', denominatorFactor: 1.18, percentAdd: 1.5 },
  // Exercises CSV quoting and HTML escaping later: <, &, a comma and double quotes.
  'ASB_HIGH|DBC|2009-10-q2': { note: 'Sample < 400 this wave, so treat with caution & see "KCVS technical note"' },
};

/** Respondents per borough per wave, where a wave fell short (the note above explains it). */
const WAVE_SAMPLE: Record<string, number> = { 'kcvs|DBC|2009-10-q2': 372 };

// ---------------------------------------------------------------------------------------
// Generating readings
// ---------------------------------------------------------------------------------------

interface Reading {
  measure: string;
  area: string;
  period: Period;
  value: number;
  numerator?: number;
  denominator?: number;
  sampleSize?: number;
  note?: string;
}

const T0 = utc(2008, 4, 15).getTime();
const T1 = utc(2011, 3, 16).getTime();
/** 0 at mid-April 2008, 1 at mid-March 2011. */
const position = (d: Date) => Math.min(1, Math.max(0, (d.getTime() - T0) / (T1 - T0)));
const midMonth = (m: number) => utc(FIRST_YEAR, 4 + m, 15);
const midPeriod = (p: Period) => new Date((p.start.getTime() + p.end.getTime()) / 2);
const lerp = ([a, b]: Span, x: number) => a + (b - a) * x;
const round1 = (x: number) => Math.round(x * 10) / 10;
const percentOf = (numerator: number, denominator: number) => round1((100 * numerator) / denominator);

function modelFor(measure: Measure, agency: string): Model {
  const model = MODELS[`${measure.id}@${agency}`] ?? MODELS[measure.id];
  if (!model) throw new Error(`no sample model for measure ${measure.id} (agency ${agency})`);
  const expected = measure.method;
  if (model.kind !== expected) throw new Error(`${measure.id}: catalogue method is ${expected}, sample model is ${model.kind}`);
  return model;
}

/** Divisor of a rate unit: per 1,000 or per 100,000 of the population base. */
function rateDivisor(measure: Measure): number {
  if (measure.unit === 'rate_per_1000') return 1000;
  if (measure.unit === 'rate_per_100000') return 100_000;
  throw new Error(`${measure.id}: populationBase set but unit ${measure.unit} is not a rate`);
}

function generate(catalogue: Catalogue, measure: Measure, agency: string, area: 'DBC' | 'GBC', period: Period): Reading {
  const model = modelFor(measure, agency);
  const rng = new Rng(`${measure.id}|${agency}|${area}|${period.label}`);
  const episode = EPISODES[`${measure.id}|${area}|${period.label}`];
  const base: Reading = { measure: measure.id, area, period, value: 0, ...(episode ? { note: episode.note } : {}) };

  switch (model.kind) {
    case 'count': {
      // Rates become counts with the area's population (the catalogue's 2008 figures).
      let perYear = (m: number) => lerp(model.annual[area], position(midMonth(m)));
      if (measure.populationBase) {
        const population = catalogue.population(area, measure.populationBase, FIRST_YEAR)?.value;
        if (population === undefined) throw new Error(`${measure.id}: no ${measure.populationBase} population for ${area}`);
        const rate = perYear;
        perYear = (m) => (rate(m) * population) / rateDivisor(measure);
      }
      const season = model.season ?? normalise(Array(12).fill(1));
      const mean = period.months.reduce((sum, m) => sum + (perYear(m) / 12) * (season[m % 12] ?? 1), 0);
      return { ...base, value: rng.poisson(mean) + (episode?.countAdd ?? 0) };
    }
    case 'ratio': {
      // The NI 195 sub-measures share their group's sites surveyed: one draw per group.
      const denominatorRng = new Rng(`${measure.parent ?? measure.id}|${agency}|${area}|${period.label}|denominator`);
      const x = position(midPeriod(period));
      let denominatorMean: number;
      if (model.denominatorIs === 'flow') {
        const season = model.denominatorSeason ?? normalise(Array(12).fill(1));
        denominatorMean = period.months.reduce((sum, m) => sum + lerp(model.denominator[area], position(midMonth(m))) * (season[m % 12] ?? 1), 0);
      } else {
        denominatorMean = lerp(model.denominator[area], x);
      }
      denominatorMean *= episode?.denominatorFactor ?? 1;
      const denominator =
        model.denominatorIs === 'flow' ? Math.max(1, denominatorRng.poisson(denominatorMean)) : Math.round(denominatorRng.normal(denominatorMean, denominatorMean * 0.01));
      const seasonAdd = model.percentSeason ? period.months.reduce((sum, m) => sum + (model.percentSeason?.[m % 12] ?? 0), 0) / period.months.length : 0;
      const p = (lerp(model.percent[area], x) + seasonAdd + (episode?.percentAdd ?? 0)) / 100;
      const sd = model.noise * Math.sqrt(denominator * p * (1 - p));
      const numerator = Math.min(denominator, Math.max(0, Math.round(rng.normal(denominator * p, sd))));
      return { ...base, value: percentOf(numerator, denominator), numerator, denominator };
    }
    case 'survey': {
      // One set of respondents per borough and wave; each question loses a few to "don't know".
      const waveKey = `${agency}|${area}|${period.label}`;
      const respondents = WAVE_SAMPLE[waveKey] ?? new Rng(`${waveKey}|respondents`).int(model.sample[0], model.sample[1]);
      const sampleSize = respondents - rng.int(0, Math.floor(respondents * 0.03));
      const value = round1(Math.min(100, Math.max(0, rng.normal(lerp(model.percent[area], position(midPeriod(period))), model.sd ?? 0.7))));
      return { ...base, value, sampleSize };
    }
    case 'latest':
      return { ...base, value: Math.max(0, Math.round(rng.normal(lerp(model.value[area], position(midPeriod(period))), model.sd))) };
  }
}

// ---------------------------------------------------------------------------------------
// Returns: one file per agency per reporting occasion
// ---------------------------------------------------------------------------------------

interface Return {
  file: string;
  agency: string;
  submitter: string;
  receivedAt: string;
  readings: Reading[];
}

/** Reading is made on leaf measures only: a group (NI195, ASB_TYPES) is reported through its sub-measures. */
const isLeaf = (m: Measure) => m.subMeasures.length === 0;

function buildReturns(catalogue: Catalogue): Return[] {
  const returns: Return[] = [];
  for (const agency of catalogue.agencies) {
    const areas = agency.areas.filter((id): id is 'DBC' | 'GBC' => catalogue.area(id)?.kind === 'borough' && (id === 'DBC' || id === 'GBC'));
    const owned = catalogue.measuresOwnedBy(agency.id).filter(isLeaf);
    const frequencies = [...new Set(owned.map((m) => m.frequency))];
    for (const frequency of frequencies) {
      const measures = owned.filter((m) => m.frequency === frequency);
      for (const period of periodsFor(frequency, agency.id)) {
        if (agency.id === OVERDUE.agency && period.label === OVERDUE.periodLabel) continue;
        // An agency reporting at two frequencies would send two files per occasion.
        const suffix = frequencies.length > 1 ? `-${frequency}` : '';
        const file = `${fyFolder(period.fy)}/${agency.id}-${period.label}${suffix}.csv`;
        const readings = measures.flatMap((m) => areas.map((area) => generate(catalogue, m, agency.id, area, period)));
        const receipt = RECEIPT[agency.id];
        if (!receipt) throw new Error(`no receipt schedule for agency ${agency.id}`);
        returns.push({ file, agency: agency.id, submitter: receipt.submitter, receivedAt: receivedAt(agency.id, period, file), readings });
      }
    }
  }
  return applyCorrection(returns);
}

/** The first return carries a wrong figure; a later file resends only that row, corrected. */
function applyCorrection(returns: Return[]): Return[] {
  const first = returns.find((r) => r.agency === CORRECTION.agency && r.readings.some((x) => x.period.label === CORRECTION.periodLabel));
  const reading = first?.readings.find((x) => x.measure === CORRECTION.measure && x.area === CORRECTION.area);
  if (!first || !reading) throw new Error('correction target not found');
  const corrected: Reading = { ...reading, note: CORRECTION.note };
  reading.value += CORRECTION.overstatedBy;
  first.receivedAt = CORRECTION.firstReceivedAt;
  return [
    ...returns,
    {
      file: first.file.replace(/\.csv$/, '-correction.csv'),
      agency: CORRECTION.agency,
      submitter: CORRECTION.submitter,
      receivedAt: CORRECTION.receivedAt,
      readings: [corrected],
    },
  ];
}

// ---------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------

/** RFC 4180: quote a field holding a comma, quote or line break; double inner quotes. */
const csvField = (text: string) => (/[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text);
const opt = (n: number | undefined) => (n === undefined ? '' : String(n));

function toCsv(readings: readonly Reading[]): string {
  const rows = readings.map((r) =>
    [r.measure, r.area, ukDate(r.period.start), ukDate(r.period.end), String(r.value), opt(r.numerator), opt(r.denominator), opt(r.sampleSize), r.note ?? '']
      .map(csvField)
      .join(','),
  );
  return `${[HEADER, ...rows].join('\n')}\n`;
}

function readme(returns: readonly Return[], catalogue: Catalogue): string {
  const perAgency = catalogue.agencies
    .map((a) => `| ${a.id} | ${returns.filter((r) => r.agency === a.id).length} | ${RECEIPT[a.id]?.submitter ?? ''} |`)
    .join('\n');
  const correction = returns.find((r) => r.file.endsWith('-correction.csv'));
  return `# Sample returns 2008/09 to 2010/11 - ILLUSTRATIVE FIGURES ONLY

**These are not official statistics.** Every figure in these files is made up: plausible
levels, trends and seasonal patterns with seeded random noise, so that Beacon's main command
can demonstrate the whole pipeline (returns, events, progress and RAG against targets). They
are not Kent Police, NHS, council, KCVS, TellUs or Place Survey data and must not be quoted
as such. Borough populations are the catalogue's illustrative split of the plan's 191,800.

Made by \`scripts/make-sample-returns.ts\` (\`npx tsx scripts/make-sample-returns.ts\`), which
reads the owners, agency areas, frequencies, methods and population bases from
\`data/catalogue/\` and writes every file here deterministically (seed \`${SEED}\`). Do not
edit the files by hand: change the script and re-run it.

## Layout
- \`YYYY-YY/<agency>-<period>.csv\`: one return per agency per reporting occasion, in the
  folder of the financial year of the period it reports (\`2008-04\` = April 2008,
  \`2008-09-q1\` = Q1 2008/09, \`2008-09-t1\` = NI 195 tranche 1, \`2008-autumn\` = a survey wave).
- Columns: \`${HEADER}\`. Dates dd/mm/yyyy. Counts are whole numbers; percentages 0-100 to one
  decimal place. Rate measures (SAC, NI 15 per 1,000; NI 39, NI 111 per 100,000) carry the
  COUNT in the period: Beacon computes the rate with the population. Ratio measures carry
  numerator and denominator (value = 100 x numerator / denominator, 1 dp). Survey measures
  carry the % and the sample size. NI 40 carries NDTMS's rolling 12-month count. Groups
  (NI195, ASB_TYPES) are reported on their sub-measures only.
- \`manifest.json\`: every return in the order it was received:
  \`{ file, agency, submitter, receivedAt }\`.

| agency | returns | submitter |
|---|---|---|
${perAgency}

## The story in the data
- **Correction**: \`${correction?.file}\` (received ${CORRECTION.receivedAt}) resends only
  ${CORRECTION.measure} for ${CORRECTION.area}, March 2009: the first figure in
  \`${correction?.file.replace('-correction', '')}\` (received ${CORRECTION.firstReceivedAt}) was
  ${CORRECTION.overstatedBy} too high (the partnership's 2008/09 SAC outturn is about 14.45 per 1,000
  with the wrong figure, Red, and about 14.2, Amber, once corrected).
- **Overdue**: ${OVERDUE.agency} has not sent NI 39 for Q4 2010/11 (\`${OVERDUE.periodLabel}\`):
  there is no file and no manifest entry, so it should show as overdue (Grey).
- **Notes**: police NTE_VIOLENCE Dartford December 2008 (Operation PILOT), DA_REPEAT June 2010
  (World Cup), KCVS ASB_HIGH Dartford Q2 2009/10 (a note with <, &, a comma and quotes), and
  the correction's note.
- **Trends** (partnership): SAC about 14.2 per 1,000 in 2008/09 against the 13.7 target
  (Amber), then about 13.2 and 12.1 (Green); DA_REPEAT improving (about 25.8%, 25.2%, 24.4%)
  but above 22% (Red); ASB_HIGH falling from about 17% to about 15.1% in the last wave (Red,
  then Amber); the Kent Agreement indicators have no target figure (Grey) but show trends
  (NI 39 rising, NI 111 and NI 15 falling, NI 40 rising); NTE_VIOLENCE, WORRY_BURGLARY, SAFE_OVERALL,
  SAFE_NIGHT and most ASB types improve; NTE_SHARE, WORRY_VIOLENCE, ASB_TYPES_DRUNK and
  SAFE_HOME_NIGHT worsen; WORRY_CAR, SAFE_DAY and ASB_TYPES_TEENAGERS hold steady.

## Survey waves
- KCVS: one wave per financial quarter (period = the quarter), 350-600 respondents per borough.
- TellUs (NI 110): one autumn wave a year, 550-800 pupils per borough.
- Place Survey (NI 3, NI 21): autumn 2008 and autumn 2010, 1,100-1,400 respondents per
  borough. The real 2010 Place Survey was cancelled by government in August 2010; the 2010
  wave here is invented so that NI 3 has a trend to show.
`;
}

function main(): void {
  const catalogue = loadCatalogue();
  const returns = buildReturns(catalogue).sort((a, b) => a.receivedAt.localeCompare(b.receivedAt) || a.file.localeCompare(b.file));

  // Start clean, but only remove what this script writes.
  mkdirSync(OUT_DIR, { recursive: true });
  for (const entry of readdirSync(OUT_DIR)) {
    if (/^\d{4}-\d{2}$/.test(entry)) rmSync(path.join(OUT_DIR, entry), { recursive: true });
  }
  for (const r of returns) {
    const target = path.join(OUT_DIR, r.file);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, toCsv(r.readings));
  }
  const manifest = returns.map(({ file, agency, submitter, receivedAt }) => ({ file, agency, submitter, receivedAt }));
  writeFileSync(path.join(OUT_DIR, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(path.join(OUT_DIR, 'README.md'), readme(returns, catalogue));

  const readings = returns.reduce((n, r) => n + r.readings.length, 0);
  console.log(`wrote ${returns.length} returns (${readings} readings) to ${path.relative(REPO_ROOT, OUT_DIR)}/`);
}

main();
