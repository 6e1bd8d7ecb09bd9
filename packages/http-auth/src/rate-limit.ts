/**
 * At most `limit` uses per `windowMs` for each key (a token, an address, a user name), over a
 * sliding window: the times of the uses still inside it are kept, so a burst at the end of one
 * minute and the start of the next counts as one burst.
 */
export class RateLimit {
  private readonly uses = new Map<string, number[]>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes one use for `key`; when none is left, says in how many whole seconds one will be. */
  take(key: string): { ok: true } | { ok: false; retryAfterSeconds: number } {
    const now = this.now();
    const since = now - this.windowMs;
    const times = (this.uses.get(key) ?? []).filter((time) => time > since);
    if (times.length >= this.limit) {
      this.uses.set(key, times);
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(((times[0] as number) - since) / 1000)) };
    }
    times.push(now);
    this.uses.set(key, times);
    if (this.uses.size > 10_000) this.forget(since);
    return { ok: true };
  }

  private forget(since: number): void {
    for (const [key, times] of this.uses) if ((times.at(-1) ?? 0) <= since) this.uses.delete(key);
  }
}
