import { loadCatalogue } from '@beacon/catalogue';
import { readReturn } from '@beacon/returns';
import { describe, expect, it } from 'vitest';
import { templateCsv } from './template.js';

const catalogue = loadCatalogue();
const agency = (id: string) => catalogue.agency(id) ?? expect.fail(`no agency ${id}`);

describe("an agency's blank return", () => {
  it("lists each measure the agency returns for each area it reports for, and nobody else's", () => {
    const lines = templateCsv(agency('dartford-psu'), catalogue).split('\r\n');
    expect(lines[0]).toBe('\uFEFFmeasure,area,period_start,period_end,value,numerator,denominator,sample_size,note');
    // Dartford's Public Safety Unit returns the four NI 195 cleanliness sub-measures, for Dartford only.
    expect(lines.slice(1, -1)).toEqual(['NI195a,DBC,,,,,,,', 'NI195b,DBC,,,,,,,', 'NI195c,DBC,,,,,,,', 'NI195d,DBC,,,,,,,']);
    expect(lines.at(-1)).toBe('');
  });

  it('is read back by Beacon as a return whose rows wait for their figures', async () => {
    const template = templateCsv(agency('yos'), catalogue);
    const problems: string[] = [];
    for await (const item of readReturn({ bytes: new TextEncoder().encode(template) }, { fileName: 'yos.csv' })) {
      if (item.kind === 'problem') problems.push(`${item.problem.row} ${item.problem.column}`);
    }
    // NI 111 for Dartford and Gravesham: the header is understood; only the blank figures are missing.
    expect(problems).toEqual(['2 period_start', '2 period_end', '2 value', '3 period_start', '3 period_end', '3 value']);
  });
});
