import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Debian's Chromium; BEACON_CHROMIUM names another. */
export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

/**
 * Flags for a headless Chromium on a closed network: without the background-networking ones it
 * keeps trying Google's hosts, and those connections are refused many at a time. No sandbox, as
 * Beacon's services may run as root. Each start gets a fresh profile (--user-data-dir) too.
 */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Chromium is not where Beacon was told to find it: the PDF export says how to install it. */
export class ChromiumMissing extends Error {
  override readonly name = 'ChromiumMissing';
  constructor(path: string) {
    super(
      `The PDF needs Chromium, and there is none at ${path}. Install it (Debian: apt-get install -y chromium) or set BEACON_CHROMIUM; ` +
        "meanwhile open the printable report and use the browser's Print, Save as PDF.",
    );
  }
}

/** One PDF at a time: each is a whole browser, and the machine is small. */
let queue: Promise<unknown> = Promise.resolve();

/** The page at `url` printed to PDF by headless Chromium (A4, as the print stylesheet lays it out). */
export function printToPdf(url: string, chromium = DEFAULT_CHROMIUM): Promise<Buffer> {
  const work = queue.then(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'beacon-pdf-'));
    const pdf = join(dir, 'report.pdf');
    try {
      await new Promise<void>((resolve, reject) => {
        execFile(
          chromium,
          [...CHROMIUM_FLAGS, `--user-data-dir=${join(dir, 'profile')}`, '--no-pdf-header-footer', `--print-to-pdf=${pdf}`, url],
          { timeout: 60_000 },
          (error) => {
            if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') reject(new ChromiumMissing(chromium));
            else if (error) reject(error);
            else resolve();
          },
        );
      });
      return await readFile(pdf);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
  queue = work.catch(() => undefined);
  return work;
}
