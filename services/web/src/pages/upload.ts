import { randomUUID } from 'node:crypto';
import type { Catalogue } from '@beacon/catalogue';
import type { Actor } from '@beacon/events';
import type { IngestOutcome } from '@beacon/return-intake';
import { readReturn, type ReturnRow } from '@beacon/returns';
import { type Html, html } from '../html.js';
import { href } from '../layout.js';
import { dayName, momentName, numberText } from '../words.js';

/** A checked file waiting for its sender to confirm it: kept in memory, not stored. */
export interface PendingUpload {
  bytes: Buffer;
  fileName: string;
  agency: string;
  /** The signed-in sender who checked it: only they may confirm it. */
  submitter: Actor;
  sheet: string | undefined;
  expires: number;
}

const KEEP_MS = 60 * 60 * 1000;
const MAX_PENDING_BYTES = 200 * 1024 * 1024;

/**
 * Files checked by a dry run, until their sender confirms them (a browser cannot send the same
 * file again without asking its user to choose it again). An hour each, at most 200 MB in all:
 * the oldest go first. Confirming sends the very bytes that were checked.
 */
export class PendingUploads {
  private readonly uploads = new Map<string, PendingUpload>();

  keep(upload: Omit<PendingUpload, 'expires'>, now = Date.now()): string {
    this.expire(now);
    let total = upload.bytes.length;
    for (const u of this.uploads.values()) total += u.bytes.length;
    for (const [token, u] of this.uploads) {
      if (total <= MAX_PENDING_BYTES) break;
      this.uploads.delete(token);
      total -= u.bytes.length;
    }
    const token = randomUUID();
    this.uploads.set(token, { ...upload, expires: now + KEEP_MS });
    return token;
  }

  /** The upload, taken out (a confirmation is used once), or undefined when unknown or expired. */
  take(token: string, now = Date.now()): PendingUpload | undefined {
    this.expire(now);
    const upload = this.uploads.get(token);
    this.uploads.delete(token);
    return upload;
  }

  private expire(now: number): void {
    for (const [token, u] of this.uploads) if (u.expires <= now) this.uploads.delete(token);
  }
}

/** The rows shown beside the result, at most this many (a return has a few dozen). */
const ROWS_SHOWN = 1_000;

/** The readable rows of a file, to show beside the result of the check. */
export async function rowsOf(bytes: Buffer, fileName: string, sheet: string | undefined): Promise<ReturnRow[]> {
  const rows: ReturnRow[] = [];
  for await (const item of readReturn({ bytes }, { fileName, ...(sheet && { sheet }) })) {
    if (item.kind === 'row') rows.push(item.row);
    if (rows.length >= ROWS_SHOWN) break;
  }
  return rows;
}

export interface UploadFormValues {
  agency?: string | undefined;
  /** The sender's own agency (a data officer's): the only one offered. */
  ownAgency?: string | undefined;
  /** The session's CSRF token, sent with the form (in the address, as the form is multipart). */
  csrf?: string | undefined;
}

export function uploadForm(catalogue: Catalogue, values: UploadFormValues, heading = 'Choose the return'): Html {
  const agencies = values.ownAgency ? catalogue.agencies.filter((a) => a.id === values.ownAgency) : catalogue.agencies;
  const chosen = values.agency ?? values.ownAgency;
  return html`<h2>${heading}</h2>
  <form class="upload" method="post" action="${href('/upload', { _csrf: values.csrf })}" enctype="multipart/form-data">
    <label>Agency
      <select name="agency" required>
        ${!chosen && html`<option value="">Choose your agency</option>`}
        ${agencies.map((a) => html`<option value="${a.id}"${a.id === chosen ? html` selected` : ''}>${a.name}</option>`)}
      </select>
    </label>
    <label>Sheet (Excel files only; default: the first sheet)
      <input name="sheet">
    </label>
    <label>Return file (CSV or Excel .xlsx)
      <input type="file" name="file" required accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet">
    </label>
    <p><button type="submit">Check the return</button> <span class="muted">Nothing is stored until you confirm.</span></p>
  </form>`;
}

export function uploadIntro(catalogue: Catalogue, values: UploadFormValues, problem?: string): Html {
  return html`<h1>Upload a return</h1>
    <p>A return is a CSV or Excel file with one reading per row. Beacon checks every row first and shows you the result, row by row;
      nothing is stored until you confirm, and a return with any problem is never stored. The rules are the same as for
      <code>beacon ingest</code> and the returns endpoint.</p>
    <p>Your agency’s blank return: ${catalogue.agencies.map((a, i) => html`${i > 0 ? ', ' : ''}<a href="${href('/upload/template.csv', { agency: a.id })}">${a.name}</a>`)}.</p>
    ${problem && html`<p class="notice problem" role="alert"><strong>Not checked:</strong> ${problem}</p>`}
    ${uploadForm(catalogue, values)}`;
}

interface RowResult {
  row: number;
  cells: ReturnRow | undefined;
  lines: Html[];
  bad: boolean;
}

/** Every row of the file with what the check found in it. */
function rowResults(outcome: IngestOutcome, rows: readonly ReturnRow[]): RowResult[] {
  const byRow = new Map<number, RowResult>();
  const at = (row: number) => {
    let result = byRow.get(row);
    if (!result) {
      result = { row, cells: undefined, lines: [], bad: false };
      byRow.set(row, result);
    }
    return result;
  };
  for (const cells of rows) at(cells.row).cells = cells;
  if (outcome.status === 'rejected') {
    for (const p of outcome.problems) {
      const result = at(p.row);
      result.bad = true;
      result.lines.push(html`<span class="rag rag-red"><span aria-hidden="true">✖</span> PROBLEM</span> ${p.column && html`<strong>${p.column}</strong> `}${p.value && html`“${p.value}”: `}${p.reason}. <em>To fix:</em> ${p.fix}.`);
    }
  }
  if (outcome.status === 'valid' || outcome.status === 'accepted') {
    for (const c of outcome.corrections) {
      at(c.row).lines.push(html`↻ corrects ${c.measureId} ${c.area}: was ${numberText(c.was.value)} (return <code>${c.was.returnId}</code>, row ${c.was.row}, ${dayName(c.was.recordedAt)}), now ${numberText(c.now)}`);
    }
  }
  for (const w of outcome.warnings) at(w.row).lines.push(html`<span aria-hidden="true">⚠</span> Note: ${w.column && html`<strong>${w.column}</strong> `}${w.message}`);
  for (const result of byRow.values()) if (!result.bad) result.lines.unshift(html`<span class="rag rag-green"><span aria-hidden="true">✔</span> OK</span>`);
  return [...byRow.values()].sort((a, b) => a.row - b.row);
}

function rowTable(outcome: IngestOutcome, rows: readonly ReturnRow[]): Html {
  const results = rowResults(outcome, rows);
  return html`<table class="rows">
    <caption>Row by row (as your spreadsheet numbers them: the header is row 1)</caption>
    <thead><tr><th scope="col" class="number">Row</th><th scope="col">Measure</th><th scope="col">Area</th><th scope="col">Period</th><th scope="col" class="number">Value</th><th scope="col">Note</th><th scope="col">Result</th></tr></thead>
    <tbody>${results.map(
      (r) => html`<tr class="${r.bad ? 'row-problem' : 'row-ok'}"><th scope="row" class="number">${r.row}</th>
        <td>${r.cells?.measure}</td><td>${r.cells?.area}</td><td>${r.cells && `${dayName(r.cells.periodStart)} to ${dayName(r.cells.periodEnd)}`}</td>
        <td class="number">${r.cells && numberText(r.cells.value)}</td><td class="text note">${r.cells?.note}</td>
        <td>${r.lines.map((line, i) => html`${i > 0 ? html`<br>` : ''}${line}`)}</td></tr>`,
    )}</tbody>
  </table>`;
}

/** The dry run's answer: every problem by row, or what storing the file would record, with the button to confirm. */
export function checkedPage(catalogue: Catalogue, outcome: IngestOutcome, rows: readonly ReturnRow[], values: UploadFormValues, token: string | undefined): Html {
  const agency = catalogue.agency(outcome.agency)?.name ?? outcome.agency;
  let verdict: Html;
  switch (outcome.status) {
    case 'rejected': {
      const rowsWithProblems = new Set(outcome.problems.map((p) => p.row)).size;
      const total = outcome.problems.length + outcome.problemsNotListed;
      verdict = html`<p class="notice problem" role="alert"><strong>Rejected:</strong> “${outcome.fileName}” has ${total} ${total === 1 ? 'problem' : 'problems'}
        in ${rowsWithProblems} ${rowsWithProblems === 1 ? 'row' : 'rows'}, so it cannot be stored. Fix every row marked PROBLEM and choose the whole file again.
        ${outcome.problemsNotListed > 0 && html`(The first ${outcome.problems.length} are listed.)`}</p>`;
      break;
    }
    case 'already-received':
      verdict = html`<p class="notice" role="status"><strong>Already received:</strong> “${outcome.fileName}” (${outcome.readings} readings) was first received on
        ${momentName(outcome.firstReceivedAt)} as return <code>${outcome.returnId}</code>. Sending it again would store nothing.</p>`;
      break;
    case 'valid':
    case 'accepted':
      verdict = html`<div class="notice ok" role="status"><p><strong>Valid:</strong> “${outcome.fileName}” from ${agency} is ready to store:
        ${outcome.readings} ${outcome.readings === 1 ? 'reading' : 'readings'}${outcome.corrections.length > 0 && html`, of which ${outcome.corrections.length} ${outcome.corrections.length === 1 ? 'corrects a figure' : 'correct figures'} already on record`}.
        Nothing is stored yet.</p>
        ${
          token &&
          html`<form method="post" action="/upload/confirm"><input type="hidden" name="token" value="${token}">${values.csrf && html`<input type="hidden" name="_csrf" value="${values.csrf}">`}
          <button type="submit">Store this return</button> <a href="/upload">Cancel</a></form>`
        }</div>`;
  }
  return html`<h1>Upload a return: the check</h1>
    ${verdict}
    ${rowTable(outcome, rows)}
    ${uploadForm(catalogue, values, outcome.status === 'rejected' ? 'Choose the fixed file' : 'Choose another file')}`;
}
