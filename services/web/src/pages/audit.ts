import type { Catalogue } from '@beacon/catalogue';
import type { AuditEntry } from '@beacon/read-models';
import { type Html, html } from '../html.js';
import { href } from '../layout.js';
import { momentName, periodName } from '../words.js';

/** The audit page's filter as the form sends it (dates as YYYY-MM-DD, or ISO 8601 moments). */
export interface AuditQuery {
  measure?: string | undefined;
  agency?: string | undefined;
  person?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

const selected = (yes: boolean) => (yes ? html` selected` : '');
const shown = (value: string | number | null) => (value === null || value === '' ? '–' : String(value));

function filterForm(catalogue: Catalogue, query: AuditQuery): Html {
  return html`<form class="choose" method="get" action="/audit" aria-label="Filter the audit trail">
    <label>Measure
      <select name="measure"><option value="">any</option>${catalogue.measures.map((m) => html`<option value="${m.id}"${selected(m.id === query.measure)}>${m.id}</option>`)}</select>
    </label>
    <label>Agency
      <select name="agency"><option value="">any</option>${catalogue.agencies.map((a) => html`<option value="${a.id}"${selected(a.id === query.agency)}>${a.name}</option>`)}</select>
    </label>
    <label>Person (user name) <input type="text" name="person" value="${query.person}"></label>
    <label>From <input type="date" name="from" value="${query.from}"></label>
    <label>To <input type="date" name="to" value="${query.to}"></label>
    <button type="submit">Show</button>
    ${Object.values(query).some((v) => v) && html`<a href="/audit">Clear</a>`}
  </form>`;
}

function entriesTable(catalogue: Catalogue, entries: readonly AuditEntry[]): Html {
  if (entries.length === 0) return html`<p>Nothing in the audit trail matches this filter.</p>`;
  return html`<table>
    <caption>Changes and refusals, newest first</caption>
    <thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">Kind</th><th scope="col">About</th><th scope="col">What</th><th scope="col">From → to</th></tr></thead>
    <tbody>${entries.map((e) => {
      const about = [e.measure, e.area && (catalogue.area(e.area)?.name ?? e.area), e.period && periodName(e.period), e.agency && (catalogue.agency(e.agency)?.name ?? e.agency)]
        .filter((part) => part)
        .join(', ');
      return html`<tr>
        <td>${momentName(e.recordedAt)}</td>
        <td>${e.person}</td>
        <td>${e.kind}</td>
        <td>${about || '–'}</td>
        <td class="text">${e.what}</td>
        <td>${shown(e.was)} → ${shown(e.now)}</td>
      </tr>`;
    })}</tbody>
  </table>`;
}

export function auditPage(catalogue: Catalogue, query: AuditQuery, entries: readonly AuditEntry[], limit: number): Html {
  return html`<h1>Audit trail</h1>
    <p>Who changed a figure or a target, when, and from what to what; and who opened or closed accounts and tokens, or was refused.</p>
    ${filterForm(catalogue, query)}
    <ul class="exports no-print"><li><a href="${href('/audit.csv', { ...query })}" download>Download these entries (CSV)</a></li></ul>
    ${entries.length >= limit && html`<p class="notice" role="status">Showing the newest ${limit} entries only: narrow the filter, or download the CSV, to see the rest.</p>`}
    ${entriesTable(catalogue, entries)}`;
}
