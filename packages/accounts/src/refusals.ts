import { randomUUID } from 'node:crypto';
import type { EventStore } from '@beacon/event-store';
import { type EventData, toEventToAppend } from '@beacon/events';

/** Refused requests are recorded in their own stream, apart from the accounts they are about. */
export const REFUSALS_STREAM = 'access-refused';

export type Refusal = Omit<EventData<'AccessRefused'>, 'recordedAt' | 'actor' | 'alsoRefused'>;

const beacon = { kind: 'system', id: 'beacon', name: 'Beacon access check' } as const;
const WINDOW_MS = 60_000;

interface Window {
  startedAt: number;
  recorded: number;
  /** Refused but not recorded one by one, and the last of them, which stands for them all. */
  unrecorded: number;
  last?: Refusal;
  timer?: NodeJS.Timeout;
}

export interface RefusalLogOptions {
  /** At most this many refusals a minute from one address are recorded one by one (default 60); the rest are counted. */
  perMinute?: number;
  now?: () => number;
  /** Told when a count of refusals could not be recorded (a timer's append has no caller to throw to). */
  onError?: (error: unknown) => void;
}

/**
 * Records every refused request as an AccessRefused event. A flood from one address could
 * otherwise fill the event log, so past `perMinute` refusals an address's refusals are counted
 * instead, and the count is recorded (with the last of them) when its minute is up: every refusal
 * is accounted for, and the log grows by at most `perMinute` + 1 events a minute per address.
 */
export class RefusalLog {
  private readonly windows = new Map<string, Window>();
  private readonly perMinute: number;
  private readonly now: () => number;

  constructor(
    private readonly store: EventStore,
    private readonly options: RefusalLogOptions = {},
  ) {
    this.perMinute = options.perMinute ?? 60;
    this.now = options.now ?? Date.now;
  }

  /** 'recorded' when appended as an event of its own; 'counted' when it will be recorded in a count. */
  async record(refusal: Refusal): Promise<'recorded' | 'counted'> {
    const now = this.now();
    const key = refusal.attempt.remoteAddress;
    let window = this.windows.get(key);
    if (!window || now - window.startedAt >= WINDOW_MS) {
      if (window) await this.flushWindow(key, window);
      this.forgetOldWindows(now);
      window = { startedAt: now, recorded: 0, unrecorded: 0 };
      this.windows.set(key, window);
    }
    if (window.recorded < this.perMinute) {
      window.recorded++;
      await this.append(refusal);
      return 'recorded';
    }
    window.unrecorded++;
    window.last = refusal;
    if (!window.timer) {
      const current = window;
      current.timer = setTimeout(() => this.flushWindow(key, current).catch((error) => this.options.onError?.(error)), WINDOW_MS - (now - window.startedAt));
      current.timer.unref();
    }
    return 'counted';
  }

  /** Records the counts still waiting for their minute to end (when a server closes). */
  async flush(): Promise<void> {
    for (const [key, window] of this.windows) await this.flushWindow(key, window);
  }

  private async flushWindow(key: string, window: Window): Promise<void> {
    clearTimeout(window.timer);
    window.timer = undefined;
    const { last, unrecorded } = window;
    window.unrecorded = 0;
    window.last = undefined;
    if (this.windows.get(key) === window && this.now() - window.startedAt >= WINDOW_MS) this.windows.delete(key);
    // The last stands for itself and the others.
    if (last) await this.append(last, unrecorded - 1);
  }

  private forgetOldWindows(now: number): void {
    if (this.windows.size < 10_000) return;
    for (const [key, window] of this.windows) if (now - window.startedAt >= WINDOW_MS && window.unrecorded === 0) this.windows.delete(key);
  }

  private async append(refusal: Refusal, alsoRefused?: number): Promise<void> {
    const data: EventData<'AccessRefused'> = { ...refusal, ...(alsoRefused && { alsoRefused }), recordedAt: new Date().toISOString(), actor: beacon };
    await this.store.append(REFUSALS_STREAM, [toEventToAppend({ type: 'AccessRefused', data }, randomUUID())]);
  }
}
