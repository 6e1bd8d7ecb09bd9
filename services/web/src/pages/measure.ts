import { monthEndFrom } from '@beacon/periods';
import type { MeasureHistory, MeasureStatus } from '@beacon/reports';
import { historyChart, swatch } from '../chart.js';
import { type DashboardContext, PageProblem, type View } from '../context.js';
import { type Html, html } from '../html.js';
import { href } from '../layout.js';
import { dayName, momentName, monthName, numberText, periodName, rag, ragText, shortMonth, travelText, valueText } from '../words.js';
import { targetText, viewForm } from './common.js';

/** Three years on the chart: the plan's whole span. */
const MONTHS_SHOWN = 36;

function firstMonth(view: View): string {
  const start = monthEndFrom(`${view.period}-01`, 1 - MONTHS_SHOWN).slice(0, 7);
  const earliest = view.months.at(-1);
  return earliest && earliest > start ? earliest : start;
}

export function historyOf(context: DashboardContext, measureId: string, view: View): Promise<MeasureHistory> {
  const measure = context.catalogue.measureById(measureId)?.measure;
  if (!measure || measure.id !== measureId) throw new PageProblem(404, `There is no measure "${measureId}" in Beacon's catalogue.`);
  if (measure.subMeasures.length > 0) {
    throw new PageProblem(404, `${measure.id} is rated through its sub-measures: ${measure.subMeasures.join(', ')}. Open one of them.`);
  }
  return context.queries.history({ measureId, area: view.area, from: firstMonth(view), to: view.period, ...(view.asAt && { asAt: view.asAt }) });
}

const toleranceText = ({ provenance: { tolerance }, unit }: MeasureStatus) =>
  tolerance.type === 'relative' ? `${numberText(Math.round(tolerance.value * 1000) / 10)}%` : valueText(tolerance.value, unit);

/** Where the latest figure came from: the readings of the latest period that went into it. */
function provenance(context: DashboardContext, status: MeasureStatus): Html {
  const readings = status.provenance.readings;
  const latestEnd = readings.map((r) => r.period.end).sort().at(-1);
  const latest = readings.filter((r) => r.period.end === latestEnd);
  const target = status.provenance.target;
  return html`<h2 id="provenance">Where the latest figure comes from</h2>
    ${
      latest.length === 0
        ? html`<p>No reading went into this month's figure.</p>`
        : html`<table>
      <caption>The latest readings behind ${monthName(status.date)}'s figure (${readings.length} ${readings.length === 1 ? 'reading' : 'readings'} in all)</caption>
      <thead><tr><th scope="col">Area</th><th scope="col">Period</th><th scope="col" class="number">Value</th><th scope="col">Return</th><th scope="col" class="number">Row</th><th scope="col">Agency</th><th scope="col">Recorded</th></tr></thead>
      <tbody>${latest.map(
        (r) => html`<tr><td>${r.area}</td><td>${periodName(r.period)}</td><td class="number">${numberText(r.value)}</td>
          <td><code>${r.returnId}</code></td><td class="number">${r.row}</td><td>${context.catalogue.agency(r.agency)?.name ?? r.agency}</td><td>${momentName(r.recordedAt)}</td></tr>`,
      )}</tbody>
    </table>`
    }
    <dl class="facts">
      <dt>Target</dt><dd>${target ? html`${targetText(status)}: ${target.id}, version ${target.version}, recorded ${dayName(target.recordedAt)}${target.carriedForward ? ' (carried forward)' : ''}` : 'none'}</dd>
      <dt>Rule</dt><dd>${status.provenance.rule}, tolerance ${toleranceText(status)}</dd>
      <dt>Why</dt><dd>${status.rag.reason}</dd>
      ${status.travel?.short && html`<dt>On last year</dt><dd>${travelText(status.travel.short.direction)}: ${status.travel.short.reason}</dd>`}
      ${status.travel?.long && html`<dt>On the previous four periods</dt><dd>${travelText(status.travel.long.direction)}: ${status.travel.long.reason}</dd>`}
    </dl>
    ${status.notes.length > 0 && html`<ul>${status.notes.map((n) => html`<li>${n}</li>`)}</ul>`}`;
}

export async function measurePage(context: DashboardContext, measureId: string, view: View): Promise<Html> {
  const history = await historyOf(context, measureId, view);
  const latest = history.latest;
  const unit = latest.unit;
  const query = { area: view.area, period: view.period, asAt: view.asAt };
  return html`
    <p class="no-print"><a href="${href('/', query)}">← Summary</a></p>
    <h1>${history.measureId}: ${history.name}</h1>
    ${viewForm(context.catalogue, view, `/measures/${encodeURIComponent(history.measureId)}`)}
    <p class="lead">${context.catalogue.area(view.area)?.name}, ${monthName(latest.date)}: <strong>${valueText(latest.rag.value, unit)}</strong> ${rag(latest.rag.status)}
      <span class="muted">(${latest.ratedOn === 'rolling' ? 'rolling value' : 'financial year to date'}; ${history.polarity === 'down' ? 'lower is better' : 'higher is better'})</span></p>
    ${history.forecast?.straightLine && html`<p>Forecast outturn for ${dayName(history.forecast.outturnDate)}: ${valueText((history.forecast.seasonal ?? history.forecast.straightLine).value, unit)} (${(history.forecast.seasonal ?? history.forecast.straightLine).method}).</p>`}
    <figure class="chart">
      ${historyChart(history)}
      <figcaption>
        <ul class="legend">
          <li>${swatch('value')} rolling value</li><li>${swatch('band')} 95% interval</li><li>${swatch('target')} target</li><li>${swatch('trajectory')} trajectory</li>
          <li>${swatch('green')} ${ragText('green')}</li><li>${swatch('amber')} ${ragText('amber')}</li><li>${swatch('red')} ${ragText('red')}</li><li>${swatch('grey')} ${ragText('grey')}</li>
        </ul>
      </figcaption>
    </figure>
    <ul class="exports no-print"><li><a href="${href(`/export/measures/${encodeURIComponent(history.measureId)}.csv`, query)}" download>Download the readings (CSV)</a></li></ul>
    ${provenance(context, latest)}
    <h2 id="months">Month by month</h2>
    <table>
      <caption>${history.measureId} for ${view.area}: the figure, its 95% interval, the target and trajectory, and the RAG of each month</caption>
      <thead><tr><th scope="col">Month</th><th scope="col" class="number">Value</th><th scope="col">95% interval</th><th scope="col" class="number">Target</th><th scope="col" class="number">Trajectory</th><th scope="col">RAG</th><th scope="col">Why</th></tr></thead>
      <tbody>${[...history.points].reverse().map(
        (p) => html`<tr><th scope="row">${shortMonth(p.date)}</th><td class="number">${valueText(p.value, unit)}</td>
          <td>${p.interval ? `${valueText(p.interval.lower, unit)} to ${valueText(p.interval.upper, unit)}` : '–'}</td>
          <td class="number">${valueText(p.target, unit)}</td><td class="number">${valueText(p.trajectory, unit)}</td><td>${rag(p.status)}</td><td>${p.reason}</td></tr>`,
      )}</tbody>
    </table>
    <h2 id="readings">Readings</h2>
    <table>
      <caption>The readings in force for these months, as returned, with their notes</caption>
      <thead><tr><th scope="col">Area</th><th scope="col">Period</th><th scope="col" class="number">Value</th><th scope="col">Agency</th><th scope="col">Return, row</th><th scope="col">Recorded</th><th scope="col">Note</th></tr></thead>
      <tbody>${[...history.readings].reverse().map(
        (r) => html`<tr><td>${r.area}</td><td>${periodName(r.period)}</td><td class="number">${numberText(r.value)}</td><td>${r.agency}</td>
          <td><code>${r.returnId}</code>, ${r.row}</td><td>${momentName(r.recordedAt)}</td><td class="text note">${r.note}</td></tr>`,
      )}</tbody>
    </table>`;
}
