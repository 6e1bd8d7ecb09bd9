import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const aptGet = (args: string[]) => spawnSync('apt-get', ['-y', '-q', ...args], { encoding: 'utf8', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });

/**
 * Makes sure a program from Debian's packages is there (Chromium for the browser tests, wrk for
 * the benchmark), installing it with apt-get when it is not: the test command installs what it
 * needs. Throws, saying why and what to run, when it cannot: the tests then fail, never skip.
 */
export function ensureDebianPackage(binary: string, pkg: string): void {
  if (existsSync(binary)) return;
  if (process.getuid?.() !== 0) {
    throw new Error(`${binary} is missing and only root can install it: run "apt-get install -y ${pkg}" as root, then run the tests again.`);
  }
  console.log(`Installing ${pkg} from Debian's packages (apt-get install -y ${pkg})...`);
  let result = aptGet(['install', pkg]);
  // A fresh machine may have no package lists yet, or stale ones.
  if (result.status !== 0 || !existsSync(binary)) {
    const update = aptGet(['update']);
    result = update.status === 0 ? aptGet(['install', pkg]) : update;
  }
  if (result.status !== 0 || !existsSync(binary)) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}`.trim().split('\n').slice(-15).join('\n');
    throw new Error(`Could not install ${pkg} with apt-get (exit ${result.status}), so ${binary} is missing. The last lines apt-get printed:\n${output}`);
  }
}
