import type { Agency, Area, Catalogue, Measure, MeasureLookup } from '@beacon/catalogue';
import { checkPeriodFor, describePeriod, ukDate } from '@beacon/periods';
import type { ReturnRow, RowProblem } from '@beacon/returns';
import { closest, distance } from 'fastest-levenshtein';

/** A row that passed every check against the catalogue: a reading Beacon will record. */
export interface CheckedReading {
  row: number;
  measureId: string;
  /** What the officer wrote when it was an alias (NI95 for NI195). */
  submittedMeasureId?: string;
  area: string;
  period: { start: string; end: string };
  value: number;
  numerator?: number;
  denominator?: number;
  sampleSize?: number;
  note?: string;
}

/** Accepted, but worth telling the officer (e.g. an alias was read as the measure it stands for). */
export interface RowWarning {
  row: number;
  column: string;
  value: string;
  message: string;
}

export type ReadingCheck = { reading: CheckedReading; warnings: RowWarning[] } | { problems: RowProblem[] };

const formatNumber = (n: number) => n.toLocaleString('en-GB', { maximumFractionDigits: 6 });

/** "Did you mean": the closest id or alias, if it is close enough to be a typo. */
function suggestMeasure(written: string, catalogue: Catalogue): string | undefined {
  const candidates = catalogue.measures.flatMap((m) => (m.subMeasures.length > 0 ? [] : [m.id, ...m.aliases]));
  const upper = written.toUpperCase().replace(/\s+/g, '');
  const nearest = closest(upper, candidates.map((c) => c.toUpperCase()));
  if (distance(upper, nearest) > Math.max(2, Math.floor(upper.length / 3))) return undefined;
  return candidates.find((c) => c.toUpperCase() === nearest);
}

// The helpers below are plain functions, not closures made per row: under tsx (esbuild's keepNames)
// every closure made costs a defineProperty, which a million-row return felt.

/** A problem with the measure or area the officer wrote. */
function writtenProblem(row: ReturnRow, column: 'measure' | 'area', reason: string, fix: string): RowProblem {
  return { row: row.row, column, value: row[column], reason, fix };
}

/** A problem with one of the row's figures. */
function figureProblem(row: ReturnRow, column: string, value: number | undefined, reason: string, fix: string): RowProblem {
  return { row: row.row, column, value: value === undefined ? '' : formatNumber(value), reason, fix };
}

function checkMeasure(row: ReturnRow, agency: Agency, catalogue: Catalogue, problems: RowProblem[]): MeasureLookup | undefined {
  const found = catalogue.measureById(row.measure);
  if (!found) {
    const suggestion = suggestMeasure(row.measure, catalogue);
    problems.push(
      writtenProblem(
        row,
        'measure',
        `"${row.measure}" is not a measure in Beacon's catalogue`,
        suggestion ? `did you mean ${suggestion}? Use the measure ids of your agency's template` : "use the measure ids of your agency's template",
      ),
    );
    return undefined;
  }
  const { measure } = found;
  if (measure.subMeasures.length > 0) {
    problems.push(writtenProblem(row, 'measure', `${measure.id} is reported by its sub-measures, not as a whole`, `give one row per sub-measure: ${measure.subMeasures.join(', ')}`));
    return undefined;
  }
  if (!measure.owners.includes(agency.id)) {
    const owners = measure.owners.map((id) => catalogue.agency(id)?.name ?? id).join(' or ');
    problems.push(writtenProblem(row, 'measure', `${measure.id} (${measure.name}) is returned by ${owners}, not by ${agency.name}`, `remove this row, or ask ${owners} to return it`));
    return undefined;
  }
  return found;
}

/** An area as officers may write it: its id in any case ("dbc" for DBC) or its name ("Dartford"). */
function findArea(written: string, catalogue: Catalogue): Area | undefined {
  const lower = written.toLowerCase();
  return catalogue.areas.find((a) => a.id.toLowerCase() === lower || a.name.toLowerCase() === lower);
}

/** The area's id as the catalogue writes it, or undefined with the problem noted. */
function checkArea(row: ReturnRow, agency: Agency, catalogue: Catalogue, problems: RowProblem[]): string | undefined {
  const area = catalogue.area(row.area) ?? findArea(row.area, catalogue);
  if (!area) {
    problems.push(writtenProblem(row, 'area', `"${row.area}" is not an area Beacon knows`, `use ${agency.areas.join(' or ')}`));
    return undefined;
  }
  if (area.kind === 'partnership') {
    problems.push(writtenProblem(row, 'area', `${area.name} figures are worked out by Beacon from the boroughs' figures`, `give one row for each borough: ${agency.areas.join(' or ')}`));
    return undefined;
  }
  if (!agency.areas.includes(area.id)) {
    problems.push(writtenProblem(row, 'area', `${agency.name} does not report for ${area.name}`, `use ${agency.areas.join(' or ')}`));
    return undefined;
  }
  return area.id;
}

function checkValues(row: ReturnRow, measure: Measure, problems: RowProblem[]): void {
  const { min, max } = measure.validRange;
  const unitWords = measure.unit === 'percent' ? '%' : '';
  if (min !== undefined && row.value < min) {
    problems.push(figureProblem(row, 'value', row.value, `${measure.id} cannot be below ${formatNumber(min)}${unitWords}`, 'check the figure'));
  } else if (max !== undefined && row.value > max) {
    problems.push(figureProblem(row, 'value', row.value, `${measure.id} cannot be above ${formatNumber(max)}${unitWords}`, measure.unit === 'percent' ? 'write percentages as 0 to 100, e.g. 22.5' : 'check the figure'));
  }
  if (measure.method === 'count' && !Number.isInteger(row.value)) {
    problems.push(figureProblem(row, 'value', row.value, `${measure.id} is a count of ${measure.unit === 'count' ? 'cases' : 'cases (Beacon works out the rate)'}, so it must be a whole number`, 'give the number of cases in the period'));
  }
  if (measure.method === 'ratio') {
    if (row.numerator === undefined) problems.push(figureProblem(row, 'numerator', undefined, `${measure.id} needs its numerator, to add periods up correctly`, 'fill in the numerator'));
    if (row.denominator === undefined) problems.push(figureProblem(row, 'denominator', undefined, `${measure.id} needs its denominator, to add periods up correctly`, 'fill in the denominator'));
  }
  if (row.numerator !== undefined && row.numerator < 0) problems.push(figureProblem(row, 'numerator', row.numerator, 'the numerator cannot be negative', 'give the count on top: 0 or more'));
  if (row.denominator !== undefined && row.denominator <= 0) {
    problems.push(figureProblem(row, 'denominator', row.denominator, 'the denominator must be more than 0', 'give the count underneath; with nothing to count there is no figure for the period'));
  }
  if (row.numerator !== undefined && row.denominator !== undefined && row.numerator >= 0 && row.denominator > 0) {
    if (row.numerator > row.denominator) {
      problems.push(figureProblem(row, 'numerator', row.numerator, `the numerator is greater than the denominator (${formatNumber(row.denominator)})`, 'check that the two columns are not swapped'));
    } else if (measure.unit === 'percent' && row.denominator > 0) {
      const worked = (100 * row.numerator) / row.denominator;
      // Officers round to one or two decimals; anything further off is a wrong figure.
      if (Math.abs(worked - row.value) > 0.051) {
        problems.push(figureProblem(row, 'value', row.value, `the value does not match numerator ÷ denominator (${formatNumber(Math.round(worked * 100) / 100)}%)`, 'check the value, numerator and denominator'));
      }
    }
  }
  if (measure.method === 'survey' && row.sampleSize === undefined) {
    problems.push(figureProblem(row, 'sample_size', undefined, `${measure.id} is a survey measure, so Beacon needs the number of people who answered`, 'fill in the sample size of this wave'));
  }
}

/** Checks one row of a return against the catalogue, for the agency that sent it. */
export function checkReading(row: ReturnRow, agency: Agency, catalogue: Catalogue): ReadingCheck {
  const problems: RowProblem[] = [];
  const warnings: RowWarning[] = [];
  const found = checkMeasure(row, agency, catalogue, problems);
  const measure = found?.measure;
  const area = checkArea(row, agency, catalogue, problems);
  if (measure) {
    const period = { start: row.periodStart, end: row.periodEnd };
    const check = period.start <= period.end ? checkPeriodFor(measure.frequency, period) : { ok: false as const, reason: 'the period ends before it starts', fix: 'swap the start and end dates' };
    if (!check.ok) problems.push({ row: row.row, column: 'period_end', value: `${ukDate(row.periodStart)} to ${ukDate(row.periodEnd)}`, reason: check.reason, fix: check.fix });
    checkValues(row, measure, problems);
  }
  if (problems.length > 0 || !measure || !area) return { problems };

  const alias = found?.viaAlias ? row.measure : undefined;
  if (alias) {
    warnings.push({ row: row.row, column: 'measure', value: alias, message: `${alias} was read as ${measure.id} (${measure.name}); please use ${measure.id} in future returns` });
  }
  // Optional fields are set one by one rather than spread in: this runs for every row of a return.
  const reading: CheckedReading = { row: row.row, measureId: measure.id, area, period: { start: row.periodStart, end: row.periodEnd }, value: row.value };
  if (alias) reading.submittedMeasureId = alias;
  if (row.numerator !== undefined) reading.numerator = row.numerator;
  if (row.denominator !== undefined) reading.denominator = row.denominator;
  if (row.sampleSize !== undefined) reading.sampleSize = row.sampleSize;
  if (row.note !== undefined) reading.note = row.note;
  return { reading, warnings };
}

export const readingKey = (reading: Pick<CheckedReading, 'measureId' | 'area' | 'period'>) =>
  `${reading.measureId}|${reading.area}|${reading.period.start}|${reading.period.end}`;

export const describeReading = (reading: Pick<CheckedReading, 'measureId' | 'area' | 'period'>) => `${reading.measureId} ${reading.area} ${describePeriod(reading.period)}`;
