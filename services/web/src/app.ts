import { randomUUID } from 'node:crypto';
import { actorOf, actions as allActions, type Principal, roleMay, roleWords } from '@beacon/accounts';
import type { Catalogue } from '@beacon/catalogue';
import type { EventStore } from '@beacon/event-store';
import { AccessRefusedError, accountsPlugin, type Auth, RateLimit } from '@beacon/http-auth';
import { answerForError, BadUpload, DEFAULT_MAX_UPLOAD_BYTES, recordTarget, refuseZipBomb, TargetNotTaken, uploadBytes } from '@beacon/ingest-service';
import { financialYear, financialYearStartYear } from '@beacon/periods';
import { type AuditBook, type AuditFilter, auditBounds, auditCsv, PerformanceQueries, type RecordBook } from '@beacon/read-models';
import { ingestReturn, keepReadingsOnRecord, type ReadingsOnRecord, templateCsv } from '@beacon/return-intake';
import multipart from '@fastify/multipart';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import { z } from 'zod';
import { ChromiumMissing, DEFAULT_CHROMIUM, printToPdf } from './chromium.js';
import { type DashboardContext, Lookups, Moment, PageProblem, parseQuery, viewOf, viewQuery } from './context.js';
import { measureCsv, summaryCsv } from './exports.js';
import { html } from './html.js';
import { href, layout, type Page, type SignedIn, stylesheet } from './layout.js';
import { type AuditQuery, auditPage } from './pages/audit.js';
import { changesPage } from './pages/changes.js';
import { historyOf, measurePage } from './pages/measure.js';
import { reportPage } from './pages/report.js';
import { summaryOf, summaryPage } from './pages/summary.js';
import { signInPage } from './pages/sign-in.js';
import { type TargetFormValues, type TargetInForce, targetsPage } from './pages/targets.js';
import { checkedPage, PendingUploads, rowsOf, type UploadFormValues, uploadIntro } from './pages/upload.js';

export interface WebAppOptions {
  store: EventStore;
  catalogue: Catalogue;
  /** The read models, in SQLite or PostgreSQL: what every page is made from. */
  records: RecordBook;
  audit: AuditBook;
  /** Who may do what: people sign in (sessions), machines send API tokens; every page needs read-summary, an upload submit-return. */
  auth: Auth;
  /** Brings the read models up to the end of the log (the projector's catchUp): awaited after an upload, before the summary is shown. */
  bringUpToDate: () => Promise<unknown>;
  /** The readings in force, to find corrections in an upload. Default: kept in memory from the log. */
  readingsOnRecord?: () => Promise<ReadingsOnRecord>;
  /** The largest return taken, in bytes (default 20 MiB, as the returns endpoint). */
  maxUploadBytes?: number;
  /** The day of the month after on which a month closes (as the reporter's BEACON_MONTH_CLOSE_DAY; default 20): "what changed" starts at the last close. */
  closeDay?: number;
  /** Chromium, for the report as PDF (default /usr/bin/chromium). */
  chromium?: string;
  logger?: FastifyServerOptions['logger'];
}

/**
 * No script runs on Beacon's pages, and nothing is loaded from elsewhere: even a note or a file
 * name that slipped past escaping could not run.
 */
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
};

const sendHtml = (reply: FastifyReply, text: string, statusCode = 200) => reply.code(statusCode).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(text);

type PageParts = Omit<Page, 'path' | 'signedIn'> & { path?: string };

/** Paths any visitor may ask for: the sign-in page and the stylesheet (the sign-in and sign-out posts are the session routes'). */
const OPEN_PATHS = new Set(['/sign-in', '/assets/beacon.css']);
/** How long the report's address given to Chromium for the PDF may be used, once. */
const PRINT_PASS_MS = 60_000;

const PAGES_KEPT = 256;

/**
 * Pages that depend only on their address and the read models (the summary and measure pages),
 * kept as made until the projector moves on, or the day changes (the picker offers dates up to
 * today): a room full of viewers of the same summary costs one page, not one each.
 */
class PageCache {
  private readonly pages = new Map<string, PageParts>();
  private stamp = '';

  constructor(private readonly records: RecordBook) {}

  async page(url: string, make: () => Promise<PageParts>): Promise<PageParts> {
    const stamp = `${await this.records.checkpoint()}|${new Date().toISOString().slice(0, 10)}`;
    if (stamp !== this.stamp) {
      this.pages.clear();
      this.stamp = stamp;
    }
    let text = this.pages.get(url);
    if (text === undefined) {
      text = await make();
      if (this.pages.size >= PAGES_KEPT) this.pages.delete(this.pages.keys().next().value as string);
      this.pages.set(url, text);
    }
    return text;
  }
}

const download = (reply: FastifyReply, type: string, fileName: string, body: string | Buffer) =>
  reply.type(type).header('content-disposition', `attachment; filename="${fileName}"`).header('cache-control', 'no-store').send(body);

/** fileNameOf('summary', 'DBC', '2011-03') → "beacon-summary-DBC-2011-03": only [A-Za-z0-9_-], so safe in a header. */
const fileNameOf = (...parts: string[]) => `beacon-${parts.map((p) => p.replace(/[^A-Za-z0-9_-]/g, '_')).join('-')}`;

/** Uploads a signed-in sender may make in a minute (checks and confirmations apart). */
export const UPLOADS_PER_MINUTE = 30;
/** Audit entries shown on the page; the CSV takes up to AUDIT_CSV_LIMIT. */
const AUDIT_PAGE_LIMIT = 500;
const AUDIT_CSV_LIMIT = 100_000;

// Forms send empty fields as "": the same as leaving them out.
const blank = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);
const optionalText = (max: number) => z.preprocess(blank, z.string().trim().max(max).optional());

const TargetsQuery = z.object({
  measure: optionalText(100),
  area: optionalText(100),
  start: optionalText(10),
  end: optionalText(10),
  recorded: optionalText(300),
});

const TargetForm = z.object({
  measure: optionalText(100),
  area: optionalText(100),
  start: optionalText(10),
  end: optionalText(10),
  value: optionalText(50),
  direction: optionalText(20),
  toleranceType: optionalText(20),
  tolerance: optionalText(50),
  note: optionalText(1000),
});

const AuditQuerySchema = z.object({
  measure: optionalText(100),
  agency: optionalText(100),
  person: optionalText(100),
  from: z.preprocess(blank, Moment.optional()),
  to: z.preprocess(blank, Moment.optional()),
});

/** A number as written in a form ("1,250.5"), or a TargetNotTaken saying what to write. */
function numberOf(text: string | undefined, field: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text.replaceAll(',', ''));
  if (!Number.isFinite(n)) throw new TargetNotTaken(400, `${field}: "${text}" is not a number; write it as digits, e.g. 12.5`);
  return n;
}

/** The form's fields as recordTarget takes them: the tolerance as a percentage becomes a fraction. */
function revisionOf(values: TargetFormValues): unknown {
  const value = numberOf(values.value, 'value');
  const tolerance = numberOf(values.tolerance, 'tolerance');
  if (values.direction !== undefined && values.direction !== 'reduce' && values.direction !== 'increase') throw new TargetNotTaken(400, 'direction: choose reduce or increase');
  if (values.start === undefined || values.end === undefined) throw new TargetNotTaken(400, 'period: give the first and the last day of the period the target is for');
  const type = values.toleranceType === 'absolute' ? 'absolute' : 'relative';
  return {
    measure: values.measure ?? '',
    area: values.area ?? '',
    period: { start: values.start, end: values.end },
    ...(value !== undefined && { value }),
    ...(values.direction !== undefined && { direction: values.direction }),
    ...(tolerance !== undefined && { tolerance: { type, value: type === 'relative' ? tolerance / 100 : tolerance } }),
    ...(values.note !== undefined && { note: values.note }),
  };
}

/** The audit filter a page's query asks for: a date from the picker covers its whole day (auditBounds). */
function auditFilterOf(query: AuditQuery, limit: number): AuditFilter {
  return {
    ...(query.measure && { measure: query.measure }),
    ...(query.agency && { agency: query.agency }),
    ...(query.person && { person: query.person }),
    ...auditBounds(query.from, query.to),
    limit,
  };
}

/**
 * The strategy group's dashboard and the data officers' upload page, as server-rendered HTML:
 * every page is made from the read models (and the catalogue), so none waits on the event log.
 */
export function buildWebApp(options: WebAppOptions): FastifyInstance {
  const { store, catalogue, records, audit, bringUpToDate, auth } = options;
  const queries = new PerformanceQueries(records, catalogue);
  const context: DashboardContext = { catalogue, queries, lookups: new Lookups(records) };
  const readingsOnRecord = options.readingsOnRecord ?? keepReadingsOnRecord(store);
  const maxUploadBytes = options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
  const pending = new PendingUploads();
  const pages = new PageCache(records);
  // One limit for the app: each sender's uploads are counted however many tabs they use.
  const uploadRate = new RateLimit(UPLOADS_PER_MINUTE, 60_000);
  const app = Fastify({ logger: options.logger ?? false });
  app.register(auth.plugin);
  app.register(auth.sessionRoutes);
  // Administrators manage accounts over HTTP with their API token (JSON), as on the ingest service.
  app.register(accountsPlugin, { auth });

  /** Who is signed in, in words, for the page's header. */
  const signedInOf = (request: FastifyRequest): SignedIn | undefined => {
    const who = request.actor;
    if (!who) return undefined;
    const agency = who.agency && (catalogue.agency(who.agency)?.name ?? who.agency);
    return {
      name: who.name,
      role: `${roleWords[who.role]}${agency ? `, ${agency}` : ''}`,
      csrf: auth.csrfTokenOf(request),
      actions: allActions.filter((action) => roleMay(who.role, action).allowed),
    };
  };
  const sendPage = (reply: FastifyReply, request: FastifyRequest, page: PageParts, statusCode = 200) =>
    sendHtml(reply, layout({ ...page, path: page.path ?? request.routeOptions.url ?? '/', signedIn: signedInOf(request) }).text, statusCode);

  // The report's address given to Chromium for the PDF, which has no session: each good once, for a minute.
  const printPasses = new Map<string, number>();
  const printPass = () => {
    const now = Date.now();
    for (const [pass, until] of printPasses) if (until <= now) printPasses.delete(pass);
    const pass = randomUUID();
    printPasses.set(pass, now + PRINT_PASS_MS);
    return pass;
  };
  const usePrintPass = (request: FastifyRequest) => {
    const pass = (request.query as { print?: unknown }).print;
    if (request.routeOptions.url !== '/report' || typeof pass !== 'string') return false;
    const until = printPasses.get(pass);
    printPasses.delete(pass);
    return until !== undefined && until > Date.now();
  };

  // Every page needs someone who may read the summary: a person not signed in is sent to sign in
  // first (and back afterwards); a wrong, revoked or expired API token is answered 401.
  app.addHook('preHandler', async (request, reply) => {
    const path = request.routeOptions.url;
    if (path === undefined || OPEN_PATHS.has(path) || path === '/sign-in' || path === '/sign-out' || path.startsWith('/accounts') || path.startsWith('/tokens/')) return;
    if (path.startsWith('/upload')) return; // the upload routes ask for submit-return themselves
    if (usePrintPass(request)) return;
    if (!request.actor && request.headers.authorization === undefined && (request.method === 'GET' || request.method === 'HEAD')) {
      return reply.redirect(href('/sign-in', { next: request.url }), 303);
    }
    await auth.authorise(request, 'read-summary');
  });

  // How long each answer took to make (Server-Timing), for the browser's developer tools and the benchmark.
  const started = new WeakMap<FastifyRequest, number>();
  app.addHook('onRequest', async (request) => {
    started.set(request, performance.now());
  });
  app.addHook('onSend', async (request, reply) => {
    reply.headers(SECURITY_HEADERS);
    reply.header('server-timing', `app;dur=${(performance.now() - (started.get(request) ?? performance.now())).toFixed(1)}`);
  });

  app.setErrorHandler((error, request, reply) => {
    if (error instanceof AccessRefusedError) return refusedPage(request, reply, error);
    const known = error instanceof PageProblem ? error : error instanceof RangeError ? new PageProblem(400, error.message) : undefined;
    if (!known) request.log.error({ err: error }, 'a page failed');
    const status = known?.statusCode ?? 500;
    const message = known?.message ?? 'Beacon failed to make this page. Try again; if it fails again, tell the Beacon team.';
    return sendPage(reply, request, { title: 'Problem', section: '', query: {}, path: '/', body: html`<h1>${status === 404 ? 'Not found' : 'This page cannot be shown'}</h1><p role="alert">${message}</p><p><a href="/">Go to the summary</a></p>` }, status);
  });
  app.setNotFoundHandler((request, reply) =>
    sendPage(reply, request, { title: 'Not found', section: '', query: {}, path: '/', body: html`<h1>Not found</h1><p>There is no page at ${request.url}.</p><p><a href="/">Go to the summary</a></p>` }, 404),
  );

  /** A refusal as a page: what was refused, why, and what to do about it. */
  function refusedPage(request: FastifyRequest, reply: FastifyReply, error: AccessRefusedError) {
    const signIn = href('/sign-in', { next: request.method === 'GET' ? request.url : undefined });
    const what =
      error.statusCode === 401
        ? html`<h1>Sign in first</h1><p role="alert">${error.message}</p><p><a href="${signIn}">Sign in</a></p>`
        : error.statusCode === 403
          ? html`<h1>Not allowed</h1><p role="alert">${error.message}</p>
            <p>If your work needs this, ask a Beacon administrator to give your account the right role (or agency); if a form was refused, reload its page and send it again.
            ${request.actor ? html`Or sign out and sign in as someone else.` : html`<a href="${signIn}">Sign in</a>.`}</p><p><a href="/">Go to the summary</a></p>`
          : html`<h1>Not now</h1><p role="alert">${error.message}</p><p><a href="/">Go to the summary</a></p>`;
    reply.headers(error.headers);
    return sendPage(reply, request, { title: error.statusCode === 401 ? 'Sign in' : 'Not allowed', section: '', query: {}, path: '/', body: what }, error.statusCode);
  }

  app.get('/sign-in', async (request, reply) => {
    const { failed, next } = request.query as { failed?: string; next?: string };
    return sendPage(reply, request, { title: 'Sign in', section: '', query: {}, path: '/sign-in', body: signInPage({ failed: failed === '1', next, signedIn: signedInOf(request) }) });
  });

  app.get('/assets/beacon.css', async (_request, reply) => reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=31536000, immutable').send(stylesheet));

  app.get('/', async (request, reply) =>
    sendPage(
      reply,
      request,
      await pages.page(request.url, async () => {
        const view = await viewOf(context, request.query);
        const { received } = request.query as { received?: string };
        const body = await summaryPage(context, view, received ? await context.lookups.returnById(received) : undefined);
        return { title: 'Summary', section: '/', path: '/', query: viewQuery(view), body };
      }),
    ),
  );

  app.get<{ Params: { measureId: string } }>('/measures/:measureId', async (request, reply) =>
    sendPage(
      reply,
      request,
      await pages.page(request.url, async () => {
        const view = await viewOf(context, request.query);
        const { measureId } = request.params;
        const body = await measurePage(context, measureId, view);
        return { title: measureId, section: '/', path: `/measures/${encodeURIComponent(measureId)}`, query: viewQuery(view), body };
      }),
    ),
  );

  app.get('/changes', async (request, reply) => {
    const view = await viewOf(context, request.query);
    const { from, to } = request.query as Record<string, string | undefined>;
    return sendPage(reply, request, { title: 'What changed', section: '/changes', query: { ...viewQuery(view), rule: undefined, from, to }, body: await changesPage(context, view, request.query, options.closeDay ?? 20) });
  });

  app.get('/report', async (request, reply) => {
    const view = await viewOf(context, request.query);
    return sendPage(reply, request, { title: 'Report', section: '/report', query: viewQuery(view), body: await reportPage(context, view), bare: true });
  });

  app.get('/report.pdf', async (request, reply) => {
    const view = await viewOf(context, request.query);
    const { localAddress, localPort } = request.socket;
    const host = localAddress?.includes(':') ? `[${localAddress}]` : (localAddress ?? '127.0.0.1');
    try {
      const pdf = await printToPdf(`http://${host}:${localPort}${href('/report', { ...viewQuery(view), print: printPass() })}`, options.chromium ?? DEFAULT_CHROMIUM);
      return download(reply, 'application/pdf', `${fileNameOf('report', view.area, view.period)}.pdf`, pdf);
    } catch (error) {
      if (error instanceof ChromiumMissing) throw new PageProblem(503, error.message);
      throw error;
    }
  });

  app.get('/export/summary.csv', async (request, reply) => {
    const view = await viewOf(context, request.query);
    return download(reply, 'text/csv; charset=utf-8', `${fileNameOf('summary', view.area, view.period)}.csv`, summaryCsv(await summaryOf(context, view)));
  });

  app.get<{ Params: { measureId: string } }>('/export/measures/:measureId.csv', async (request, reply) => {
    const view = await viewOf(context, request.query);
    const history = await historyOf(context, request.params.measureId, view);
    return download(reply, 'text/csv; charset=utf-8', `${fileNameOf(history.measureId, view.area, view.period)}.csv`, measureCsv(history));
  });

  /** The latest version of each target, with who recorded it (from the audit trail), by measure, area and period. */
  const targetsInForce = async (): Promise<TargetInForce[]> => {
    const [setBy, targets] = await Promise.all([audit.targetSetters(), records.targets()]);
    const latest = new Map<string, TargetInForce>();
    for (const target of targets) latest.set(target.id, { ...target, setBy: setBy.get(`${target.id}\u001f${target.version}`) });
    return [...latest.values()];
  };

  const sendTargetsPage = async (request: FastifyRequest, reply: FastifyReply, parts: { values: TargetFormValues; problem?: string; recorded?: string | undefined }, statusCode = 200) => {
    const canSet = request.actor !== undefined && roleMay(request.actor.role, 'set-target').allowed;
    const targets = await targetsInForce();
    const recorded = parts.recorded === undefined ? undefined : targets.find((t) => t.id === parts.recorded);
    const body = targetsPage(catalogue, { targets, canSet, values: parts.values, csrf: auth.csrfTokenOf(request), problem: parts.problem, recorded });
    return sendPage(reply, request, { title: 'Targets', section: '/targets', path: '/targets', query: {}, body }, statusCode);
  };

  app.get('/targets', async (request, reply) => {
    const { recorded, ...chosen } = parseQuery(TargetsQuery, request.query);
    // The financial year (1 April to 31 March) of the month the summary opens on.
    const year = financialYear(financialYearStartYear(`${(await viewOf(context, {})).period}-01`));
    const values: TargetFormValues = { start: year.start, end: year.end, toleranceType: 'relative', ...Object.fromEntries(Object.entries(chosen).filter(([, v]) => v !== undefined)) };
    return sendTargetsPage(request, reply, { values, recorded });
  });

  // The target form: a plain urlencoded one, read in its own context as the upload forms are.
  app.register(async (forms) => {
    forms.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 16 * 1024 }, (_request, body, done) =>
      done(null, Object.fromEntries(new URLSearchParams(body as string))),
    );
    forms.post('/targets', async (request, reply) => {
      const who = await auth.authorise(request, 'set-target');
      const values = parseQuery(TargetForm, request.body ?? {});
      try {
        const recorded = await recordTarget({ store, catalogue }, revisionOf(values), actorOf(who));
        // The summary and this page must show the target: the read models are brought up to date first.
        await bringUpToDate();
        return reply.redirect(href('/targets', { recorded: recorded.targetId }), 303);
      } catch (error) {
        if (!(error instanceof TargetNotTaken)) throw error;
        return sendTargetsPage(request, reply, { values, problem: error.message }, error.statusCode);
      }
    });
  });

  app.get('/audit', async (request, reply) => {
    await auth.authorise(request, 'read-audit');
    const query = parseQuery(AuditQuerySchema, request.query);
    const entries = await audit.entries(auditFilterOf(query, AUDIT_PAGE_LIMIT));
    return sendPage(reply, request, { title: 'Audit trail', section: '/audit', path: '/audit', query: {}, body: auditPage(catalogue, query, entries, AUDIT_PAGE_LIMIT) });
  });

  app.get('/audit.csv', async (request, reply) => {
    await auth.authorise(request, 'read-audit');
    const query = parseQuery(AuditQuerySchema, request.query);
    const entries = await audit.entries(auditFilterOf(query, AUDIT_CSV_LIMIT));
    return download(reply, 'text/csv; charset=utf-8', `${fileNameOf('audit', new Date().toISOString().slice(0, 10))}.csv`, auditCsv(entries));
  });

  /** The form's values for the signed-in sender: their own agency, and their session's CSRF token. */
  const formValuesOf = (request: FastifyRequest, who: Principal, agency?: string): UploadFormValues => ({ agency, ownAgency: who.agency, csrf: auth.csrfTokenOf(request) });

  app.get('/upload', async (request, reply) => {
    if (!request.actor && request.headers.authorization === undefined) return reply.redirect(href('/sign-in', { next: request.url }), 303);
    const who = await auth.authorise(request, 'submit-return');
    const { agency } = request.query as { agency?: string };
    return sendPage(reply, request, { title: 'Upload a return', section: '/upload', query: {}, body: uploadIntro(catalogue, formValuesOf(request, who, agency)) });
  });

  app.get('/upload/template.csv', async (request, reply) => {
    await auth.authorise(request, 'submit-return');
    const agency = catalogue.agency(String((request.query as { agency?: string }).agency));
    if (!agency) throw new PageProblem(404, `Choose an agency: ${catalogue.agencies.map((a) => a.id).join(', ')}.`);
    return download(reply, 'text/csv; charset=utf-8', `${agency.id}-return-template.csv`, templateCsv(agency, catalogue));
  });

  // The upload routes read multipart forms: registered on their own, so other routes do not.
  app.register(async (uploads) => {
    await uploads.register(multipart, { limits: { fileSize: maxUploadBytes + 1, fieldSize: 4096, fields: 20, files: 1 } });
    // The confirm button's form: a plain urlencoded one.
    uploads.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 4096 }, (_request, body, done) =>
      done(null, Object.fromEntries(new URLSearchParams(body as string))),
    );
    // An answer given before the whole file arrived (too large): the rest is read and dropped, so the browser sees the answer.
    uploads.addHook('onResponse', async (request) => {
      if (request.raw.readableEnded) return;
      request.raw.unpipe();
      request.raw.resume();
    });
    const uploadProblem = (request: FastifyRequest, reply: FastifyReply, values: UploadFormValues, error: unknown) => {
      const answer = error instanceof AccessRefusedError ? undefined : answerForError(error);
      if (!answer) throw error;
      const body = uploadIntro(catalogue, values, String(answer.body.message));
      return sendPage(reply, request, { title: 'Upload a return', section: '/upload', path: '/upload', query: {}, body }, answer.statusCode);
    };

    uploads.post('/upload', async (request, reply) => {
      // Whether the sender may send returns at all, and the form's CSRF token (in the address, as
      // the form is multipart), are settled before a byte of the file is read.
      const who = await auth.authorise(request, 'submit-return');
      await auth.withinRate(request, uploadRate, who.accountId, 'submit-return', 'Uploads');
      const fields: Record<string, string> = {};
      let file: { name: string; bytes: Buffer } | undefined;
      try {
        if (!request.isMultipart()) throw new BadUpload('send the form on the upload page (multipart/form-data)');
        for await (const part of request.parts()) {
          if (part.type === 'field') {
            fields[part.fieldname] = String(part.value).trim();
            continue;
          }
          const chunks: Buffer[] = [];
          const body = await uploadBytes(part.file, maxUploadBytes);
          for await (const chunk of body ?? []) chunks.push(Buffer.from(chunk));
          // Browsers on Windows may send "C:\fakepath\april.csv": only the last part is the name.
          if (chunks.length > 0) file = { name: part.filename.split(/[\\/]/).pop() || 'upload', bytes: Buffer.concat(chunks) };
        }
        const values = formValuesOf(request, who, fields.agency);
        if (!fields.agency || !catalogue.agency(fields.agency)) throw new BadUpload('choose your agency');
        // The agency comes in the form: only now can it be checked against the sender's.
        await auth.authorise(request, 'submit-return', { agency: fields.agency });
        if (!file) throw new BadUpload('choose the return file (CSV or .xlsx); the one chosen is empty');
        const sheet = fields.sheet || undefined;
        const submitter = actorOf(who);
        await refuseZipBomb(file.bytes, file.name);
        const outcome = await ingestReturn(
          { source: { bytes: file.bytes }, fileName: file.name, agency: fields.agency, submitter, sheet, dryRun: true },
          { store, catalogue, readingsOnRecord },
        );
        const rows = await rowsOf(file.bytes, file.name, sheet);
        const token = outcome.status === 'valid' ? pending.keep({ bytes: file.bytes, fileName: file.name, agency: fields.agency, submitter, sheet }) : undefined;
        const body = checkedPage(catalogue, outcome, rows, values, token);
        return sendPage(reply, request, { title: 'Upload: the check', section: '/upload', path: '/upload', query: {}, body }, outcome.status === 'rejected' ? 422 : 200);
      } catch (error) {
        return uploadProblem(request, reply, formValuesOf(request, who, fields.agency), error);
      }
    });

    uploads.post('/upload/confirm', async (request, reply) => {
      const who = await auth.authorise(request, 'submit-return');
      const { token } = parseQuery(z.object({ token: z.string().min(1, 'the form has no token: check the file again') }), request.body ?? {});
      const upload = pending.take(token);
      // Only the sender who checked the file may store it.
      if (!upload || upload.submitter.id !== actorOf(who).id) {
        const body = uploadIntro(catalogue, formValuesOf(request, who), 'this check has expired or was already confirmed: choose the file again.');
        return sendPage(reply, request, { title: 'Upload a return', section: '/upload', path: '/upload', query: {}, body }, 410);
      }
      await auth.authorise(request, 'submit-return', { agency: upload.agency });
      const values = formValuesOf(request, who, upload.agency);
      const outcome = await ingestReturn(
        {
          source: { bytes: upload.bytes },
          fileName: upload.fileName,
          agency: upload.agency,
          submitter: actorOf(who),
          sheet: upload.sheet,
        },
        { store, catalogue, readingsOnRecord },
      );
      if (outcome.status !== 'accepted') {
        const body = checkedPage(catalogue, outcome, await rowsOf(upload.bytes, upload.fileName, upload.sheet), values, undefined);
        return sendPage(reply, request, { title: 'Upload: the check', section: '/upload', path: '/upload', query: {}, body }, outcome.status === 'rejected' ? 422 : 200);
      }
      // The summary shown next must include the return: the read models are brought up to date first.
      await bringUpToDate();
      const stored = await context.lookups.returnById(outcome.returnId);
      return reply.redirect(href('/', { period: stored?.period.end.slice(0, 7), received: outcome.returnId }), 303);
    });
  });

  return app;
}

