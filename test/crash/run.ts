// The long crash run: `npm run test:crash -- --runs 100 [--seed N] [--workers K] [--only I]`.
// Runs the first N kill points of a seed (a random seed unless given) against
// one uninterrupted reference run, prints each outcome and a summary, and
// exits 1 when any kill point ended differently.
import { parseArgs } from 'node:util';
import { describePoint, killPoints, referenceRun, runKillPoint, type KillPointResult } from './kill-points.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '100' },
    seed: { type: 'string' },
    workers: { type: 'string', default: '3' },
    only: { type: 'string', multiple: true },
  },
});
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
const only = (values.only ?? []).map(Number);
const runs = only.length > 0 ? Math.max(...only) + 1 : Number(values.runs);
const workers = Number(values.workers);
const points = killPoints(seed, runs).filter((point) => only.length === 0 || only.includes(point.index));

const started = Date.now();
console.log(`crash run: seed ${seed}, ${points.length} kill points, ${workers} workers`);
// a backstop over the children's own bounds (kill-points.ts): a run that hangs fails, saying where it stood
const running = new Set<number>();
const deadlineMs = (Math.ceil(points.length / Math.max(1, workers)) + 1) * 5 * 60_000;
setTimeout(() => {
  console.error(
    `crash run: did not end within ${deadlineMs / 60_000} min; still running: kill points ${[...running].join(', ') || 'none (the reference run)'}; reproduce one with npm run test:crash -- --seed ${seed} --only <index>`,
  );
  process.exit(1);
}, deadlineMs).unref();
const reference = await referenceRun();
console.log(`reference: ${reference.length.lines} journal lines, ${reference.length.ms} ms from ready to finished`);

const results: KillPointResult[] = [];
const queue = [...points];
await Promise.all(
  Array.from({ length: workers }, async () => {
    for (let point = queue.shift(); point; point = queue.shift()) {
      running.add(point.index);
      const result = await runKillPoint(point, reference);
      running.delete(point.index);
      results.push(result);
      const verdict = result.differences.length === 0 ? 'ok' : `FAILED\n    ${result.differences.join('\n    ')}`;
      const reran = result.reran.length > 0 ? `; re-ran outside the sandbox: ${result.reran.join(', ')}` : '';
      console.log(
        `[${results.length}/${points.length}] ${describePoint(point, reference.length)} -> ${result.killedAt}${reran} (${(result.ms / 1000).toFixed(1)} s) ${verdict}`,
      );
    }
  }),
);

const failures = results
  .filter((result) => result.differences.length > 0)
  .sort((a, b) => a.point.index - b.point.index);
const byPhase = new Map<string, number>();
for (const result of results) {
  const phase = bucket(result.killedAt);
  byPhase.set(phase, (byPhase.get(phase) ?? 0) + 1);
}
const order = ['strategize', 'execute', 'validate', 'not killed'];
const rank = (phase: string) => order.findIndex((name) => phase.startsWith(name));
console.log('\nsummary');
console.log(`  seed      ${seed}`);
console.log(`  runs      ${results.length}`);
console.log(`  failures  ${failures.length}`);
console.log(`  wall time ${((Date.now() - started) / 1000).toFixed(0)} s (${workers} workers)`);
console.log(`  re-ran a command outside the sandbox: ${results.filter((result) => result.reran.length > 0).length}`);
console.log('  killed at');
for (const [phase, count] of [...byPhase].sort(
  ([a], [b]) => rank(a) - rank(b) || a.localeCompare(b, 'en', { numeric: true }),
))
  console.log(`    ${String(count).padStart(4)}  ${phase}`);
for (const failure of failures)
  console.log(
    `  reproduce: npm run test:crash -- --seed ${seed} --only ${failure.point.index}   (${failure.killedAt})`,
  );
process.exitCode = failures.length > 0 ? 1 : 0;

/** `execute/processing step 2 [p:apply/done q:execute/processing]` → `… step 2 (fan-out: 2 of 3 children created, 1 merged)`. */
function bucket(killedAt: string): string {
  if (killedAt.startsWith('not killed')) return 'not killed (the run ended first)';
  const [, at, children] = /^(.*?)(?: \[(.*)\])?$/.exec(killedAt)!;
  if (!at!.endsWith('step 2')) return at!;
  const states = children ? children.split(' ') : [];
  const merged = states.filter((state) => state.endsWith('apply/done')).length;
  return `${at} (fan-out: ${states.length} of 3 children created, ${merged} merged)`;
}
