/**
 * A made-up country of 300 partnerships, two boroughs each, with ten years of readings of every
 * rated measure (monthly, quarterly, tranche and quarterly survey waves): about 1,080,000
 * ReadingRecorded events, the scale the architecture plans for. Figures are random, not real.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultCatalogueDir, loadCatalogue, type Measure } from '@beacon/catalogue';
import type { EventToAppend } from '@beacon/event-store';
import { eventId, streamOf, toEventToAppend } from '@beacon/events';

export const PARTNERSHIPS = Number(process.env.BENCH_PARTNERSHIPS ?? 300);
export const YEARS = 10;
export const FIRST_YEAR = 2008;

export const partnershipId = (p: number) => `P${String(p).padStart(3, '0')}`;
export const boroughsOf = (p: number) => [`${partnershipId(p)}A`, `${partnershipId(p)}B`];

/** The shipped catalogue with 300 partnerships added to its areas. */
export function catalogueWithPartnerships(): string {
  const dir = mkdtempSync(join(tmpdir(), 'beacon-bench-catalogue-'));
  cpSync(defaultCatalogueDir, dir, { recursive: true });
  const population = (value: number) => `
      - year: ${FIRST_YEAR}
        base: all_ages
        value: ${value}
        source: bench
        recordedOn: ${FIRST_YEAR}-04-01
      - year: ${FIRST_YEAR}
        base: aged_10_17
        value: ${Math.round(value / 10)}
        source: bench
        recordedOn: ${FIRST_YEAR}-04-01`;
  let extra = '';
  for (let p = 1; p <= PARTNERSHIPS; p++) {
    const [a, b] = boroughsOf(p);
    extra += `
  - id: ${a}
    name: Borough ${a}
    kind: borough
    council: Council ${a}
    populations:${population(90_000 + p)}
  - id: ${b}
    name: Borough ${b}
    kind: borough
    council: Council ${b}
    populations:${population(100_000 + p)}
  - id: ${partnershipId(p)}
    name: Partnership ${partnershipId(p)}
    kind: partnership
    members: [${a}, ${b}]
`;
  }
  writeFileSync(join(dir, 'areas.yaml'), readFileSync(join(dir, 'areas.yaml'), 'utf8') + extra);
  return dir;
}

const monthEnd = (y: number, m: number) => new Date(Date.UTC(y, m + 1, 0)).toISOString().slice(0, 10);
const monthStart = (y: number, m: number) => new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 10);

/** The periods a measure is read over in the month ending (y, m), if any ends then. */
function periodEndingIn(measure: Measure, y: number, m: number): { start: string; end: string } | null {
  const fm = (m + 9) % 12; // month of the financial year, April = 0
  switch (measure.frequency) {
    case 'monthly':
      return { start: monthStart(y, m), end: monthEnd(y, m) };
    case 'quarterly':
    case 'survey_wave':
      return fm % 3 === 2 ? { start: monthStart(y, m - 2), end: monthEnd(y, m) } : null;
    case 'tranche':
      return fm % 4 === 3 ? { start: monthStart(y, m - 3), end: monthEnd(y, m) } : null;
    case 'annual':
      return fm === 11 ? { start: monthStart(y - 1, 3), end: monthEnd(y, m) } : null;
  }
}

const actor = { kind: 'person', id: 'bench' } as const;

/**
 * Each partnership's returns, month by month: one return per partnership and month with every
 * reading due that month, recorded on the 10th of the month after.
 */
export function* partnershipReturns(catalogueDir: string): Generator<{ stream: string; events: Generator<EventToAppend>; readings: number }> {
  const catalogue = loadCatalogue(catalogueDir);
  const measures = catalogue.measures.filter((m) => m.subMeasures.length === 0);
  let seed = 1;
  const random = () => {
    seed = (seed * 48_271) % 2_147_483_647;
    return seed / 2_147_483_647;
  };
  for (let month = 0; month < YEARS * 12; month++) {
    const y = FIRST_YEAR + Math.floor((month + 3) / 12);
    const m = (month + 3) % 12;
    for (let p = 1; p <= PARTNERSHIPS; p++) {
      const returnId = `${partnershipId(p)}-${y}-${m + 1}`;
      const recordedAt = new Date(Date.UTC(y, m + 1, 10, 9)).toISOString();
      const due = measures.flatMap((measure) => {
        const period = periodEndingIn(measure, y, m);
        return period ? boroughsOf(p).map((area) => ({ measure, area, period })) : [];
      });
      function* events(): Generator<EventToAppend> {
        yield toEventToAppend(
          {
            type: 'ReturnReceived',
            data: { returnId, agency: 'north-kent-police', fileName: `${returnId}.csv`, sha256: '0'.repeat(64), format: 'csv', readingCount: due.length, period: { start: monthStart(y, m), end: monthEnd(y, m) }, recordedAt, actor },
          },
          eventId(returnId, 'received'),
        );
        for (const [i, { measure, area, period }] of due.entries()) {
          const fields =
            measure.method === 'ratio'
              ? (() => {
                  const denominator = 100 + Math.floor(random() * 50);
                  const numerator = Math.floor(denominator * (0.15 + random() * 0.1));
                  return { value: (numerator / denominator) * 100, numerator, denominator };
                })()
              : measure.method === 'survey'
                ? { value: Math.round(10 + random() * 300) / 10, sampleSize: 300 + Math.floor(random() * 200) }
                : { value: Math.floor(50 + random() * 100) };
          yield toEventToAppend(
            { type: 'ReadingRecorded', data: { returnId, row: i + 2, measureId: measure.id, area, agency: 'north-kent-police', period, recordedAt, actor, ...fields } },
            eventId(returnId, i + 2),
          );
        }
      }
      yield { stream: streamOf.return(returnId), events: events(), readings: due.length };
    }
  }
}

/** The plan's 13 targets set for every partnership, recorded with the plan. */
export function* partnershipTargets(catalogueDir: string): Generator<{ stream: string; events: EventToAppend[] }> {
  const catalogue = loadCatalogue(catalogueDir);
  for (let p = 1; p <= PARTNERSHIPS; p++) {
    for (const t of catalogue.targets) {
      const targetId = `${partnershipId(p)}-${t.id}`;
      yield {
        stream: streamOf.target(targetId),
        events: [
          toEventToAppend(
            {
              type: 'TargetSet',
              data: {
                targetId,
                version: 1,
                measureId: t.measure,
                area: partnershipId(p),
                target: t.kind === 'value' ? { kind: 'value', value: t.value } : { kind: 'direction', direction: t.direction },
                source: t.source,
                period: t.period,
                recordedAt: `${FIRST_YEAR}-04-01T00:00:00.000Z`,
                actor,
              },
            },
            eventId('target', targetId, 1),
          ),
        ],
      };
    }
  }
}
