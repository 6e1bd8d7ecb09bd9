// `npm run bench`: every benchmark of the repository, one after another (they would disturb each
// other's figures if run together). Each prints its own figures. Pass a path fragment to run some:
// `npm run bench -- event-store`.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const wanted = process.argv.slice(2);
const benches = ['packages', 'services']
  .flatMap((group) => readdirSync(join(root, group)).map((name) => join(group, name, 'bench')))
  .filter((dir) => existsSync(join(root, dir)))
  .flatMap((dir) => readdirSync(join(root, dir)).filter((file) => file.endsWith('.bench.ts')).map((file) => join(dir, file)))
  .filter((file) => wanted.length === 0 || wanted.some((fragment) => file.includes(fragment)))
  .sort();

let failed = 0;
for (const file of benches) {
  console.log(`\n=== ${file}`);
  const { status } = spawnSync(join(root, 'node_modules/.bin/tsx'), [file], { cwd: root, stdio: 'inherit' });
  if (status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
