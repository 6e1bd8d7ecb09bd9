import type { IngestOutcome } from '@beacon/return-intake';
import { describePeriod } from '@beacon/periods';

const when = (iso: string) =>
  new Date(iso).toLocaleString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'Europe/London' });

/** What a data officer reads after sending a return: plain words, every problem with its fix. */
export function outcomeText(outcome: IngestOutcome): string[] {
  const lines: string[] = [];
  const file = `"${outcome.fileName}"`;
  switch (outcome.status) {
    case 'accepted':
    case 'valid': {
      const verb = outcome.status === 'accepted' ? 'Accepted' : 'Valid (dry run, nothing stored):';
      lines.push(`${verb} ${file}: ${outcome.readings} reading${outcome.readings === 1 ? '' : 's'}${outcome.status === 'accepted' ? ` recorded as return ${outcome.returnId}` : ' would be recorded'}.`);
      for (const c of outcome.corrections) {
        lines.push(`  correction, row ${c.row}: ${c.measureId} ${c.area} ${describePeriod(c.period)}: ${c.was.value} → ${c.now} (the earlier figure, recorded ${when(c.was.recordedAt)}, stays in the history)`);
      }
      break;
    }
    case 'already-received':
      lines.push(`Already received: ${file} (${outcome.readings} readings) was first received on ${when(outcome.firstReceivedAt)}. Nothing new was stored.`);
      break;
    case 'rejected': {
      const count = outcome.problems.length + outcome.problemsNotListed;
      lines.push(`Rejected ${file}: ${count} problem${count === 1 ? '' : 's'} found, so nothing was stored. Fix them and send the whole file again.`);
      for (const p of outcome.problems) {
        lines.push(`  row ${p.row}, ${p.column}${p.value === '' ? '' : ` "${p.value}"`}: ${p.reason}. To fix: ${p.fix}.`);
      }
      if (outcome.problemsNotListed > 0) lines.push(`  … and ${outcome.problemsNotListed} more problems not listed.`);
      break;
    }
  }
  for (const w of outcome.warnings) lines.push(`  note, row ${w.row}: ${w.message}`);
  return lines;
}
