import { createHash } from 'node:crypto';
import type { Action } from '@beacon/accounts';
import { readFileSync } from 'node:fs';
import { type Html, html } from './html.js';
import { dayName } from './words.js';

export const stylesheet = readFileSync(new URL('./beacon.css', import.meta.url), 'utf8');
/** In the stylesheet's address, so a browser may keep it for long and still gets a changed one at once. */
export const stylesheetPath = `/assets/beacon.css?v=${createHash('sha256').update(stylesheet).digest('hex').slice(0, 12)}`;

type Query = Record<string, string | undefined>;

/** A link within the dashboard: empty parameters are left out. */
export function href(path: string, query: Query = {}): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== '') search.set(key, value);
  const text = search.toString();
  return text ? `${path}?${text}` : path;
}

/** The nav; an entry with `needs` is shown only to those whose role holds that action. */
const NAV: readonly { path: string; label: string; needs?: Action }[] = [
  { path: '/', label: 'Summary' },
  { path: '/changes', label: 'What changed' },
  { path: '/upload', label: 'Upload a return' },
  { path: '/targets', label: 'Targets', needs: 'read-summary' },
  { path: '/audit', label: 'Audit trail', needs: 'read-audit' },
  { path: '/report', label: 'Printable report' },
];

export interface Page {
  title: string;
  /** The page's path and its query as asked, so the "as at" picker keeps everything else. */
  path: string;
  query: Query;
  /** The nav entry to mark as the current page. */
  section: string;
  body: Html;
  /** The printable report's own look: no nav, a plain header. */
  bare?: boolean;
  /** Who is signed in, with the CSRF token of their session for the sign-out form; without one, no nav (the sign-in page, a refusal). */
  signedIn?: SignedIn | undefined;
}

export interface SignedIn {
  name: string;
  /** e.g. "data officer, North Kent Police" */
  role: string;
  /** The session's CSRF token; undefined for an API token, which has no session to end. */
  csrf: string | undefined;
  /** The actions their role holds, for the nav entries that need one. */
  actions?: readonly Action[] | undefined;
}

/** Who is signed in, and the button to sign out (a POST, with the session's CSRF token). */
function whoIsSignedIn(who: SignedIn): Html {
  return html`<div class="who">Signed in as <strong>${who.name}</strong> (${who.role})
    ${who.csrf && html`<form method="post" action="/sign-out"><input type="hidden" name="_csrf" value="${who.csrf}"><button type="submit">Sign out</button></form>`}
  </div>`;
}

/** The "as at" picker: on every page, a date that shows the page as it stood at the end of that day. */
function asAtPicker(path: string, query: Query): Html {
  const keep = Object.entries(query).filter(([key, value]) => key !== 'asAt' && value !== undefined && value !== '');
  const today = new Date().toISOString().slice(0, 10);
  return html`<form class="as-at" method="get" action="${path}" aria-label="Show this page as it stood on a date">
    ${keep.map(([key, value]) => html`<input type="hidden" name="${key}" value="${value}">`)}
    <label for="as-at">As at</label>
    <input id="as-at" type="date" name="asAt" value="${query.asAt}" max="${today}">
    <button type="submit">Show</button>
    ${query.asAt && html`<a href="${href(path, Object.fromEntries(keep))}">Now</a>`}
  </form>`;
}

export function layout(page: Page): Html {
  const { asAt } = page.query;
  return html`<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${page.title} · Beacon</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${stylesheetPath}">
</head>
<body${page.bare ? html` class="report"` : ''}>
<a class="skip" href="#main">Skip to the content</a>
<header class="site">
  <a class="brand" href="${href('/', { asAt })}">Beacon</a>
  ${
    page.signedIn &&
    html`<nav aria-label="Beacon">
    <ul>${NAV.filter((item) => !item.needs || page.signedIn?.actions?.includes(item.needs)).map(
      (item) => html`<li><a href="${href(item.path, { asAt })}"${item.path === page.section ? html` aria-current="page"` : ''}>${item.label}</a></li>`,
    )}</ul>
  </nav>
  ${asAtPicker(page.path, page.query)}
  ${whoIsSignedIn(page.signedIn)}`
  }
</header>
<main id="main">
${asAt && html`<p class="notice as-at" role="status"><strong>As at ${dayName(asAt)}:</strong> this page shows only what Beacon had recorded by the end of that day (UTC). <a class="no-print" href="${href(page.path, { ...page.query, asAt: undefined })}">Show it as it is now</a></p>`}
${page.body}
</main>
<footer class="site">Beacon, the Dartford &amp; Gravesham Community Safety Partnership's performance indicators. Sample figures are illustrative, not official statistics.</footer>
</body>
</html>`;
}
