import type { ExpectedRevision } from './event-store.js';

const expectation = (expected: ExpectedRevision): string =>
  expected === 'no_stream'
    ? 'expected no stream'
    : expected === 'stream_exists'
      ? 'expected the stream to exist'
      : expected === 'any'
        ? 'expected any revision'
        : `expected revision ${expected}`;

const finding = (actual: bigint | undefined): string => (actual === undefined ? 'it does not exist' : `it is at revision ${actual}`);

/** The stream is not at the revision the caller expected: someone else appended first. Nothing was written. */
export class StreamRevisionConflict extends Error {
  override readonly name = 'StreamRevisionConflict';
  constructor(
    readonly stream: string,
    readonly expected: ExpectedRevision,
    /** The stream's actual last revision, undefined when the stream does not exist. */
    readonly actual: bigint | undefined,
  ) {
    super(`Stream "${stream}": ${expectation(expected)}, but ${finding(actual)}. Nothing was written; re-read the stream and try again.`);
  }
}

/**
 * An event id is already stored, but not as a retry of this same append (another stream, another
 * position, or mixed with new events). Nothing was written.
 */
export class EventIdConflict extends Error {
  override readonly name = 'EventIdConflict';
  constructor(
    readonly stream: string,
    readonly eventId: string,
    readonly storedIn: { stream: string; revision: bigint },
  ) {
    super(
      `Event ${eventId} appended to "${stream}" is already stored in "${storedIn.stream}" at revision ${storedIn.revision}, and the append is not an exact retry of the earlier one. Nothing was written.`,
    );
  }
}

/** The store's file or database cannot be used by this Beacon (not a Beacon store, or made by a newer version). */
export class StoreNotUsable extends Error {
  override readonly name = 'StoreNotUsable';
  constructor(
    readonly location: string,
    reason: string,
  ) {
    super(`Cannot open the event store at ${location}: ${reason}`);
  }
}

/** The store's server could not be reached or refused the connection; the reason says what to check. */
export class StoreUnavailable extends Error {
  override readonly name = 'StoreUnavailable';
  constructor(
    readonly location: string,
    reason: string,
  ) {
    super(`Cannot connect to the event store at ${location}: ${reason}`);
  }
}
