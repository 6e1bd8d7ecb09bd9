import { v5 as uuidV5 } from 'uuid';

/** Beacon's UUID v5 namespace: fixed forever, or every deterministic id would change. */
const BEACON_NAMESPACE = '3f1c0b7e-5d2a-5b8e-9c41-7a6f0e2d9b13';

/**
 * A deterministic event id from what the event is about (e.g. return id and row), so that
 * sending the same thing twice yields the same id and the store recognises the retry.
 */
export const eventId = (...parts: ReadonlyArray<string | number>): string => uuidV5(parts.join('\u001f'), BEACON_NAMESPACE);

/** Stream names. A return is the unit of atomicity: all of its readings go to its own stream in one append. */
export const streamOf = {
  return: (returnId: string) => `return-${returnId}`,
  target: (targetId: string) => `target-${targetId}`,
  population: (area: string) => `population-${area}`,
} as const;
