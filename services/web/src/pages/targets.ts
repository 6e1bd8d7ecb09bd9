import type { Catalogue } from '@beacon/catalogue';
import type { TargetOnRecord } from '@beacon/reports';
import { type Html, html } from '../html.js';
import { href } from '../layout.js';
import { dayName, momentName, periodName, valueText } from '../words.js';

/** A target in force (the latest version of it), and who recorded that version when the audit trail knows. */
export interface TargetInForce extends TargetOnRecord {
  setBy: string | undefined;
}

/** What the form holds: as sent back after a problem, or the defaults (the financial year). */
export interface TargetFormValues {
  measure?: string | undefined;
  area?: string | undefined;
  start?: string | undefined;
  end?: string | undefined;
  value?: string | undefined;
  direction?: string | undefined;
  toleranceType?: string | undefined;
  tolerance?: string | undefined;
  note?: string | undefined;
}


const selected = (yes: boolean) => (yes ? html` selected` : '');

/** "15 per 1,000", "reduce on 350", with the Amber tolerance. */
export function targetWords(catalogue: Catalogue, t: TargetOnRecord): string {
  const unit = catalogue.measureById(t.measureId)?.measure.unit ?? 'count';
  const what = t.kind === 'value' ? valueText(t.value, unit) : `${t.direction ?? 'reduce'}${t.baseline ? ` on ${valueText(t.baseline.value, unit)}` : ''}`;
  return what;
}

export function toleranceWords(catalogue: Catalogue, t: TargetOnRecord): string {
  if (!t.tolerance) return '–';
  const unit = catalogue.measureById(t.measureId)?.measure.unit ?? 'count';
  return t.tolerance.type === 'relative' ? `within ${Math.round(t.tolerance.value * 1000) / 10}%` : `within ${valueText(t.tolerance.value, unit)}`;
}

function targetsTable(catalogue: Catalogue, targets: readonly TargetInForce[], canSet: boolean): Html {
  if (targets.length === 0) return html`<p>No targets are recorded yet.</p>`;
  return html`<table>
    <caption>Targets in force, by measure and area</caption>
    <thead><tr><th scope="col">Measure</th><th scope="col">Area</th><th scope="col">Period</th><th scope="col">Target</th><th scope="col">Amber tolerance</th><th scope="col">Source</th><th scope="col" class="number">Version</th><th scope="col">Set by</th>${canSet && html`<th scope="col"><span class="skip">Revise</span></th>`}</tr></thead>
    <tbody>${targets.map(
      (t) => html`<tr>
        <th scope="row"><a href="${href(`/measures/${encodeURIComponent(t.measureId)}`, { area: t.area })}">${t.measureId}</a> <span class="muted">${catalogue.measureById(t.measureId)?.measure.name}</span></th>
        <td>${catalogue.area(t.area)?.name ?? t.area}</td>
        <td>${periodName(t.period)}</td>
        <td>${targetWords(catalogue, t)}</td>
        <td>${toleranceWords(catalogue, t)}</td>
        <td>${t.source}</td>
        <td class="number">${t.version}</td>
        <td>${t.setBy ?? '–'} <span class="muted">${momentName(t.recordedAt)}</span></td>
        ${
          canSet &&
          html`<td><a href="${href('/targets', { measure: t.measureId, area: t.area, start: t.period.start, end: t.period.end })}#set">Revise</a></td>`
        }
      </tr>`,
    )}</tbody>
  </table>`;
}

function targetForm(catalogue: Catalogue, values: TargetFormValues, csrf: string | undefined, problem: string | undefined): Html {
  return html`<h2 id="set">Set or revise a target</h2>
    ${problem && html`<p class="notice problem" role="alert"><strong>The target was not recorded.</strong> ${problem}</p>`}
    <p>A target for a measure, area and period that already has one makes its next version; reports “as at” an earlier moment keep the version in force then. Give a value or a direction, not both.</p>
    <form class="upload" method="post" action="/targets">
      ${csrf && html`<input type="hidden" name="_csrf" value="${csrf}">`}
      <label>Measure
        <select name="measure" required>${catalogue.measures.map((m) => html`<option value="${m.id}"${selected(m.id === values.measure)}>${m.id}: ${m.name}</option>`)}</select>
      </label>
      <label>Area
        <select name="area" required>${catalogue.areas.map((a) => html`<option value="${a.id}"${selected(a.id === values.area)}>${a.name} (${a.id})</option>`)}</select>
      </label>
      <label>Period from <input type="date" name="start" value="${values.start}" required></label>
      <label>Period to <input type="date" name="end" value="${values.end}" required></label>
      <label>Target value <input type="text" inputmode="decimal" name="value" value="${values.value}"></label>
      <label>or direction
        <select name="direction">
          <option value="">(a value is given)</option>
          <option value="reduce"${selected(values.direction === 'reduce')}>reduce</option>
          <option value="increase"${selected(values.direction === 'increase')}>increase</option>
        </select>
      </label>
      <label>Amber tolerance (optional; blank keeps the version before's) <input type="text" inputmode="decimal" name="tolerance" value="${values.tolerance}"></label>
      <label>Tolerance is
        <select name="toleranceType">
          <option value="relative"${selected(values.toleranceType !== 'absolute')}>a percentage of the target</option>
          <option value="absolute"${selected(values.toleranceType === 'absolute')}>in the measure’s own unit</option>
        </select>
      </label>
      <label>Note (optional) <input type="text" name="note" maxlength="1000" value="${values.note}"></label>
      <div><button type="submit">Record the target</button></div>
    </form>`;
}

export interface TargetsPageOptions {
  targets: readonly TargetInForce[];
  /** Whether the viewer may set targets (an analyst): the form is shown only then. */
  canSet: boolean;
  values: TargetFormValues;
  csrf: string | undefined;
  problem?: string | undefined;
  /** The target just recorded, for the confirmation. */
  recorded?: TargetInForce | undefined;
}

export function targetsPage(catalogue: Catalogue, options: TargetsPageOptions): Html {
  const { recorded } = options;
  return html`
    ${
      recorded &&
      html`<p class="notice ok" role="status"><strong>Target recorded.</strong> ${recorded.measureId} for ${catalogue.area(recorded.area)?.name ?? recorded.area}, ${dayName(recorded.period.start)} to ${dayName(recorded.period.end)}:
      ${targetWords(catalogue, recorded)}${recorded.tolerance ? `, Amber ${toleranceWords(catalogue, recorded)}` : ''} (version ${recorded.version}). The summary uses it from now on.</p>`
    }
    <h1>Targets</h1>
    ${options.canSet ? '' : html`<p class="muted">Only analysts may set or revise targets; this page shows them.</p>`}
    ${targetsTable(catalogue, options.targets, options.canSet)}
    ${options.canSet && targetForm(catalogue, options.values, options.csrf, options.problem)}`;
}
