import { loadCatalogue } from '@beacon/catalogue';
import { PerformanceQueries } from '@beacon/read-models';
import type { Config } from '../config.js';
import { summaryText } from '../summary-text.js';
import { withReadModels } from './project.js';

/** `beacon summary --period 2009-03 [--area DBC] [--as-at 2009-04-15]`: the read models brought up to date, then the summary. */
export async function summaryCommand(
  config: Config,
  options: { period: string; area: string; asAt: string | undefined; rule: 'worst' | 'majority' },
  say: (line: string) => void,
): Promise<void> {
  const catalogue = loadCatalogue(config.catalogueDir);
  await withReadModels(config, async (readModels) => {
    const queries = new PerformanceQueries(readModels.records, catalogue);
    for (const line of summaryText(await queries.summary({ area: options.area, period: options.period, rule: options.rule, ...(options.asAt && { asAt: options.asAt }) }))) say(line);
  });
}
