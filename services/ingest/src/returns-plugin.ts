import type { Readable } from 'node:stream';
import type { Catalogue } from '@beacon/catalogue';
import type { EventStore } from '@beacon/event-store';
import { actorOf } from '@beacon/accounts';
import { type Auth, RateLimit } from '@beacon/http-auth';
import { ingestReturn, type ReadingsOnRecord, templateCsv, UnknownAgency } from '@beacon/return-intake';
import multipart from '@fastify/multipart';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { answerFor, answerForError, BadUpload } from './answers.js';
import { baseName, DEFAULT_MAX_RETURN_ROWS, DEFAULT_MAX_UPLOAD_BYTES, fileNameFromHeaders, TooManyRows, UploadTooLarge, uploadBytes } from './upload-body.js';
import { DEFAULT_MAX_WORKBOOK_BYTES, looksLikeZip, refuseZipBomb } from './workbook-guard.js';

export interface ReturnsPluginOptions {
  store: EventStore;
  catalogue: Catalogue;
  /** Who may send: the sender is the authenticated actor, and must be a data officer of the return's agency. */
  auth: Auth;
  /** The readings in force, to find the corrections in a return. */
  readingsOnRecord: () => Promise<ReadingsOnRecord>;
  /** The largest file taken, in bytes (default 20 MiB): a larger one is answered 413. */
  maxUploadBytes?: number;
  /** The most rows a return may have (default 100,000): more is answered 413. */
  maxRowsPerReturn?: number;
  /** The most an .xlsx may unpack to, in bytes (default 128 MiB): more is answered 413 (a zip bomb). */
  maxWorkbookBytes?: number;
  /** Uploads (dry runs too) per minute per token or session (default 30): more is answered 429 with Retry-After. */
  uploadsPerMinute?: number;
}

/** The whole upload, when it is a zip (an .xlsx, which the reader holds whole anyway), checked for a zip bomb first. */
async function* checkedForZipBomb(bytes: AsyncGenerator<Uint8Array>, fileName: string, maxWorkbookBytes: number): AsyncGenerator<Uint8Array> {
  const head: Uint8Array[] = [];
  let headSize = 0;
  // However the sender splits the bytes, the first four decide.
  while (headSize < 4) {
    const next = await bytes.next();
    if (next.done) break;
    head.push(next.value);
    headSize += next.value.length;
  }
  if (!looksLikeZip(Buffer.concat(head))) {
    yield* head;
    yield* bytes;
    return;
  }
  for await (const chunk of bytes) head.push(chunk);
  const whole = Buffer.concat(head);
  await refuseZipBomb(whole, fileName, maxWorkbookBytes);
  yield whole;
}

const sayAgency = 'say which agency sends the return, e.g. ?agency=north-kent-police';
/** What the uploader says about the file: in the query, or as form fields before the file. */
const UploadParameters = z.object({
  agency: z.string(sayAgency).trim().min(1, sayAgency),
  dryRun: z.enum(['true', 'false'], 'write dryRun=true to check the return without storing it, or leave it out').optional(),
  sheet: z.string().min(1).optional(),
  fileName: z.string().min(1).optional(),
});

/** The file of a request as it arrives, with what was said about it. */
interface SentFile {
  fields: Record<string, string>;
  fileName: string | undefined;
  body: Readable | undefined;
}

/**
 * The file of a multipart/form-data request (what a browser's form sends): the first file
 * part, and the fields that came before it. Fields after the file arrive only once the file
 * has been read, too late to say how to read it, so they are not looked at.
 */
async function multipartFile(request: FastifyRequest): Promise<SentFile> {
  const fields: Record<string, string> = {};
  const parts = request.parts();
  for (let next = await parts.next(); !next.done; next = await parts.next()) {
    const part = next.value;
    if (part.type === 'file') return { fields, fileName: part.filename || undefined, body: part.file };
    fields[part.fieldname] = String(part.value);
  }
  return { fields, fileName: undefined, body: undefined };
}

function parametersOf(values: Record<string, unknown>) {
  const parsed = UploadParameters.safeParse(values);
  if (parsed.success) return parsed.data;
  throw new BadUpload(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '));
}

/**
 * The returns endpoint: `POST /returns` takes a return from a data officer, `GET
 * /agencies/:agency/template.csv` gives an agency's blank return. Encapsulated (not wrapped
 * in fastify-plugin) so that its body parsing applies to its own routes only.
 */
export const returnsPlugin: FastifyPluginAsync<ReturnsPluginOptions> = async (app, options) => {
  const { store, catalogue, readingsOnRecord, auth } = options;
  const maxUploadBytes = options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
  const maxRows = options.maxRowsPerReturn ?? DEFAULT_MAX_RETURN_ROWS;
  const maxWorkbookBytes = options.maxWorkbookBytes ?? DEFAULT_MAX_WORKBOOK_BYTES;
  const uploads = new RateLimit(options.uploadsPerMinute ?? 30, 60_000);

  // The body is handed over unread, to be read as it arrives. Whatever type the client
  // gives it (Windows browsers send CSV as application/vnd.ms-excel), the content decides
  // what the file is, and a PDF gets a message saying so rather than a bare 415.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
  // One byte over the limit gets through, so that uploadBytes, which every upload passes
  // through, sees the excess and throws rather than the file ending cut short.
  await app.register(multipart, { limits: { fileSize: maxUploadBytes + 1, fieldSize: 4096, fields: 20 } });

  app.setErrorHandler((error, request, reply) => {
    const answer = answerForError(error);
    // The sender went away mid-upload: nothing was stored, and nobody is left to tell.
    if (!answer && request.raw.readableAborted) {
      request.log.info('the upload was cut short by the sender; nothing was stored');
      return reply.code(400).send({ status: 'bad-request', message: 'The upload was cut short. Nothing was stored: please send the file again.' });
    }
    if (!answer) {
      request.log.error({ err: error }, 'a return could not be taken');
      return reply.code(500).send({
        status: 'error',
        message: 'Beacon failed while taking the return, and stored none of it. Please send the same file again; if it fails again, tell the Beacon team.',
      });
    }
    return reply
      .code(answer.statusCode)
      .headers(answer.headers ?? {})
      .send(answer.body);
  });

  // When the answer was given before the body was read to its end (a PDF is known from its
  // first bytes, an oversized file from its length), the rest is read and dropped. Closing
  // the connection instead would reset it under a client still sending, which then never
  // sees the answer; Node's requestTimeout bounds how long an endless upload is read.
  app.addHook('onResponse', async (request) => {
    if (request.raw.readableEnded) return;
    request.raw.unpipe();
    request.raw.resume();
  });

  // Who is sending, and whether they may send returns at all, is settled before a byte of the file is read.
  app.post('/returns', { preHandler: auth.requires('submit-return') }, async (request, reply) => {
    const sender = request.actor as NonNullable<typeof request.actor>;
    const credential = sender.credential.kind === 'token' ? `token:${sender.credential.tokenId}` : `account:${sender.accountId}`;
    await auth.withinRate(request, uploads, credential, 'submit-return', 'too many returns sent with this token');
    const isForm = request.isMultipart();
    // Refused before reading a byte when the client says how big the file is.
    if (!isForm && Number(request.headers['content-length']) > maxUploadBytes) throw new UploadTooLarge(maxUploadBytes);
    const sent: SentFile = isForm
      ? await multipartFile(request)
      : { fields: {}, fileName: fileNameFromHeaders(request.headers), body: request.body as Readable | undefined };
    const parameters = parametersOf({ ...(request.query as Record<string, unknown>), ...sent.fields });
    if (!catalogue.agency(parameters.agency)) throw new UnknownAgency(parameters.agency, catalogue);
    // The agency may come in the form, so only now can it be checked against the sender's.
    await auth.authorise(request, 'submit-return', { agency: parameters.agency });
    const bytes = sent.body && (await uploadBytes(sent.body, maxUploadBytes));
    if (!bytes) throw new BadUpload('the request has no file: send the return as the body, or as the file field of a form');
    // The name is the sender's to choose: it is kept as text, for messages and the record, and never used as a path.
    const fileName = baseName(parameters.fileName ?? sent.fileName ?? 'upload');

    const outcome = await ingestReturn(
      {
        source: { stream: checkedForZipBomb(bytes, fileName, maxWorkbookBytes) },
        fileName,
        agency: parameters.agency,
        submitter: actorOf(sender),
        sheet: parameters.sheet,
        dryRun: parameters.dryRun === 'true',
        // Reading stops, and nothing is stored, as soon as the return has more rows than are taken.
        onProgress: ({ rows }) => {
          if (rows > maxRows) throw new TooManyRows(maxRows);
        },
      },
      { store, catalogue, readingsOnRecord },
    );
    const answer = answerFor(outcome);
    return reply.code(answer.statusCode).send(answer.body);
  });

  const templateAgency = (request: FastifyRequest) => ({ agency: (request.params as { agency: string }).agency });
  app.get<{ Params: { agency: string } }>('/agencies/:agency/template.csv', { preHandler: auth.requires('submit-return', templateAgency) }, async (request, reply) => {
    const agency = catalogue.agency(request.params.agency);
    if (!agency) return reply.code(404).send({ status: 'not-found', message: new UnknownAgency(request.params.agency, catalogue).message });
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${agency.id}-return-template.csv"`)
      .send(templateCsv(agency, catalogue));
  });
};
