// `npm run demo`: runs Redline on examples/demo, whose suite holds passing tests, a failing one,
// a leaking file and a file that hoards memory until the guard stops it (limit 1 GB in its
// redline.config.json). The run is expected to end with exit code 2 ("a file was stopped");
// this script says so and exits 0 then, so the demo reads as the success it is.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = [join(repo, 'dist/cli.js'), 'run', '--root', join(repo, 'examples/demo'), '--leaks', ...process.argv.slice(2)];
console.log(`$ redline run --root examples/demo --leaks ${process.argv.slice(2).join(' ')}\n`);
const result = spawnSync(process.execPath, args, { stdio: 'inherit' });
const code = result.status ?? 4;
if (code === 2) {
  console.log('\nredline exited 2: the guard stopped the hoarding file, named its test, and the rest of the suite ran. That is the demo.');
  process.exit(0);
}
console.log(`\nredline exited ${code}; the demo expects 2 (a file stopped by the memory guard).`);
process.exit(code === 0 ? 1 : code);
