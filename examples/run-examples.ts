// Runs every example's check (or the ones named): `npm run example -- quickstart`.
// Each examples/<name>/check.ts asserts its outcome and exits non-zero if it does not hold.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = import.meta.dirname;
const all = readdirSync(root, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(root, entry.name, 'check.ts')))
  .map((entry) => entry.name)
  .sort();
const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !all.includes(name));
if (unknown.length > 0) {
  console.error(`unknown example${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')} (examples: ${all.join(', ')})`);
  process.exit(2);
}
// each example's check is killed past this, and fails: a hang is a failure, never a run that does not end
const EXAMPLE_TIMEOUT_MS = 5 * 60_000;
let failed = 0;
for (const name of wanted.length > 0 ? wanted : all) {
  const started = Date.now();
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(root, name, 'check.ts')], {
    stdio: 'inherit',
    timeout: EXAMPLE_TIMEOUT_MS,
    killSignal: 'SIGKILL',
  });
  const ok = result.status === 0;
  if (!ok) failed += 1;
  const hung = (result.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT';
  console.log(
    `${ok ? 'ok  ' : 'FAIL'} examples/${name} (${Date.now() - started} ms${hung ? `: did not end within ${EXAMPLE_TIMEOUT_MS / 1000} s, killed` : ''})`,
  );
}
process.exit(failed === 0 ? 0 : 1);
