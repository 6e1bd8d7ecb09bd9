import type { Agency, Catalogue } from '@beacon/catalogue';
import { RETURN_COLUMNS } from '@beacon/returns';

const csvCell = (text: string) => (/[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text);

/**
 * A blank return for one agency: the header, then one row for each measure it owns and each
 * area it reports for, with the period and figures left for the data officer to fill in.
 * CRLF and a BOM, as Excel writes and expects "CSV UTF-8".
 */
export function templateCsv(agency: Agency, catalogue: Catalogue): string {
  const header = RETURN_COLUMNS.map((column) => column.name);
  const rows = catalogue
    .measuresOwnedBy(agency.id)
    .filter((measure) => measure.subMeasures.length === 0)
    .flatMap((measure) => agency.areas.map((area) => header.map((column) => (column === 'measure' ? measure.id : column === 'area' ? area : ''))));
  return `\uFEFF${[header, ...rows].map((cells) => cells.map(csvCell).join(',')).join('\r\n')}\r\n`;
}
