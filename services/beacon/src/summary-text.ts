import type { RagStatus } from '@beacon/progress';
import { formatValue } from '@beacon/progress';
import type { Summary } from '@beacon/reports';

/** RAG is never colour alone: a word and a symbol that survive black-and-white printing. */
export const ragLabel: Record<RagStatus, string> = { green: '✔ GREEN', amber: '▲ AMBER', red: '✖ RED', grey: '○ GREY' };

const monthName = (date: string) => new Date(`${date}T00:00:00Z`).toLocaleDateString('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' });

/** The strategy group's summary as plain text: each priority area, its RAG and counts, then its measures. */
export function summaryText(summary: Summary & { revisions?: ReadonlyArray<{ measureId: string; area: string; was: { value: number }; now: { value: number }; correctedAt: string }> }): string[] {
  const lines = [
    `${summary.area.name}, ${monthName(summary.date)}${summary.asAt ? `, as at ${summary.asAt.slice(0, 10)}` : ''} (${summary.rule === 'worst' ? 'worst of its measures' : 'majority of its measures'}):`,
  ];
  for (const group of summary.priorityAreas) {
    const c = group.rollUp.counts;
    lines.push(`  ${ragLabel[group.rollUp.status].padEnd(8)} ${group.name.padEnd(36)} ${c.green} green, ${c.amber} amber, ${c.red} red, ${c.grey} grey`);
    for (const id of group.measureIds) {
      const m = summary.measures.find((s) => s.measureId === id);
      if (!m || m.rag.status === 'grey') continue;
      const value = m.rag.value === null ? '' : formatValue(m.rag.value, m.unit);
      const travel = m.travel?.short ? `, ${m.travel.short.direction} on last year` : '';
      lines.push(`      ${ragLabel[m.rag.status].padEnd(8)} ${m.measureId.padEnd(22)} ${value}${travel}`);
    }
  }
  for (const r of summary.revisions ?? []) {
    lines.push(`  revised since: ${r.measureId} ${r.area} was ${r.was.value}, now ${r.now.value} (corrected ${r.correctedAt.slice(0, 10)})`);
  }
  return lines;
}
