import { hash } from 'node:crypto';

/** Beacon's UUID v5 namespace: fixed forever, or every deterministic id would change. */
const BEACON_NAMESPACE = '3f1c0b7e-5d2a-5b8e-9c41-7a6f0e2d9b13';
const namespaceBytes = Buffer.from(BEACON_NAMESPACE.replaceAll('-', ''), 'hex');

/** Between the parts of an id's name. */
const SEPARATOR = '\u001f';

/** The RFC 4122 variant bits (10xx) over the hash's nibble, by that nibble's value. */
const VARIANT_NIBBLE = '89ab89ab89ab89ab';

/**
 * UUID v5 (RFC 4122): the SHA-1 of namespace and name, with version and variant bits set; the
 * same as the uuid package's v5 (ids.test.ts checks). node:crypto's one-shot SHA-1 is ~8 times
 * faster than the package, which counts at one id per reading of a million-row return.
 */
function uuidV5(namespaceAndName: Uint8Array): string {
  const hex = hash('sha1', namespaceAndName, 'hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${VARIANT_NIBBLE[Number.parseInt(hex.charAt(16), 16)]}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * A deterministic event id from what the event is about (e.g. return id and row), so that
 * sending the same thing twice yields the same id and the store recognises the retry.
 */
export const eventId = (...parts: ReadonlyArray<string | number>): string =>
  uuidV5(Buffer.concat([namespaceBytes, Buffer.from(parts.join(SEPARATOR), 'utf8')]));

/**
 * eventId(...parts, n) for many whole numbers n after the same parts (a return's rows): the
 * name's start is encoded once and n written into it digit by digit. For a million readings
 * this saves the joins and buffers, and the number-to-string conversions, whose strings V8
 * caches long enough to move them to the old generation: ~20 MB of garbage per million ids.
 */
export function eventIdsAfter(...parts: ReadonlyArray<string | number>): (n: number) => string {
  const start = Buffer.concat([namespaceBytes, Buffer.from(`${parts.join(SEPARATOR)}${SEPARATOR}`, 'utf8')]);
  // Room for the 16 digits of the largest safe integer.
  const name = Buffer.concat([start, Buffer.alloc(16)]);
  return (n) => {
    if (!Number.isSafeInteger(n) || n < 0) return eventId(...parts, n);
    let end = start.length + 1;
    for (let rest = n; rest >= 10; rest = Math.floor(rest / 10)) end++;
    for (let at = end - 1, rest = n; at >= start.length; at--, rest = Math.floor(rest / 10)) name[at] = 48 + (rest % 10);
    return uuidV5(name.subarray(0, end));
  };
}

/** Stream names. A return is the unit of atomicity: all of its readings go to its own stream in one append. */
export const streamOf = {
  return: (returnId: string) => `return-${returnId}`,
  target: (targetId: string) => `target-${targetId}`,
  population: (area: string) => `population-${area}`,
} as const;
