const MONTHS_PER_RETURN = 5;
/** Five-month blocks from January 1950 to 2074: Beacon takes no year past 2100. */
export const DISTINCT_RETURNS = 300;
const pad = (n: number) => String(n).padStart(2, '0');

/**
 * North Kent Police's five monthly measures for both boroughs, for five months: 50 rows. The
 * first 300 indexes have months of their own (from January 1950), so none is the same file as
 * another or corrects it; later ones go round the same months again with other figures, so each
 * is a correction of an earlier return (still a new file, accepted whole).
 */
export function policeReturn(index: number): string {
  const rows = ['measure,area,period_start,period_end,value,numerator,denominator,sample_size,note'];
  const round = Math.floor(index / DISTINCT_RETURNS);
  for (let m = 0; m < MONTHS_PER_RETURN; m++) {
    const month = (index % DISTINCT_RETURNS) * MONTHS_PER_RETURN + m;
    const year = 1950 + Math.floor(month / 12);
    const mm = month % 12;
    const start = `01/${pad(mm + 1)}/${year}`;
    const end = `${pad(new Date(Date.UTC(year, mm + 1, 0)).getUTCDate())}/${pad(mm + 1)}/${year}`;
    for (const area of ['DBC', 'GBC']) {
      const shared = 20 + (month % 7);
      const repeats = 10 + (month % 5);
      rows.push(
        `SAC,${area},${start},${end},${100 + (month % 50) + round},,,,`,
        `NTE_VIOLENCE,${area},${start},${end},${10 + (month % 9)},,,,`,
        `NI15,${area},${start},${end},${5 + (month % 6)},,,,`,
        `DA_REPEAT,${area},${start},${end},${((100 * repeats) / 60).toFixed(1)},${repeats},60,,`,
        `NTE_SHARE,${area},${start},${end},${((100 * shared) / 160).toFixed(1)},${shared},160,,`,
      );
    }
  }
  return `${rows.join('\r\n')}\r\n`;
}

export const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? Number.NaN;
