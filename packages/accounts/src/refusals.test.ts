import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteEventStore } from '@beacon/event-store-sqlite';
import { fromStoredEvent } from '@beacon/events';
import { describe, expect, it, onTestFinished } from 'vitest';
import { REFUSALS_STREAM, type Refusal, RefusalLog } from './refusals.js';

const refusal = (remoteAddress: string, path = '/returns'): Refusal => ({
  status: 401,
  action: 'submit-return',
  reason: 'the token is not one Beacon issued',
  attempt: { credential: 'token', tokenId: 'beacon_AAAAAAAA', remoteAddress, method: 'POST', path },
});

describe('the log of refused requests', () => {
  it('records each refusal as an event, and a flood from one address as a count: every refusal accounted for, the log bounded', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'beacon-refusals-'));
    const store = await openSqliteEventStore({ file: join(dir, 'events.sqlite') });
    onTestFinished(async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    });
    let now = 1_000_000;
    const log = new RefusalLog(store, { perMinute: 3, now: () => now });

    const outcomes = [];
    for (let i = 0; i < 10; i++) outcomes.push(await log.record(refusal('203.0.113.9', `/returns/${i}`)));
    expect(outcomes).toEqual(['recorded', 'recorded', 'recorded', ...Array(7).fill('counted')]);
    // Another address is not held back by the flood.
    expect(await log.record(refusal('198.51.100.7'))).toBe('recorded');

    // The minute is up: the next refusal starts a new one, after the count of the last is recorded.
    now += 60_000;
    expect(await log.record(refusal('203.0.113.9', '/returns/later'))).toBe('recorded');

    const events = (await store.readStream(REFUSALS_STREAM)).map(fromStoredEvent);
    const recorded = events.map((e) => (e.type === 'AccessRefused' ? [e.data.attempt.remoteAddress, e.data.attempt.path, e.data.alsoRefused ?? 0] : []));
    expect(recorded).toEqual([
      ['203.0.113.9', '/returns/0', 0],
      ['203.0.113.9', '/returns/1', 0],
      ['203.0.113.9', '/returns/2', 0],
      ['198.51.100.7', '/returns', 0],
      // The last of the seven counted stands for itself and the six others.
      ['203.0.113.9', '/returns/9', 6],
      ['203.0.113.9', '/returns/later', 0],
    ]);
    expect(events.every((e) => e.data.actor.id === 'beacon')).toBe(true);
  });
});
