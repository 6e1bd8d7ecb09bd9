import type { RagStatus } from '@beacon/progress';
import type { HistoryPoint, MeasureHistory } from '@beacon/reports';
import { type Html, html } from './html.js';
import { numberText, RAG_WORDS, ragText, shortMonth, valueText } from './words.js';

/**
 * A measure's history as an SVG drawn on the server: the 95% interval band, the rolling value,
 * the target and the trajectory, and each month's RAG as a marker whose shape (not only its
 * colour) tells the status, so it reads in black and white. A table of the same figures goes
 * beside it for screen readers.
 */

const WIDTH = 760;
const HEIGHT = 320;
const M = { top: 22, right: 16, bottom: 36, left: 64 };
const PLOT_W = WIDTH - M.left - M.right;
const PLOT_H = HEIGHT - M.top - M.bottom;

const UNIT_LABEL: Record<MeasureHistory['latest']['unit'], string> = {
  count: 'count',
  percent: '%',
  rate_per_1000: 'per 1,000 population',
  rate_per_100000: 'per 100,000 population',
};

export const RAG_FILL: Record<RagStatus, string> = { green: '#1e6b34', amber: '#f2b705', red: '#b0281c', grey: '#ffffff' };

/** Round tick steps (1, 2, 2.5, 5 × 10^n) giving about five ticks. */
function ticks(min: number, max: number): number[] {
  const span = max - min || Math.abs(max) || 1;
  const raw = span / 5;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let t = Math.ceil(min / step) * step; t <= max + step * 1e-9; t += step) out.push(Number(t.toPrecision(12)));
  return out;
}

const fmt = (n: number) => n.toFixed(1);

/** A path through the points that have a value, broken where one is missing. */
function linePath(points: ReadonlyArray<{ x: number; y: number | null }>): string {
  let d = '';
  let drawing = false;
  for (const p of points) {
    if (p.y === null) {
      drawing = false;
      continue;
    }
    d += `${drawing ? 'L' : 'M'}${fmt(p.x)},${fmt(p.y)}`;
    drawing = true;
  }
  return d;
}

/** The band between the interval's limits, one polygon per unbroken run of months. */
function bandPaths(points: ReadonlyArray<{ x: number; lower: number | null; upper: number | null }>): string[] {
  const runs: Array<Array<{ x: number; lower: number; upper: number }>> = [];
  let run: Array<{ x: number; lower: number; upper: number }> = [];
  for (const p of points) {
    if (p.lower === null || p.upper === null) {
      if (run.length > 0) runs.push(run);
      run = [];
    } else run.push({ x: p.x, lower: p.lower, upper: p.upper });
  }
  if (run.length > 0) runs.push(run);
  return runs.map((r) => {
    // A single month still gets a visible sliver.
    const pts = r.length === 1 ? r.flatMap((p) => [{ ...p, x: p.x - 3 }, { ...p, x: p.x + 3 }]) : r;
    const upper = pts.map((p) => `${fmt(p.x)},${fmt(p.upper)}`);
    const lower = [...pts].reverse().map((p) => `${fmt(p.x)},${fmt(p.lower)}`);
    return `M${upper.join('L')}L${lower.join('L')}Z`;
  });
}

/** The marker for a month's RAG: circle Green, triangle Amber, square with a cross Red, hollow circle Grey. */
export function ragMarker(status: RagStatus, x: number, y: number, size = 5): Html {
  const fill = RAG_FILL[status];
  switch (status) {
    case 'green':
      return html`<circle cx="${fmt(x)}" cy="${fmt(y)}" r="${size}" fill="${fill}" stroke="#000" stroke-width="1"/>`;
    case 'amber':
      return html`<path d="M${fmt(x)},${fmt(y - size - 1)}L${fmt(x + size + 1)},${fmt(y + size)}L${fmt(x - size - 1)},${fmt(y + size)}Z" fill="${fill}" stroke="#000" stroke-width="1"/>`;
    case 'red':
      return html`<g stroke="#000" stroke-width="1"><rect x="${fmt(x - size)}" y="${fmt(y - size)}" width="${size * 2}" height="${size * 2}" fill="${fill}"/><path d="M${fmt(x - size)},${fmt(y - size)}L${fmt(x + size)},${fmt(y + size)}M${fmt(x + size)},${fmt(y - size)}L${fmt(x - size)},${fmt(y + size)}" stroke="#fff"/></g>`;
    case 'grey':
      return html`<circle cx="${fmt(x)}" cy="${fmt(y)}" r="${size}" fill="#fff" stroke="#5f6368" stroke-width="1.5" stroke-dasharray="2 1.5"/>`;
  }
}

/** A legend swatch: a short stretch of a line, a band or a marker. */
export function swatch(kind: 'value' | 'target' | 'trajectory' | 'band' | RagStatus): Html {
  const box = (inner: Html) => html`<svg width="28" height="14" viewBox="0 0 28 14" aria-hidden="true" focusable="false">${inner}</svg>`;
  switch (kind) {
    case 'value':
      return box(html`<path d="M2,7L26,7" stroke="#1f4e79" stroke-width="2.5"/>`);
    case 'target':
      return box(html`<path d="M2,7L26,7" stroke="#000" stroke-width="1.5" stroke-dasharray="6 3"/>`);
    case 'trajectory':
      return box(html`<path d="M2,11L26,3" stroke="#6b3fa0" stroke-width="1.5" stroke-dasharray="1.5 2.5"/>`);
    case 'band':
      return box(html`<rect x="2" y="2" width="24" height="10" fill="#1f4e79" fill-opacity="0.18"/>`);
    default:
      return box(ragMarker(kind, 14, 7, 4.5));
  }
}

export function historyChart(history: MeasureHistory): Html {
  const points = history.points;
  const values = points.flatMap((p) => [p.value, p.interval?.lower, p.interval?.upper, p.target, p.trajectory].filter((v): v is number => typeof v === 'number'));
  if (values.length === 0) return html`<p>No figures to draw for these months yet.</p>`;
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  const pad = (hi - lo || Math.abs(hi) || 1) * 0.1;
  // Counts, rates and percentages are never negative: the axis need not go below nought.
  lo = Math.max(0, lo - pad);
  hi += pad;
  const yTicks = ticks(lo, hi);
  lo = Math.min(lo, yTicks[0] ?? lo);
  hi = Math.max(hi, yTicks.at(-1) ?? hi);
  const x = (i: number) => M.left + (points.length === 1 ? PLOT_W / 2 : (i / (points.length - 1)) * PLOT_W);
  const y = (v: number) => M.top + PLOT_H - ((v - lo) / (hi - lo)) * PLOT_H;
  const at = (pick: (p: HistoryPoint) => number | null) => points.map((p, i) => ({ x: x(i), y: pick(p) === null ? null : y(pick(p) as number) }));
  // Label the first month and every April (the financial year's start), or every third month of a short series.
  const labelled = points.flatMap((p, i) => (i === 0 || (points.length > 18 ? p.date.slice(5, 7) === '04' : i % 3 === 0) ? [{ i, date: p.date }] : []));
  const titleId = `chart-title-${history.measureId}`;
  const descId = `chart-desc-${history.measureId}`;
  const first = points[0] as HistoryPoint;
  const last = points.at(-1) as HistoryPoint;

  return html`<svg viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-labelledby="${titleId} ${descId}" xmlns="http://www.w3.org/2000/svg">
  <title id="${titleId}">${history.measureId}, ${history.area}: ${shortMonth(first.date)} to ${shortMonth(last.date)}</title>
  <desc id="${descId}">Rolling value ${valueText(last.value, history.latest.unit)} in ${shortMonth(last.date)}, ${ragText(last.status)}. The table below the chart gives every month's figures.</desc>
  <g class="axis">
    <text x="${M.left}" y="${M.top - 8}">${UNIT_LABEL[history.latest.unit]}</text>
    ${yTicks.map(
      (t) => html`<path class="grid" d="M${M.left},${fmt(y(t))}H${WIDTH - M.right}"/><text x="${M.left - 6}" y="${fmt(y(t) + 4)}" text-anchor="end">${numberText(t)}</text>`,
    )}
    <path d="M${M.left},${M.top}V${M.top + PLOT_H}H${WIDTH - M.right}" stroke="#333" fill="none"/>
    ${labelled.map(
      ({ i, date }) => html`<path d="M${fmt(x(i))},${M.top + PLOT_H}v5" stroke="#333"/><text x="${fmt(x(i))}" y="${HEIGHT - M.bottom + 18}" text-anchor="middle">${shortMonth(date)}</text>`,
    )}
  </g>
  ${bandPaths(points.map((p, i) => ({ x: x(i), lower: p.interval ? y(p.interval.lower) : null, upper: p.interval ? y(p.interval.upper) : null }))).map(
    (d) => html`<path class="band" d="${d}" fill="#1f4e79" fill-opacity="0.18"/>`,
  )}
  <path class="target" d="${linePath(at((p) => p.target))}" fill="none" stroke="#000" stroke-width="1.5" stroke-dasharray="6 3"/>
  <path class="trajectory" d="${linePath(at((p) => p.trajectory))}" fill="none" stroke="#6b3fa0" stroke-width="1.5" stroke-dasharray="1.5 2.5"/>
  <path class="value" d="${linePath(at((p) => p.value))}" fill="none" stroke="#1f4e79" stroke-width="2.5"/>
  ${points.map((p, i) =>
    p.value === null
      ? ''
      : html`<g class="month rag-${p.status}"><title>${shortMonth(p.date)}: ${valueText(p.value, history.latest.unit)}, ${RAG_WORDS[p.status].word}</title>${ragMarker(p.status, x(i), y(p.value))}</g>`,
  )}
</svg>`;
}
