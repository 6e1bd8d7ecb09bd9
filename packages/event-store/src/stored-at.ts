import type { EventToAppend } from './event-store.js';

/**
 * The `storedAt` an event to append asks for, checked: undefined when it asks for none. Only the
 * form `StoredEvent.storedAt` has (`Date#toISOString()`), so a copied log reads back identically.
 */
export function requestedStoredAt(event: EventToAppend): string | undefined {
  const { storedAt } = event;
  if (storedAt === undefined) return undefined;
  const time = typeof storedAt === 'string' ? Date.parse(storedAt) : Number.NaN;
  if (Number.isNaN(time) || new Date(time).toISOString() !== storedAt) {
    throw new RangeError(
      `Event ${event.id} has storedAt ${JSON.stringify(storedAt)}; it must be a UTC time as Date#toISOString() writes it, e.g. "2009-04-15T09:30:00.000Z". Nothing was written.`,
    );
  }
  return storedAt;
}
