import { existsSync } from 'node:fs';
import { DEFAULT_CHROMIUM } from '@beacon/web';
import { ensureDebianPackage } from '../../services/web/src/test-support/debian-package.js';

/** The browser tests run in Debian's Chromium, installed here when it is missing (never a browser downloaded by a test tool). */
export default function setup(): void {
  const chromium = process.env.BEACON_CHROMIUM ?? DEFAULT_CHROMIUM;
  if (chromium === DEFAULT_CHROMIUM) ensureDebianPackage(chromium, 'chromium');
  else if (!existsSync(chromium)) throw new Error(`BEACON_CHROMIUM=${chromium}: there is no Chromium there.`);
}
