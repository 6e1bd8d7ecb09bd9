import type { Period } from '@beacon/catalogue';
import { formatValue, type RagStatus, type Travel } from '@beacon/progress';
import { type Html, html } from './html.js';

/** RAG is never colour alone: a symbol and a word that survive a screen reader and black-and-white printing. */
export const RAG_WORDS: Record<RagStatus, { symbol: string; word: string }> = {
  green: { symbol: '✔', word: 'GREEN' },
  amber: { symbol: '▲', word: 'AMBER' },
  red: { symbol: '✖', word: 'RED' },
  grey: { symbol: '○', word: 'GREY' },
};

export const ragText = (status: RagStatus) => `${RAG_WORDS[status].symbol} ${RAG_WORDS[status].word}`;

export const rag = (status: RagStatus): Html =>
  html`<span class="rag rag-${status}"><span aria-hidden="true">${RAG_WORDS[status].symbol}</span> ${RAG_WORDS[status].word}</span>`;

const TRAVEL: Record<Travel, string> = { improving: '↑ improving', steady: '→ steady', worsening: '↓ worsening' };
export const travelText = (travel: Travel) => TRAVEL[travel];

const utcDate = (date: string) => new Date(date.length === 10 ? `${date}T00:00:00Z` : date);
// Formatters made once: toLocaleDateString with options builds a new one at every call, which
// costs more than the rest of a page.
const monthLong = new Intl.DateTimeFormat('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' });
const monthShort = new Intl.DateTimeFormat('en-GB', { month: 'short', year: 'numeric', timeZone: 'UTC' });
const dayMonthYear = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
const hourMinute = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: 'UTC' });
const numbers = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 6 });

/** "2011-03-31" → "March 2011". */
export const monthName = (date: string) => monthLong.format(utcDate(date));
/** "2011-03-31" → "Mar 2011". */
export const shortMonth = (date: string) => monthShort.format(utcDate(date));
/** "2011-03-31" → "31 Mar 2011". */
export const dayName = (date: string) => dayMonthYear.format(utcDate(date));
/** A recorded time: "20 Apr 2009, 10:00 UTC". */
export const momentName = (time: string) => `${dayName(time)}, ${hourMinute.format(utcDate(time))} UTC`;
/** A figure as returned: "1,234.5". */
export const numberText = (n: number) => numbers.format(n);

export const periodName = (period: Period) => (period.start.slice(0, 7) === period.end.slice(0, 7) ? monthName(period.end) : `${dayName(period.start)} to ${dayName(period.end)}`);

export const valueText = (value: number | null | undefined, unit: Parameters<typeof formatValue>[1]) => (value === null || value === undefined ? '–' : formatValue(value, unit));
