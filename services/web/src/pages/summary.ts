import type { Travel } from '@beacon/progress';
import type { GroupSummary, MeasureStatus, Summary } from '@beacon/reports';
import type { ReturnOnRecord } from '@beacon/reports';
import type { DashboardContext, View } from '../context.js';
import { type Html, html } from '../html.js';
import { href } from '../layout.js';
import { dayName, momentName, monthName, rag, travelText, valueText } from '../words.js';
import { targetText, viewForm } from './common.js';

export type SummaryWithRevisions = Awaited<ReturnType<DashboardContext['queries']['summary']>>;

export function summaryOf(context: DashboardContext, view: View): Promise<SummaryWithRevisions> {
  return context.queries.summary({ area: view.area, period: view.period, ...(view.asAt && { asAt: view.asAt }), ...(view.rule && { rule: view.rule }) });
}

/** How a group's measures are moving against the same period last year: "2 ↑ improving, 1 ↓ worsening". */
export function groupTravel(group: GroupSummary, byId: ReadonlyMap<string, MeasureStatus>): string {
  const counts: Record<Travel, number> = { improving: 0, steady: 0, worsening: 0 };
  for (const id of group.measureIds) {
    const direction = byId.get(id)?.travel?.short?.direction;
    if (direction) counts[direction] += 1;
  }
  const parts = (Object.keys(counts) as Travel[]).filter((t) => counts[t] > 0).map((t) => `${counts[t]} ${travelText(t)}`);
  return parts.length > 0 ? parts.join(', ') : 'no trend yet';
}

export const measureHref = (measureId: string, view: View) => href(`/measures/${encodeURIComponent(measureId)}`, { area: view.area, period: view.period, asAt: view.asAt });

function groupTable(caption: string, groups: readonly GroupSummary[], byId: ReadonlyMap<string, MeasureStatus>, view: View): Html {
  return html`<table>
    <caption>${caption}</caption>
    <thead><tr><th scope="col">Name</th><th scope="col">RAG</th><th scope="col" class="number">Green</th><th scope="col" class="number">Amber</th><th scope="col" class="number">Red</th><th scope="col" class="number">Grey</th><th scope="col">Direction of travel</th><th scope="col">Measures</th></tr></thead>
    <tbody>${groups.map((g) => {
      const c = g.rollUp.counts;
      return html`<tr>
        <th scope="row">${g.name}</th>
        <td>${rag(g.rollUp.status)}</td>
        <td class="number">${c.green}</td><td class="number">${c.amber}</td><td class="number">${c.red}</td><td class="number">${c.grey}</td>
        <td>${groupTravel(g, byId)}</td>
        <td>${g.measureIds.map((id, i) => html`${i > 0 ? ', ' : ''}<a href="${measureHref(id, view)}">${id}</a>`)}</td>
      </tr>`;
    })}</tbody>
  </table>`;
}

export function countsList(counts: Summary['counts']): Html {
  return html`<ul class="counts" aria-label="Measures by RAG">
    <li>${rag('green')} ${counts.green}</li><li>${rag('amber')} ${counts.amber}</li><li>${rag('red')} ${counts.red}</li><li>${rag('grey')} ${counts.grey}</li>
  </ul>`;
}

export function measureTable(summary: Summary, view: View): Html {
  return html`<table>
    <caption>Measures</caption>
    <thead><tr><th scope="col">Measure</th><th scope="col">RAG</th><th scope="col" class="number">Value</th><th scope="col">Target</th><th scope="col">Direction of travel</th><th scope="col">Why</th></tr></thead>
    <tbody>${summary.measures.map(
      (m) => html`<tr>
        <th scope="row"><a href="${measureHref(m.measureId, view)}">${m.measureId}</a> <span class="muted">${m.name}</span></th>
        <td>${rag(m.rag.status)}</td>
        <td class="number">${valueText(m.rag.value, m.unit)}</td>
        <td>${targetText(m)}</td>
        <td>${m.travel?.short ? travelText(m.travel.short.direction) : '–'}</td>
        <td>${m.rag.reason}</td>
      </tr>`,
    )}</tbody>
  </table>`;
}

export function revisionsList(summary: SummaryWithRevisions): Html {
  if (summary.revisions.length === 0) return html``;
  return html`<h2>Revised since</h2>
    <p>Corrections recorded after this moment to figures shown here:</p>
    <ul>${summary.revisions.map(
      (r) => html`<li>${r.measureId} ${r.area}, ${monthName(r.period.end)}: was ${r.was.value}, now ${r.now.value} (corrected ${dayName(r.correctedAt)})</li>`,
    )}</ul>`;
}

export async function summaryPage(context: DashboardContext, view: View, received: ReturnOnRecord | undefined): Promise<Html> {
  const summary = await summaryOf(context, view);
  const byId = new Map(summary.measures.map((m) => [m.measureId, m]));
  const exportQuery = { area: view.area, period: view.period, asAt: view.asAt, rule: view.rule };
  return html`
    ${
      received &&
      html`<p class="notice ok" role="status"><strong>Return stored.</strong> “${received.fileName}” from ${context.catalogue.agency(received.agency)?.name ?? received.agency}:
      ${received.readingCount} ${received.readingCount === 1 ? 'reading' : 'readings'} recorded as return ${received.returnId} on ${momentName(received.recordedAt)}. The summary below includes it.</p>`
    }
    <h1>${summary.area.name}, ${monthName(summary.date)}</h1>
    ${viewForm(context.catalogue, view, '/', { rule: true })}
    <p>Each priority area and PSA takes the <strong>${summary.rule === 'worst' ? 'worst' : 'majority'}</strong> RAG of its rated measures. Across all ${summary.measures.length} measures:</p>
    ${countsList(summary.counts)}
    <ul class="exports no-print">
      <li><a href="${href('/export/summary.csv', exportQuery)}" download>Download the summary (CSV)</a></li>
      <li><a href="${href('/report', exportQuery)}">Printable report</a></li>
      <li><a href="${href('/report.pdf', exportQuery)}">Report as PDF</a></li>
      <li><a href="${href('/changes', { area: view.area, period: view.period, asAt: view.asAt })}">What changed</a></li>
    </ul>
    <h2 id="priority-areas">Priority areas</h2>
    ${groupTable('The six priority areas of the Community Safety Plan', summary.priorityAreas, byId, view)}
    <h2 id="psas">Public Service Agreements</h2>
    ${groupTable('PSAs, by the plan’s mapping of measures', summary.psas, byId, view)}
    <h2 id="measures">Measures</h2>
    ${measureTable(summary, view)}
    ${revisionsList(summary)}`;
}
