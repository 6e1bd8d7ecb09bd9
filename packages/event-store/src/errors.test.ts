import { describe, expect, it } from 'vitest';
import { EventIdConflict, StoreNotUsable, StoreUnavailable, StreamRevisionConflict } from './errors.js';

describe('event-store errors', () => {
  it('a revision conflict says what was expected and what was found', () => {
    expect(new StreamRevisionConflict('return-7', 3n, 5n).message).toBe(
      'Stream "return-7": expected revision 3, but it is at revision 5. Nothing was written; re-read the stream and try again.',
    );
    expect(new StreamRevisionConflict('return-7', 'stream_exists', undefined).message).toContain(
      'expected the stream to exist, but it does not exist.',
    );
    expect(new StreamRevisionConflict('return-7', 'no_stream', 0n).message).toContain('expected no stream, but it is at revision 0.');
  });

  it('an id conflict says where the event is stored', () => {
    const error = new EventIdConflict('return-8', 'a1b2', { stream: 'return-7', revision: 4n });
    expect(error.name).toBe('EventIdConflict');
    expect(error.message).toContain('Event a1b2 appended to "return-8" is already stored in "return-7" at revision 4');
  });

  it('an unusable store names its location and the reason', () => {
    expect(new StoreNotUsable('/var/beacon/events.sqlite', 'it is not a database.').message).toBe(
      'Cannot open the event store at /var/beacon/events.sqlite: it is not a database.',
    );
  });

  it('an unavailable store names its location and what to do', () => {
    expect(new StoreUnavailable('PostgreSQL database "beacon" on db:5432', 'connection refused. Start PostgreSQL.').message).toBe(
      'Cannot connect to the event store at PostgreSQL database "beacon" on db:5432: connection refused. Start PostgreSQL.',
    );
  });
});
