import { type IngestOutcome, UnknownAgency } from '@beacon/return-intake';
import { UnreadableReturn, UnsupportedReturnFormat } from '@beacon/returns';
import { AccessRefusedError } from '@beacon/http-auth';
import { TooManyRows, UploadTooLarge } from './upload-body.js';
import { WorkbookTooLarge } from './workbook-guard.js';

export interface Answer {
  statusCode: number;
  body: Record<string, unknown>;
  /** Retry-After of a 429, WWW-Authenticate of a 401. */
  headers?: Record<string, string>;
}

/** A request the endpoint turns down before or while reading the file: nothing was stored. */
export class BadUpload extends Error {
  override readonly name = 'BadUpload';
}

/**
 * What the endpoint answers for an outcome of ingestReturn. Every answer has a `status`
 * a client can switch on, and says which file and agency it is about.
 */
export function answerFor(outcome: IngestOutcome): Answer {
  const { fileName, agency, warnings } = outcome;
  switch (outcome.status) {
    case 'rejected':
      return {
        statusCode: 422,
        body: { status: 'rejected', fileName, agency, problems: outcome.problems, problemsNotListed: outcome.problemsNotListed, warnings },
      };
    case 'already-received':
      return {
        statusCode: 200,
        body: { status: 'already-received', returnId: outcome.returnId, fileName, agency, firstReceivedAt: outcome.firstReceivedAt, readings: outcome.readings, warnings },
      };
    case 'valid':
    case 'accepted': {
      const corrections = outcome.corrections.map(({ row, measureId, area, period, was, now }) => ({
        row,
        measure: measureId,
        area,
        period,
        was: was.value,
        now,
        supersedes: { returnId: was.returnId, row: was.row, recordedAt: was.recordedAt },
      }));
      return {
        statusCode: outcome.status === 'accepted' ? 201 : 200,
        body: { status: outcome.status, returnId: outcome.returnId, fileName, agency, readings: outcome.readings, corrections, warnings },
      };
    }
  }
}

/** The answer for an error that is the uploader's to fix, or undefined for a failure of Beacon's. */
export function answerForError(error: unknown): Answer | undefined {
  const answer = (statusCode: number, status: string, message: string) => ({ statusCode, body: { status, message } });
  if (error instanceof AccessRefusedError) return { statusCode: error.statusCode, body: error.body, headers: error.headers };
  if (error instanceof UploadTooLarge || error instanceof WorkbookTooLarge) return answer(413, 'too-large', error.message);
  if (error instanceof TooManyRows) return answer(413, 'too-many-rows', error.message);
  if (error instanceof UnsupportedReturnFormat) return answer(415, 'unsupported-format', error.message);
  if (error instanceof UnreadableReturn) return answer(422, 'unreadable', error.message);
  if (error instanceof UnknownAgency || error instanceof BadUpload) return answer(400, 'bad-request', (error as Error).message);
  // Fastify's and @fastify/multipart's own client errors (a malformed multipart body, a field too long).
  const statusCode = (error as { statusCode?: unknown } | null)?.statusCode;
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    return answer(statusCode, statusCode === 413 ? 'too-large' : 'bad-request', (error as Error).message);
  }
  return undefined;
}
