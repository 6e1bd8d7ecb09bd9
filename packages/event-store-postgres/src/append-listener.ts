import pg from 'pg';

/** How long the listener waits before connecting again after losing its connection. */
const reconnectDelayMs = 1_000;

/**
 * Wakes the store's subscriptions when any process appends: a connection of its own LISTENs on
 * the channel every append NOTIFYs (in its transaction, so the notification comes after the
 * commit). A slow poll of the head position covers what a notification cannot: appends made
 * while the listening connection is down or reconnecting. Runs only while there are subscriptions,
 * and keeps the process alive meanwhile, as a listening server would.
 */
export class AppendListener {
  private halted = false;
  private halt: () => void = () => {};
  private readonly haltedSignal = new Promise<void>((resolve) => {
    this.halt = resolve;
  });
  private readonly poll: NodeJS.Timeout;
  private readonly listening: Promise<void>;
  private knownHead: bigint | undefined;

  constructor(
    private readonly config: pg.ClientConfig,
    private readonly channel: string,
    private readonly onAppend: () => void,
    headPosition: () => Promise<bigint>,
    pollIntervalMs: number,
  ) {
    this.poll = setInterval(() => {
      headPosition().then(
        (head) => {
          if (head !== this.knownHead) {
            this.knownHead = head;
            this.onAppend();
          }
        },
        // The subscriptions' own reads report a store that cannot be read.
        () => {},
      );
    }, pollIntervalMs);
    this.listening = this.listen();
  }

  /** Resolves once the listening connection is closed. */
  async stop(): Promise<void> {
    this.halted = true;
    this.halt();
    clearInterval(this.poll);
    await this.listening;
  }

  private async listen(): Promise<void> {
    while (!this.halted) {
      const client = new pg.Client(this.config);
      // A lost connection ends with 'end'; without a listener, 'error' would crash the process.
      client.on('error', () => {});
      client.on('notification', () => this.onAppend());
      const ended = new Promise<void>((resolve) => client.once('end', resolve));
      try {
        await client.connect();
        await client.query(`LISTEN ${this.channel}`);
        // Appends made before LISTEN took effect were announced to nobody.
        if (!this.halted) this.onAppend();
        await Promise.race([ended, this.haltedSignal]);
      } catch {
        // Not reachable now: the poll goes on meanwhile; try again after a pause.
      }
      await client.end().catch(() => {});
      if (!this.halted) await this.pause(reconnectDelayMs);
    }
  }

  private async pause(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.haltedSignal, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
    clearTimeout(timer);
  }
}
