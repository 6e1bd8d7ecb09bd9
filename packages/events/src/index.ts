export { Actor, RecordedAt } from './common.js';
export { fromStoredEvent, InvalidEvent, type RecordedBeaconEvent, toEventToAppend, UnreadableEvent } from './codec.js';
export {
  AccessRefused,
  AccountClosed,
  AccountId,
  AccountOpened,
  ApiTokenIssued,
  PasswordSet,
  Role,
  TokenRevoked,
  type BeaconEvent,
  type BeaconEventType,
  beaconEvents,
  type EventData,
  type EventOfType,
  PopulationRecorded,
  ReadingRecorded,
  ReadingSuperseded,
  ReturnReceived,
  TargetSet,
} from './events.js';
export { eventId, eventIdsAfter, streamOf } from './ids.js';
export { catalogueRecords, type EventForStream } from './from-catalogue.js';
