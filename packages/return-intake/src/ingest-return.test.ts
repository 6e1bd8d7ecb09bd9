/**
 * The intake rules, through ingestReturn, with small returns written the way Excel saves
 * "CSV UTF-8" (a BOM, CRLF line ends) and a real SQLite store in a temporary folder. Every
 * expected figure below is worked out by hand in the comment beside it.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCatalogue } from '@beacon/catalogue';
import type { EventStore, StoredEvent } from '@beacon/event-store';
import { openSqliteEventStore } from '@beacon/event-store-sqlite';
import { type EventData, fromStoredEvent, streamOf } from '@beacon/events';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type IngestOutcome, ingestReturn, type ReturnUpload } from './ingest-return.js';
import { readingsOnRecord } from './readings-on-record.js';

const catalogue = loadCatalogue();
const HEADER = 'measure,area,period_start,period_end,value,numerator,denominator,sample_size,note';

/** A return as Excel writes "CSV UTF-8 (Comma delimited)": a BOM, the header, CRLF after every row. */
const excelCsv = (...rows: string[]) => Buffer.from(`\uFEFF${[HEADER, ...rows].join('\r\n')}\r\n`, 'utf8');
const sha256Of = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** North Kent Police's April 2008 return (data/sample-returns/2008-09/north-kent-police-2008-04.csv). */
const POLICE_APRIL_2008 = [
  'SAC,DBC,01/04/2008,30/04/2008,110,,,,',
  'SAC,GBC,01/04/2008,30/04/2008,96,,,,',
  'NTE_VIOLENCE,DBC,01/04/2008,30/04/2008,15,,,,',
  'NTE_VIOLENCE,GBC,01/04/2008,30/04/2008,16,,,,',
  'NI15,DBC,01/04/2008,30/04/2008,11,,,,',
  'NI15,GBC,01/04/2008,30/04/2008,7,,,,',
  'DA_REPEAT,DBC,01/04/2008,30/04/2008,29.3,17,58,,',
  'DA_REPEAT,GBC,01/04/2008,30/04/2008,21.4,15,70,,',
  'NTE_SHARE,DBC,01/04/2008,30/04/2008,16.3,28,172,,',
  'NTE_SHARE,GBC,01/04/2008,30/04/2008,16.2,29,179,,"Includes Gravesend town centre, ""Operation PILOT"""',
];

let dir: string;
let store: EventStore;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'beacon-ingest-rules-'));
  return () => rm(dir, { recursive: true, force: true });
});
let storeCount = 0;
beforeEach(async () => {
  store = await openSqliteEventStore({ file: join(dir, `events-${++storeCount}.sqlite`) });
});
afterEach(() => store.close());

interface Send {
  agency?: string;
  fileName?: string;
  receivedAt?: string;
  dryRun?: boolean;
}
function upload(bytes: Uint8Array, { agency = 'north-kent-police', fileName = 'return.csv', receivedAt, dryRun }: Send = {}): ReturnUpload {
  return {
    source: { bytes },
    fileName,
    agency,
    submitter: { kind: 'person', id: `${agency}.officer`, name: 'A. Officer', agency },
    ...(receivedAt !== undefined && { receivedAt }),
    ...(dryRun !== undefined && { dryRun }),
  };
}
const ingest = (bytes: Uint8Array, send: Send = {}) =>
  ingestReturn(upload(bytes, send), { store, catalogue, readingsOnRecord: () => readingsOnRecord(store) });

type Rejected = Extract<IngestOutcome, { status: 'rejected' }>;
/** The outcome of that status, narrowed (accepted and valid share one shape). */
type OutcomeOf<S extends IngestOutcome['status']> = Extract<IngestOutcome, { status: S | (S extends 'accepted' | 'valid' ? 'accepted' | 'valid' : never) }> & { status: S };

function expectRejected(outcome: IngestOutcome): Rejected {
  if (outcome.status !== 'rejected') return expect.fail(`expected the return to be rejected, but it was ${outcome.status}`);
  return outcome;
}
function expectStatus<S extends IngestOutcome['status']>(outcome: IngestOutcome, status: S): OutcomeOf<S> {
  if (outcome.status !== status) {
    expect.fail(`expected ${status}, got ${outcome.status}: ${JSON.stringify('problems' in outcome ? outcome.problems : outcome, null, 1)}`);
  }
  return outcome as OutcomeOf<S>;
}

/** What ingestReturn settled with: an outcome, or the error it threw, named so a failure says which. */
async function outcomeOrThrown(bytes: Uint8Array, send: Send = {}): Promise<IngestOutcome> {
  try {
    return await ingest(bytes, send);
  } catch (error) {
    return expect.fail(`ingestReturn threw ${(error as Error).name} instead of rejecting the row: ${(error as Error).message}`);
  }
}

/** Sends one row and expects it refused with exactly these problems, nothing stored. */
async function expectRowProblems(row: string, problems: object[], send: Send = {}): Promise<void> {
  const head = await store.headPosition();
  const outcome = expectRejected(await ingest(excelCsv(row), send));
  expect(outcome.problems).toEqual(problems);
  expect(outcome.problemsNotListed).toBe(0);
  expect(await store.headPosition()).toBe(head);
}

/** The stream of a return, decoded. */
async function returnStream(returnId: string) {
  return (await store.readStream(streamOf.return(returnId))).map(fromStoredEvent);
}
const dataOf = <T extends 'ReturnReceived' | 'ReadingRecorded' | 'ReadingSuperseded'>(events: { type: string; data: unknown }[], type: T) =>
  events.filter((e) => e.type === type).map((e) => e.data as EventData<T>);

async function allEvents(): Promise<StoredEvent[]> {
  return store.readAll();
}

describe('the measure', () => {
  it('unknown: says so and suggests the closest id (SACC → SAC)', async () => {
    await expectRowProblems('SACC,DBC,01/04/2008,30/04/2008,97,,,,', [
      {
        row: 2,
        column: 'measure',
        value: 'SACC',
        reason: '"SACC" is not a measure in Beacon\'s catalogue',
        fix: "did you mean SAC? Use the measure ids of your agency's template",
      },
    ]);
  });

  it('unknown and nothing like any measure: no suggestion', async () => {
    await expectRowProblems('BURGLARY_TOTAL,DBC,01/04/2008,30/04/2008,97,,,,', [
      expect.objectContaining({ row: 2, column: 'measure', value: 'BURGLARY_TOTAL', fix: "use the measure ids of your agency's template" }),
    ]);
  });

  it('owned by another agency: police uploading NI39 are told who returns it', async () => {
    await expectRowProblems('NI39,DBC,01/04/2008,30/06/2008,45,,,,', [
      {
        row: 2,
        column: 'measure',
        value: 'NI39',
        reason: 'NI39 (Alcohol-harm related hospital admission rates) is returned by West Kent Primary Care Trust, not by North Kent Police',
        fix: 'remove this row, or ask West Kent Primary Care Trust to return it',
      },
    ]);
  });

  it('a group (NI195) is refused: its sub-measures are returned instead', async () => {
    await expectRowProblems(
      'NI195,DBC,01/04/2008,31/07/2008,11.6,35,301,,',
      [
        {
          row: 2,
          column: 'measure',
          value: 'NI195',
          reason: 'NI195 is reported by its sub-measures, not as a whole',
          fix: 'give one row per sub-measure: NI195a, NI195b, NI195c, NI195d',
        },
      ],
      { agency: 'dartford-psu' },
    );
  });

  it('NI95a (the plan\'s slip) is accepted as NI195a, with a warning, and recorded as written', async () => {
    // 35 / 301 = 11.627...%: 11.6 is within the 0.05 an officer's rounding allows.
    const outcome = expectStatus(await ingest(excelCsv('NI95a,DBC,01/04/2008,31/07/2008,11.6,35,301,,'), { agency: 'dartford-psu' }), 'accepted');
    expect(outcome.warnings).toEqual([
      {
        row: 2,
        column: 'measure',
        value: 'NI95a',
        message: 'NI95a was read as NI195a (Street and environmental cleanliness - litter); please use NI195a in future returns',
      },
    ]);
    const [reading] = dataOf(await returnStream(outcome.returnId), 'ReadingRecorded');
    expect(reading).toMatchObject({ measureId: 'NI195a', submittedMeasureId: 'NI95a', area: 'DBC', agency: 'dartford-psu', value: 11.6, numerator: 35, denominator: 301 });
  });
});

describe('the area', () => {
  it('unknown (Dartfrod): says so and gives the agency\'s areas', async () => {
    await expectRowProblems('SAC,Dartfrod,01/04/2008,30/04/2008,97,,,,', [
      { row: 2, column: 'area', value: 'Dartfrod', reason: '"Dartfrod" is not an area Beacon knows', fix: 'use DBC or GBC' },
    ]);
  });

  it('the partnership (DGCDRP) is refused: Beacon adds the boroughs up', async () => {
    await expectRowProblems('SAC,DGCDRP,01/04/2008,30/04/2008,206,,,,', [
      {
        row: 2,
        column: 'area',
        value: 'DGCDRP',
        reason: "Dartford & Gravesham CDRP figures are worked out by Beacon from the boroughs' figures",
        fix: 'give one row for each borough: DBC or GBC',
      },
    ]);
  });

  it('a borough the agency does not report for is refused (Dartford PSU sending GBC)', async () => {
    await expectRowProblems(
      'NI195a,GBC,01/04/2008,31/07/2008,11.6,35,301,,',
      [{ row: 2, column: 'area', value: 'GBC', reason: 'Dartford Borough Council Public Safety Unit does not report for Gravesham', fix: 'use DBC' }],
      { agency: 'dartford-psu' },
    );
  });

  it('the area may be written by its name (Dartford is DBC)', async () => {
    const outcome = expectStatus(await ingest(excelCsv('SAC,Dartford,01/04/2008,30/04/2008,97,,,,')), 'accepted');
    const [reading] = dataOf(await returnStream(outcome.returnId), 'ReadingRecorded');
    expect(reading?.area).toBe('DBC');
  });

  it('the area id may be written in any case (dbc is DBC), and is recorded as the catalogue writes it', async () => {
    const outcome = expectStatus(await ingest(excelCsv('SAC,dbc,01/04/2008,30/04/2008,97,,,,', 'SAC,Gbc,01/04/2008,30/04/2008,96,,,,')), 'accepted');
    expect(dataOf(await returnStream(outcome.returnId), 'ReadingRecorded').map((r) => r.area)).toEqual(['DBC', 'GBC']);
  });

  it('an area written in another case is still the same area: dbc twice for a period is a duplicate of DBC', async () => {
    const outcome = expectRejected(await ingest(excelCsv('SAC,DBC,01/04/2008,30/04/2008,97,,,,', 'SAC,dbc,01/04/2008,30/04/2008,98,,,,')));
    expect(outcome.problems).toEqual([
      { row: 3, column: 'measure', value: 'SAC', reason: 'row 2 already gives SAC for DBC, April 2008', fix: 'keep one of the two rows' },
    ]);
  });
});

describe('the period', () => {
  it('a monthly measure (SAC) given a quarter is refused, with the month to use', async () => {
    const outcome = expectRejected(await ingest(excelCsv('SAC,DBC,01/04/2008,30/06/2008,290,,,,')));
    expect(outcome.problems).toEqual([
      {
        row: 2,
        column: 'period_end',
        value: expect.any(String),
        reason: 'this measure is reported monthly, so the period must be one calendar month',
        fix: "use the month's first and last day, e.g. 01/04/2008 to 30/04/2008",
      },
    ]);
  });

  it('a quarterly measure (NI39) given a calendar quarter shifted by a month (May-Jul) is refused, with the financial quarter to use', async () => {
    const outcome = expectRejected(await ingest(excelCsv('NI39,DBC,01/05/2008,31/07/2008,45,,,,'), { agency: 'west-kent-pct' }));
    expect(outcome.problems).toEqual([
      {
        row: 2,
        column: 'period_end',
        value: expect.any(String),
        reason: 'this measure is reported quarterly, so the period must be a financial quarter (Apr-Jun, Jul-Sep, Oct-Dec, Jan-Mar)',
        // May 2008 is in Q1 2008/09, 1 April to 30 June.
        fix: "use the quarter's first and last day, e.g. 01/04/2008 to 30/06/2008",
      },
    ]);
  });

  it('a quarterly measure (NI39) given January-March, a calendar and a financial quarter (Q4), is accepted', async () => {
    expectStatus(await ingest(excelCsv('NI39,DBC,01/01/2009,31/03/2009,45,,,,'), { agency: 'west-kent-pct' }), 'accepted');
  });

  it('a period problem shows the dates as the officer wrote them (dd/mm/yyyy), as RowProblem.value promises', async () => {
    // RowProblem.value is "the cell as the officer sees it"; the fix beside it already writes dd/mm/yyyy.
    const outcome = expectRejected(await ingest(excelCsv('SAC,DBC,01/04/2008,30/06/2008,290,,,,')));
    expect(outcome.problems[0]?.value).toBe('01/04/2008 to 30/06/2008');
  });
});

describe('the figures', () => {
  it('a negative count is refused', async () => {
    await expectRowProblems('NTE_VIOLENCE,DBC,01/04/2008,30/04/2008,-3,,,,', [
      { row: 2, column: 'value', value: '-3', reason: 'NTE_VIOLENCE cannot be below 0', fix: 'check the figure' },
    ]);
  });

  it('a count that is not a whole number is refused', async () => {
    await expectRowProblems('SAC,DBC,01/04/2008,30/04/2008,97.5,,,,', [
      {
        row: 2,
        column: 'value',
        value: '97.5',
        reason: 'SAC is a count of cases (Beacon works out the rate), so it must be a whole number',
        fix: 'give the number of cases in the period',
      },
    ]);
  });

  it('a percentage over 100 is refused', async () => {
    await expectRowProblems(
      'ASB_HIGH,DBC,01/04/2008,30/06/2008,101.5,,,400,',
      [{ row: 2, column: 'value', value: '101.5', reason: 'ASB_HIGH cannot be above 100%', fix: 'write percentages as 0 to 100, e.g. 22.5' }],
      { agency: 'kcvs' },
    );
  });

  it('a numerator greater than the denominator is refused (swapped columns)', async () => {
    await expectRowProblems('DA_REPEAT,DBC,01/04/2008,30/04/2008,29.3,58,17,,', [
      { row: 2, column: 'numerator', value: '58', reason: 'the numerator is greater than the denominator (17)', fix: 'check that the two columns are not swapped' },
    ]);
  });

  it('a ratio measure without numerator and denominator is refused, once for each', async () => {
    await expectRowProblems('DA_REPEAT,DBC,01/04/2008,30/04/2008,29.3,,,,', [
      { row: 2, column: 'numerator', value: '', reason: 'DA_REPEAT needs its numerator, to add periods up correctly', fix: 'fill in the numerator' },
      { row: 2, column: 'denominator', value: '', reason: 'DA_REPEAT needs its denominator, to add periods up correctly', fix: 'fill in the denominator' },
    ]);
  });

  it('a ratio measure with only its denominator is refused for the numerator', async () => {
    await expectRowProblems('NTE_SHARE,GBC,01/04/2008,30/04/2008,16.2,,179,,', [
      { row: 2, column: 'numerator', value: '', reason: 'NTE_SHARE needs its numerator, to add periods up correctly', fix: 'fill in the numerator' },
    ]);
  });

  it('a value that does not match numerator ÷ denominator is refused, with the worked figure', async () => {
    // 100 x 17 / 58 = 29.3103...%, shown to two decimals: 29.31.
    await expectRowProblems('DA_REPEAT,DBC,01/04/2008,30/04/2008,35,17,58,,', [
      { row: 2, column: 'value', value: '35', reason: 'the value does not match numerator ÷ denominator (29.31%)', fix: 'check the value, numerator and denominator' },
    ]);
  });

  it('a value rounded by the officer to one or two decimals matches; 0.06 off does not', async () => {
    // 29.3103: 29.3 is 0.0103 off and 29.36 is 0.0497 off (accepted); 29.37 is 0.0597 off (refused).
    expectStatus(await ingest(excelCsv('DA_REPEAT,DBC,01/04/2008,30/04/2008,29.3,17,58,,', 'DA_REPEAT,GBC,01/04/2008,30/04/2008,29.36,17,58,,')), 'accepted');
    await expectRowProblems('DA_REPEAT,DBC,01/05/2008,31/05/2008,29.37,17,58,,', [
      expect.objectContaining({ column: 'value', value: '29.37', reason: 'the value does not match numerator ÷ denominator (29.31%)' }),
    ]);
  });

  it('a survey measure without its sample size is refused (ASB_HIGH from the KCVS)', async () => {
    await expectRowProblems(
      'ASB_HIGH,DBC,01/04/2008,30/06/2008,17.2,,,,',
      [
        {
          row: 2,
          column: 'sample_size',
          value: '',
          reason: 'ASB_HIGH is a survey measure, so Beacon needs the number of people who answered',
          fix: 'fill in the sample size of this wave',
        },
      ],
      { agency: 'kcvs' },
    );
  });

  it('a denominator of 0 is refused as a problem on its row, not by a crash when appending', async () => {
    // 0 of 0 passes the ratio checks (0 is not greater than 0; the value is only compared when the
    // denominator is above 0), but ReadingRecorded requires a positive denominator: the row must be
    // reported to the officer, not make the append throw InvalidEvent.
    const rejected = expectRejected(await outcomeOrThrown(excelCsv('DA_REPEAT,DBC,01/04/2008,30/04/2008,0,0,0,,')));
    expect(rejected.problems).toEqual([expect.objectContaining({ row: 2, column: 'denominator', value: '0' })]);
    expect(await store.headPosition()).toBe(0n);
  });

  it('a negative numerator is refused as a problem on its row, not by a crash when appending', async () => {
    // SAC is a count: its numerator is not compared with the value, but ReadingRecorded requires it to be >= 0.
    const rejected = expectRejected(await outcomeOrThrown(excelCsv('SAC,DBC,01/04/2008,30/04/2008,97,-5,10,,')));
    expect(rejected.problems).toEqual([expect.objectContaining({ row: 2, column: 'numerator', value: '-5' })]);
    expect(await store.headPosition()).toBe(0n);
  });

  it('a number too large to hold (1e999) is refused as a problem on its row, not by a crash when appending', async () => {
    // NI40 (KDAAT, method latest) has no upper bound and no whole-number rule: "1e999" reads as
    // Infinity, passes every check, and ReadingRecorded (z.number(), finite) refuses it at append.
    const rejected = expectRejected(await outcomeOrThrown(excelCsv('NI40,DBC,01/04/2008,30/04/2008,1e999,,,,'), { agency: 'kdaat' }));
    expect(rejected.problems).toEqual([expect.objectContaining({ row: 2, column: 'value', value: '1e999' })]);
    expect(await store.headPosition()).toBe(0n);
  });
});

describe('the return as a whole', () => {
  it('duplicate measure, area and period rows: the later row is refused, naming the first', async () => {
    const outcome = expectRejected(
      await ingest(
        excelCsv(
          'SAC,DBC,01/04/2008,30/04/2008,97,,,,', // row 2
          'SAC,GBC,01/04/2008,30/04/2008,96,,,,', // row 3
          'SAC,DBC,01/04/2008,30/04/2008,98,,,,', // row 4: row 2 again
          'sac,Dartford,01/04/2008,30/04/2008,99,,,,', // row 5: row 2 again, written another way
        ),
      ),
    );
    expect(outcome.problems).toEqual([
      { row: 4, column: 'measure', value: 'SAC', reason: 'row 2 already gives SAC for DBC, April 2008', fix: 'keep one of the two rows' },
      { row: 5, column: 'measure', value: 'sac', reason: 'row 2 already gives SAC for DBC, April 2008', fix: 'keep one of the two rows' },
    ]);
  });

  it('a return with several errors lists every one (row as the spreadsheet shows it, column, value, reason, fix) and stores nothing', async () => {
    expectStatus(await ingest(excelCsv(...POLICE_APRIL_2008), { receivedAt: '2008-05-09T16:00:00Z' }), 'accepted');
    const head = await store.headPosition();
    expect(head).toBe(11n);

    const outcome = expectRejected(
      await ingest(
        excelCsv(
          'SAC,DBC,01/05/2008,31/05/2008,97,,,,', // row 2: fine
          'SACC,DBC,01/05/2008,31/05/2008,97,,,,', // row 3: no such measure
          'SAC,Dartfrod,01/05/2008,31/05/2008,97,,,,', // row 4: no such area
          'NTE_VIOLENCE,GBC,01/04/2008,30/06/2008,-3,,,,', // row 5: a quarter for a monthly measure, and negative
          'DA_REPEAT,DBC,01/05/2008,31/05/2008,35,17,58,,', // row 6: 17/58 is 29.31%, not 35
          ',,,,,,,,', // row 7: blank, skipped, but still row 7
          'NI15,GBC,01/04/2008,31/04/2008,7,,,,', // row 8: there is no 31 April
          'SAC,DBC,01/05/2008,31/05/2008,98,,,,', // row 9: row 2 again
          'NTE_SHARE,GBC,01/05/2008,31/05/2008,16.2,,179,,', // row 10: no numerator
        ),
        { fileName: 'nkp-may-2008.csv' },
      ),
    );
    expect(outcome.problems).toEqual([
      {
        row: 3,
        column: 'measure',
        value: 'SACC',
        reason: '"SACC" is not a measure in Beacon\'s catalogue',
        fix: "did you mean SAC? Use the measure ids of your agency's template",
      },
      { row: 4, column: 'area', value: 'Dartfrod', reason: '"Dartfrod" is not an area Beacon knows', fix: 'use DBC or GBC' },
      {
        row: 5,
        column: 'period_end',
        value: expect.any(String),
        reason: 'this measure is reported monthly, so the period must be one calendar month',
        fix: "use the month's first and last day, e.g. 01/04/2008 to 30/04/2008",
      },
      { row: 5, column: 'value', value: '-3', reason: 'NTE_VIOLENCE cannot be below 0', fix: 'check the figure' },
      { row: 6, column: 'value', value: '35', reason: 'the value does not match numerator ÷ denominator (29.31%)', fix: 'check the value, numerator and denominator' },
      {
        row: 8,
        column: 'period_end',
        value: '31/04/2008',
        reason: '"31/04/2008" is not a real date: April 2008 has 30 days',
        fix: 'check the day and the month; write the date as dd/mm/yyyy, e.g. 01/04/2008',
      },
      { row: 9, column: 'measure', value: 'SAC', reason: 'row 2 already gives SAC for DBC, May 2008', fix: 'keep one of the two rows' },
      { row: 10, column: 'numerator', value: '', reason: 'NTE_SHARE needs its numerator, to add periods up correctly', fix: 'fill in the numerator' },
    ]);
    expect(outcome.problemsNotListed).toBe(0);
    expect(outcome.fileName).toBe('nkp-may-2008.csv');
    expect(await store.headPosition()).toBe(head);
  });

  it('a valid return is appended whole, in one append to its own stream, with its provenance', async () => {
    const bytes = excelCsv(...POLICE_APRIL_2008);
    const sha256 = sha256Of(bytes);
    const outcome = expectStatus(await ingest(bytes, { fileName: 'north-kent-police-2008-04.csv', receivedAt: '2008-05-09T16:00:00Z' }), 'accepted');
    expect(outcome).toEqual({
      status: 'accepted',
      returnId: `north-kent-police-${sha256.slice(0, 16)}`,
      fileName: 'north-kent-police-2008-04.csv',
      agency: 'north-kent-police',
      warnings: [],
      readings: 10,
      corrections: [],
    });

    const stored = await allEvents();
    // One ReturnReceived and ten ReadingRecorded in the return's own stream, nothing else, revisions 0-10 in log order.
    expect(stored).toHaveLength(11);
    expect(stored.map((e) => e.stream)).toEqual(Array(11).fill(streamOf.return(outcome.returnId)));
    expect(stored.map((e) => e.revision)).toEqual(Array.from({ length: 11 }, (_, i) => BigInt(i)));
    expect(stored.every((e, i) => i === 0 || e.position > (stored[i - 1] as StoredEvent).position)).toBe(true);

    const events = await returnStream(outcome.returnId);
    const submitter = { kind: 'person', id: 'north-kent-police.officer', name: 'A. Officer', agency: 'north-kent-police' };
    expect(events[0]?.type).toBe('ReturnReceived');
    expect(events[0]?.data).toEqual({
      returnId: outcome.returnId,
      agency: 'north-kent-police',
      fileName: 'north-kent-police-2008-04.csv',
      sha256,
      format: 'csv',
      readingCount: 10,
      period: { start: '2008-04-01', end: '2008-04-30' },
      recordedAt: '2008-05-09T16:00:00Z',
      actor: submitter,
    });
    const readings = dataOf(events.slice(1), 'ReadingRecorded');
    expect(readings).toHaveLength(10);
    expect(readings.map((r) => [r.row, r.measureId, r.area, r.value])).toEqual([
      [2, 'SAC', 'DBC', 110],
      [3, 'SAC', 'GBC', 96],
      [4, 'NTE_VIOLENCE', 'DBC', 15],
      [5, 'NTE_VIOLENCE', 'GBC', 16],
      [6, 'NI15', 'DBC', 11],
      [7, 'NI15', 'GBC', 7],
      [8, 'DA_REPEAT', 'DBC', 29.3],
      [9, 'DA_REPEAT', 'GBC', 21.4],
      [10, 'NTE_SHARE', 'DBC', 16.3],
      [11, 'NTE_SHARE', 'GBC', 16.2],
    ]);
    expect(readings[6]).toEqual({
      returnId: outcome.returnId,
      row: 8,
      measureId: 'DA_REPEAT',
      area: 'DBC',
      agency: 'north-kent-police',
      period: { start: '2008-04-01', end: '2008-04-30' },
      value: 29.3,
      numerator: 17,
      denominator: 58,
      recordedAt: '2008-05-09T16:00:00Z',
      actor: submitter,
    });
    expect(readings[9]?.note).toBe('Includes Gravesend town centre, "Operation PILOT"');
    expect(readings.every((r) => r.sampleSize === undefined && r.submittedMeasureId === undefined)).toBe(true);
  });

  it('received now when no time is given', async () => {
    const before = new Date().toISOString();
    const outcome = expectStatus(await ingest(excelCsv(...POLICE_APRIL_2008)), 'accepted');
    const after = new Date().toISOString();
    const [received] = dataOf(await returnStream(outcome.returnId), 'ReturnReceived');
    const at = received?.recordedAt ?? '';
    expect(at >= before && at <= after, `${at} between ${before} and ${after}`).toBe(true);
  });

  it('the same file twice: already received, with the first time it was received, and nothing new stored', async () => {
    const bytes = excelCsv(...POLICE_APRIL_2008);
    const first = expectStatus(await ingest(bytes, { fileName: 'april.csv', receivedAt: '2008-05-09T16:00:00Z' }), 'accepted');
    const head = await store.headPosition();
    const again = await ingest(bytes, { fileName: 'april (1).csv', receivedAt: '2008-05-12T09:00:00Z' });
    expect(again).toEqual({
      status: 'already-received',
      returnId: first.returnId,
      fileName: 'april (1).csv',
      agency: 'north-kent-police',
      warnings: [],
      firstReceivedAt: '2008-05-09T16:00:00Z',
      readings: 10,
    });
    expect(await store.headPosition()).toBe(head);
  });

  it('a correction supersedes the reading on record, which stays in history', async () => {
    const first = expectStatus(await ingest(excelCsv(...POLICE_APRIL_2008), { receivedAt: '2008-05-09T16:00:00Z' }), 'accepted');
    const correction = expectStatus(
      await ingest(excelCsv('SAC,DBC,01/04/2008,30/04/2008,58,,,,Corrected: 52 May crimes were counted in April'), { receivedAt: '2008-05-20T11:15:00Z' }),
      'accepted',
    );
    const april = { start: '2008-04-01', end: '2008-04-30' };
    expect(correction.readings).toBe(1);
    expect(correction.corrections).toEqual([
      { row: 2, measureId: 'SAC', area: 'DBC', period: april, was: { returnId: first.returnId, row: 2, value: 110, recordedAt: '2008-05-09T16:00:00Z' }, now: 58 },
    ]);

    const events = await returnStream(correction.returnId);
    expect(events.map((e) => e.type)).toEqual(['ReturnReceived', 'ReadingRecorded', 'ReadingSuperseded']);
    expect(events[2]?.data).toEqual({
      measureId: 'SAC',
      area: 'DBC',
      period: april,
      superseded: { returnId: first.returnId, row: 2, value: 110 },
      by: { returnId: correction.returnId, row: 2, value: 58 },
      recordedAt: '2008-05-20T11:15:00Z',
      actor: expect.objectContaining({ id: 'north-kent-police.officer' }),
    });
    // The first reading is still in history, untouched.
    const firstReadings = dataOf(await returnStream(first.returnId), 'ReadingRecorded');
    expect(firstReadings).toHaveLength(10);
    expect(firstReadings[0]).toMatchObject({ row: 2, measureId: 'SAC', area: 'DBC', value: 110, recordedAt: '2008-05-09T16:00:00Z' });
    // And the corrected figure is the one in force.
    const inForce = await readingsOnRecord(store);
    expect(inForce.get('SAC|DBC|2008-04-01|2008-04-30')).toEqual({ returnId: correction.returnId, row: 2, value: 58, recordedAt: '2008-05-20T11:15:00Z' });
    expect(inForce.get('SAC|GBC|2008-04-01|2008-04-30')?.value).toBe(96);
  });

  it('a dry run stores nothing but says what would be corrected', async () => {
    const first = expectStatus(await ingest(excelCsv(...POLICE_APRIL_2008), { receivedAt: '2008-05-09T16:00:00Z' }), 'accepted');
    const head = await store.headPosition();
    const dry = await ingest(excelCsv('SAC,DBC,01/04/2008,30/04/2008,58,,,,', 'SAC,DBC,01/05/2008,31/05/2008,101,,,,'), { dryRun: true });
    expect(dry).toMatchObject({ status: 'valid', readings: 2, warnings: [] });
    expect(dry.status === 'valid' && dry.corrections).toEqual([
      {
        row: 2,
        measureId: 'SAC',
        area: 'DBC',
        period: { start: '2008-04-01', end: '2008-04-30' },
        was: { returnId: first.returnId, row: 2, value: 110, recordedAt: '2008-05-09T16:00:00Z' },
        now: 58,
      },
    ]);
    expect(await store.headPosition()).toBe(head);
    expect(await store.streamRevision(streamOf.return(dry.returnId))).toBeUndefined();

    // A dry run of a return with problems lists them, as a real upload would.
    const bad = expectRejected(await ingest(excelCsv('SAC,DBC,01/04/2008,30/04/2008,-1,,,,'), { dryRun: true }));
    expect(bad.problems).toHaveLength(1);
    expect(await store.headPosition()).toBe(head);
  });
});
