import type { Catalogue } from '@beacon/catalogue';
import type { MeasureStatus } from '@beacon/reports';
import type { View } from '../context.js';
import { type Html, html } from '../html.js';
import { monthName, valueText } from '../words.js';

const selected = (yes: boolean) => (yes ? html` selected` : '');

/** The area, month and rule pickers; the moment rides along so "as at" stays chosen. */
export function viewForm(catalogue: Catalogue, view: View, action: string, options: { rule?: boolean; extra?: Html } = {}): Html {
  const months = view.months.includes(view.period) ? view.months : [view.period, ...view.months];
  return html`<form class="choose" method="get" action="${action}">
    <label>Area
      <select name="area">${catalogue.areas.map((a) => html`<option value="${a.id}"${selected(a.id === view.area)}>${a.name} (${a.id})</option>`)}</select>
    </label>
    <label>Month
      <select name="period">${months.map((m) => html`<option value="${m}"${selected(m === view.period)}>${monthName(`${m}-01`)}</option>`)}</select>
    </label>
    ${
      options.rule &&
      html`<label>Roll-up rule
      <select name="rule">
        <option value="worst"${selected(view.rule !== 'majority')}>worst of its measures</option>
        <option value="majority"${selected(view.rule === 'majority')}>majority of its measures</option>
      </select>
    </label>`
    }
    ${options.extra}
    ${view.asAt && html`<input type="hidden" name="asAt" value="${view.asAt}">`}
    <button type="submit">Show</button>
  </form>`;
}

/** What a measure was rated against, in words: "13.7 per 1,000 (police target)", "reduce on 2009/10's 350". */
export function targetText(status: MeasureStatus): string {
  const target = status.provenance.target;
  if (!target) return 'no target';
  const from = target.inheritedFrom ? `, ${target.inheritedFrom.area}'s` : '';
  if (target.kind === 'value') return `${valueText(target.value, status.unit)} (${target.source}${from})`;
  const baseline = target.baseline ? ` on ${valueText(target.baseline.value, status.unit)}` : '';
  return `${target.direction ?? 'reduce'}${baseline} (${target.source}${from})`;
}
