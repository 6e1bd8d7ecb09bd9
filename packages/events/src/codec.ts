import type { EventToAppend, StoredEvent } from '@beacon/event-store';
import { type BeaconEvent, type BeaconEventType, beaconEvents } from './events.js';
import { upcasters } from './upcasters.js';

/** A Beacon event as read back from the store, with where it sits in the log. */
export type RecordedBeaconEvent = BeaconEvent & Pick<StoredEvent, 'id' | 'stream' | 'revision' | 'position' | 'storedAt'>;

/** The event is invalid and was not written. */
export class InvalidEvent extends Error {
  override readonly name = 'InvalidEvent';
}

/** A stored event cannot be read by this Beacon. */
export class UnreadableEvent extends Error {
  override readonly name = 'UnreadableEvent';
  constructor(
    readonly stored: Pick<StoredEvent, 'stream' | 'revision' | 'position' | 'type'>,
    reason: string,
  ) {
    super(`Event ${stored.type} at position ${stored.position} (stream "${stored.stream}", revision ${stored.revision}): ${reason}`);
  }
}

const isKnownType = (type: string): type is BeaconEventType => Object.hasOwn(beaconEvents, type);

const issuesText = (issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): string =>
  issues.map((issue) => `${issue.path.map(String).join('.') || '(data)'}: ${issue.message}`).join('; ');

/** Validates an event and gives it the shape the store takes, stamped with its schema version. */
export function toEventToAppend(event: BeaconEvent, id: string): EventToAppend {
  const { version, schema } = beaconEvents[event.type];
  const parsed = schema.safeParse(event.data);
  if (!parsed.success) throw new InvalidEvent(`${event.type} is not valid: ${issuesText(parsed.error.issues)}`);
  return { id, type: event.type, data: parsed.data, metadata: { schemaVersion: version } };
}

/** Reads a stored event: upcasts it to the current schema version, then validates it. */
export function fromStoredEvent(stored: StoredEvent): RecordedBeaconEvent {
  if (!isKnownType(stored.type)) throw new UnreadableEvent(stored, 'unknown event type; was it written by a newer Beacon?');
  const { version: current, schema } = beaconEvents[stored.type];
  const storedVersion = stored.metadata.schemaVersion ?? 1;
  if (typeof storedVersion !== 'number' || !Number.isInteger(storedVersion) || storedVersion < 1) {
    throw new UnreadableEvent(stored, `schemaVersion ${JSON.stringify(storedVersion)} is not a version number`);
  }
  if (storedVersion > current) {
    throw new UnreadableEvent(stored, `schema version ${storedVersion} is newer than this Beacon knows (${current}); upgrade Beacon`);
  }
  let data = stored.data as Record<string, unknown>;
  for (let version = storedVersion; version < current; version++) {
    const upcast = upcasters[stored.type]?.[version];
    if (!upcast) throw new UnreadableEvent(stored, `no upcaster from schema version ${version}`);
    data = upcast(data);
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) throw new UnreadableEvent(stored, `data does not match schema version ${current}: ${issuesText(parsed.error.issues)}`);
  const { id, stream, revision, position, storedAt } = stored;
  return { type: stored.type, data: parsed.data, id, stream, revision, position, storedAt } as RecordedBeaconEvent;
}
