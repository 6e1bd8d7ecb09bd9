import type { MeasureStatus } from '@beacon/reports';
import type { DashboardContext, View } from '../context.js';
import { type Html, html } from '../html.js';
import { href } from '../layout.js';
import { dayName, momentName, monthName, rag, travelText, valueText } from '../words.js';
import { targetText } from './common.js';
import { countsList, groupTravel, revisionsList, summaryOf } from './summary.js';

/** The latest reading behind a status: "north-kent-police, 12 Apr 2011 (return …)". */
function latestSource(context: DashboardContext, m: MeasureStatus): string {
  const latest = m.provenance.readings.reduce<MeasureStatus['provenance']['readings'][number] | undefined>((a, r) => (!a || r.period.end > a.period.end ? r : a), undefined);
  return latest ? `${context.catalogue.agency(latest.agency)?.name ?? latest.agency}, ${dayName(latest.recordedAt)} (return ${latest.returnId})` : '–';
}

/** The strategy group's paper: the summary and every measure behind it, laid out for A4 by the print stylesheet. */
export async function reportPage(context: DashboardContext, view: View): Promise<Html> {
  const summary = await summaryOf(context, view);
  const byId = new Map(summary.measures.map((m) => [m.measureId, m]));
  const query = { area: view.area, period: view.period, asAt: view.asAt, rule: view.rule };
  return html`
    <p class="no-print">This page is laid out for printing. <a href="${href('/report.pdf', query)}">Download it as a PDF</a> or use your browser’s Print. <a href="${href('/', query)}">Back to the summary</a></p>
    <h1>Community Safety Partnership performance: ${summary.area.name}, ${monthName(summary.date)}</h1>
    <p>${summary.asAt ? `As Beacon stood at ${momentName(summary.asAt)}.` : `Made ${momentName(new Date().toISOString())} from every figure recorded by then.`}
      Each priority area takes the ${summary.rule === 'worst' ? 'worst' : 'majority'} RAG of its rated measures. RAG is shown as a word and a symbol:
      ✔ GREEN on or better than target, ▲ AMBER within tolerance, ✖ RED worse, ○ GREY no target or no reading.</p>
    ${countsList(summary.counts)}
    <table>
      <caption>Priority areas</caption>
      <thead><tr><th scope="col">Priority area</th><th scope="col">RAG</th><th scope="col">G / A / R / Grey</th><th scope="col">Direction of travel</th></tr></thead>
      <tbody>${summary.priorityAreas.map(
        (g) => html`<tr><th scope="row">${g.name}</th><td>${rag(g.rollUp.status)}</td>
          <td>${g.rollUp.counts.green} / ${g.rollUp.counts.amber} / ${g.rollUp.counts.red} / ${g.rollUp.counts.grey}</td><td>${groupTravel(g, byId)}</td></tr>`,
      )}</tbody>
    </table>
    <table>
      <caption>Public Service Agreements</caption>
      <thead><tr><th scope="col">PSA</th><th scope="col">RAG</th><th scope="col">G / A / R / Grey</th></tr></thead>
      <tbody>${summary.psas.map(
        (g) => html`<tr><th scope="row">${g.name}</th><td>${rag(g.rollUp.status)}</td><td>${g.rollUp.counts.green} / ${g.rollUp.counts.amber} / ${g.rollUp.counts.red} / ${g.rollUp.counts.grey}</td></tr>`,
      )}</tbody>
    </table>
    ${summary.priorityAreas.map(
      (g) => html`<section class="group">
      <h2>${g.name} ${rag(g.rollUp.status)}</h2>
      <p>${g.rollUp.reason}</p>
      <table>
        <thead><tr><th scope="col">Measure</th><th scope="col">RAG</th><th scope="col" class="number">Value</th><th scope="col">Target</th><th scope="col">On last year</th><th scope="col">Latest figure from</th></tr></thead>
        <tbody>${g.measureIds.flatMap((id) => {
          const m = byId.get(id);
          return m
            ? [
                html`<tr><th scope="row">${m.measureId}<br><span class="muted">${m.name}</span></th><td>${rag(m.rag.status)}</td><td class="number">${valueText(m.rag.value, m.unit)}</td>
              <td>${targetText(m)}</td><td>${m.travel?.short ? travelText(m.travel.short.direction) : '–'}</td><td>${latestSource(context, m)}</td></tr>`,
              ]
            : [];
        })}</tbody>
      </table>
    </section>`,
    )}
    ${revisionsList(summary)}`;
}
