import { monthClose } from '@beacon/reporter-service';
import { monthEndFrom } from '@beacon/periods';
import type { Changes } from '@beacon/reports';
import { z } from 'zod';
import { type DashboardContext, Moment, PageProblem, parseQuery, type View } from '../context.js';
import { type Html, html } from '../html.js';
import { dayName, momentName, monthName, numberText, periodName, rag } from '../words.js';
import { viewForm } from './common.js';
import { measureHref } from './summary.js';

const blank = (value: unknown) => (value === '' ? undefined : value);
const ChangesQuery = z.object({ from: z.preprocess(blank, Moment.optional()), to: z.preprocess(blank, Moment.optional()) });

/**
 * The last month close at or before a moment, as the reporter closes months (00:00 UTC on
 * BEACON_MONTH_CLOSE_DAY of the month after): the month closed, the close, and the day before
 * it, whose end ("as at" that date) is the close.
 */
export function lastMonthClose(moment: string, closeDay: number): { month: string; close: string; dayBefore: string } {
  const at = new Date(moment.length === 10 ? `${moment}T23:59:59.999Z` : moment).toISOString();
  const month = (back: number) => monthEndFrom(`${at.slice(0, 7)}-01`, -back).slice(0, 7);
  const closed = monthClose(month(1), closeDay) <= at ? month(1) : month(2);
  const close = monthClose(closed, closeDay);
  return { month: closed, close, dayBefore: new Date(Date.parse(close) - 1).toISOString().slice(0, 10) };
}

const KIND = { priority_area: 'Priority area', psa: 'PSA', measure: 'Measure' } as const;

export async function changesPage(context: DashboardContext, view: View, query: unknown, closeDay: number): Promise<Html> {
  const q = parseQuery(ChangesQuery, query);
  // "As at" is where the comparison ends, unless an end is chosen.
  const to = q.to ?? view.asAt;
  const close = lastMonthClose(to ?? new Date().toISOString(), closeDay);
  const from = q.from ?? close.dayBefore;
  if (to !== undefined && from > to) throw new PageProblem(400, `"from" (${from}) is after "to" (${to}): choose an earlier start.`);
  let changes: Changes;
  try {
    changes = await context.queries.changes({ area: view.area, period: view.period, from, ...(to && { to }) });
  } catch (error) {
    if (error instanceof RangeError) throw new PageProblem(400, error.message);
    throw error;
  }
  const agencyName = (id: string) => context.catalogue.agency(id)?.name ?? id;
  return html`
    <h1>What changed: ${context.catalogue.area(view.area)?.name}, ${monthName(changes.date)}</h1>
    ${viewForm(context.catalogue, view, '/changes', {
      extra: html`<label>From the end of <input type="date" name="from" value="${from}"></label>
      <label>To the end of <input type="date" name="to" value="${q.to}"></label>`,
    })}
    <p>Between ${q.from ? html`the end of ${dayName(from)}` : html`the last month close (${momentName(close.close)}, when ${monthName(`${close.month}-01`)} closed)`} and ${to ? html`the end of ${dayName(to)}` : 'now'}.</p>

    <h2>Statuses that moved</h2>
    ${
      changes.statusChanges.length === 0
        ? html`<p>No status moved.</p>`
        : html`<table>
      <thead><tr><th scope="col">What</th><th scope="col">Name</th><th scope="col">Was</th><th scope="col">Now</th><th scope="col">Why</th></tr></thead>
      <tbody>${changes.statusChanges.map(
        (c) => html`<tr><td>${KIND[c.kind]}</td><th scope="row">${c.kind === 'measure' ? html`<a href="${measureHref(c.id, view)}">${c.id}</a>` : c.name}</th>
          <td>${rag(c.was)}</td><td>${rag(c.now)}</td><td>${c.reason}</td></tr>`,
      )}</tbody>
    </table>`
    }

    <h2>Corrections</h2>
    ${
      changes.corrections.length === 0
        ? html`<p>No figure was corrected.</p>`
        : html`<table>
      <thead><tr><th scope="col">Measure</th><th scope="col">Area</th><th scope="col">Period</th><th scope="col" class="number">Was</th><th scope="col" class="number">Now</th><th scope="col">Agency</th><th scope="col">Corrected</th><th scope="col">By return</th></tr></thead>
      <tbody>${changes.corrections.map(
        (c) => html`<tr><th scope="row"><a href="${measureHref(c.measureId, view)}">${c.measureId}</a></th><td>${c.area}</td><td>${periodName(c.period)}</td>
          <td class="number">${numberText(c.was.value)}</td><td class="number">${numberText(c.now.value)}</td><td>${agencyName(c.agency)}</td>
          <td>${momentName(c.correctedAt)}</td><td><code>${c.now.returnId}</code>, row ${c.now.row}</td></tr>`,
      )}</tbody>
    </table>`
    }

    <h2>Returns received</h2>
    ${
      changes.returns.length === 0
        ? html`<p>No return was received.</p>`
        : html`<table>
      <thead><tr><th scope="col">File</th><th scope="col">Agency</th><th scope="col">Sent by</th><th scope="col" class="number">Readings</th><th scope="col">Period</th><th scope="col">Received</th></tr></thead>
      <tbody>${changes.returns.map(
        (r) => html`<tr><td class="text">${r.fileName}</td><td>${agencyName(r.agency)}</td><td>${r.submitter}</td><td class="number">${r.readingCount}</td>
          <td>${periodName(r.period)}</td><td>${momentName(r.recordedAt)}</td></tr>`,
      )}</tbody>
    </table>`
    }

    <h2>Overdue returns</h2>
    ${
      changes.overdue.length === 0
        ? html`<p>Nothing is overdue for ${monthName(changes.date)}.</p>`
        : html`<table>
      <thead><tr><th scope="col">Measure</th><th scope="col">Owed by</th><th scope="col">Missing</th></tr></thead>
      <tbody>${changes.overdue.map(
        (o) => html`<tr><th scope="row"><a href="${measureHref(o.measureId, view)}">${o.measureId}</a> <span class="muted">${o.name}</span></th>
          <td>${o.owners.map(agencyName).join(', ')}</td>
          <td>${o.missing.map((m, i) => html`${i > 0 ? '; ' : ''}${m.area}: ${m.periods.map(periodName).join(', ')}`)}</td></tr>`,
      )}</tbody>
    </table>`
    }`;
}
