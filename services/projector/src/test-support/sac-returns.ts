/**
 * For tests: North Kent Police's monthly SAC returns for 2008/09, each received on the 9th of
 * the month after, Dartford's March sent as 170 and corrected to 105 on 20 April 2009. With the
 * illustrative populations (90,900 and 100,900) the figures are easy to work by hand: the
 * partnership's 2008/09 is 2,550 / 191,800 × 1,000 = 13.295 per 1,000.
 */
import type { Catalogue } from '@beacon/catalogue';
import type { EventStore } from '@beacon/event-store';
import { catalogueRecords, toEventToAppend } from '@beacon/events';
import { ingestReturn, keepReadingsOnRecord } from '@beacon/return-intake';

const header = 'measure,area,period_start,period_end,value,numerator,denominator,sample_size,note\n';
export const SAC_DBC_2008 = [100, 105, 110, 115, 120, 110, 105, 100, 105, 110, 115, 105];
export const SAC_GBC_2008 = [95, 100, 105, 110, 115, 105, 100, 95, 100, 105, 115, 105];
const months = ['04', '05', '06', '07', '08', '09', '10', '11', '12', '01', '02', '03'];
const lastDay = (m: string, y: string) => new Date(Date.UTC(Number(y), Number(m), 0)).getUTCDate();

/** The catalogue's targets and populations, as the main job records them. */
export async function recordCatalogue(store: EventStore, catalogue: Catalogue): Promise<void> {
  for (const record of catalogueRecords(catalogue)) await store.append(record.stream, [toEventToAppend(record.event, record.id)]);
}

export async function sendSacReturns(store: EventStore, catalogue: Catalogue): Promise<void> {
  const onRecord = keepReadingsOnRecord(store);
  const send = async (csv: string, fileName: string, receivedAt: string) => {
    const outcome = await ingestReturn(
      { source: { bytes: new TextEncoder().encode(header + csv) }, fileName, agency: 'north-kent-police', submitter: { kind: 'person', id: 'analyst' }, receivedAt },
      { store, catalogue, readingsOnRecord: onRecord },
    );
    if (outcome.status !== 'accepted') throw new Error(`${fileName} was not accepted: ${JSON.stringify(outcome)}`);
  };
  for (const [i, m] of months.entries()) {
    const y = i < 9 ? '2008' : '2009';
    const period = `01/${m}/${y},${lastDay(m, y)}/${m}/${y}`;
    const dbc = m === '03' ? 170 : SAC_DBC_2008[i];
    const next = new Date(Date.UTC(Number(y), Number(m), 9, 9, 45)).toISOString();
    await send(`SAC,DBC,${period},${dbc},,,,\nSAC,GBC,${period},${SAC_GBC_2008[i]},,,,\n`, `sac-${y}-${m}.csv`, next);
  }
  await send('SAC,DBC,01/03/2009,31/03/2009,105,,,,\n', 'sac-2009-03-corrected.csv', '2009-04-20T11:15:00Z');
}
