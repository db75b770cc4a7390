import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git, tempRepo } from '../helpers/temp.js';
import { planYaml, step } from '../runtime/fixtures.js';
import { runCli } from './run-cli.js';

// `troupe plan resolve --use` and conflict markers (issue 74): a file that
// still holds them is refused, unless --allow-markers says it should.

let dir: string;
let cleanup: () => Promise<void>;
let planId: string;

beforeAll(async () => {
  ({ dir, cleanup } = await tempRepo({ 'a.txt': 'one\ntwo\n' }));
  writeFileSync(
    join(dir, 'marks.yaml'),
    planYaml({
      name: 'demo/marks',
      strategy: { steps: [step('Edit a', 'fs/write-file', { path: 'a.txt', content: 'one\nTWO plan\n' })] },
    }),
  );
  const run = await runCli(dir, ['plan', 'run', 'marks.yaml', '--json']);
  expect(run.code).toBe(0);
  planId = JSON.parse(run.stdout).id;
  writeFileSync(join(dir, 'a.txt'), 'one\nTWO user\n');
  git(dir, 'commit', '-qam', 'the user moved on');
  expect((await runCli(dir, ['plan', 'apply', 'demo/marks'])).code).toBe(3);
});
afterAll(() => cleanup());

const conflicts = async () => (await runCli(dir, ['plan', 'conflicts', 'demo/marks', '--json'])).stdout;

describe('troupe plan resolve --use and conflict markers', () => {
  it('refuses the copy with its markers left, naming it and the first marker line (exit 2, nothing changed)', async () => {
    const before = await conflicts();
    const copy = `.troupe/conflicts/${planId}/a.txt`;
    const marked = await runCli(dir, ['plan', 'resolve', 'demo/marks', 'a.txt', '--use', copy]);
    expect(marked.code).toBe(2);
    expect(marked.stderr).toContain(
      `error[VALIDATION_ERROR]: --use: ${copy} still holds a conflict marker at line 2 (<<<<<<< ours)\n`,
    );
    expect(marked.stderr).toContain('--allow-markers');
    const sided = await runCli(dir, ['plan', 'resolve', 'demo/marks', 'a.txt', '--ours', '--allow-markers']);
    expect(sided.code).toBe(2);
    expect(sided.stderr).toContain(
      'error[VALIDATION_ERROR]: --allow-markers: goes with --use <path>: --ours takes a side of the merge',
    );
    expect(await conflicts()).toBe(before);
  });

  it('takes a file meant to hold markers with --allow-markers, and apply commits it as it is', async () => {
    const fixture = 'one\n<<<<<<< ours\nx\n=======\ny\n>>>>>>> theirs\n';
    writeFileSync(join(dir, 'fixture.txt'), fixture);
    const resolved = await runCli(dir, [
      'plan',
      'resolve',
      'demo/marks',
      'a.txt',
      '--use',
      'fixture.txt',
      '--allow-markers',
    ]);
    expect(resolved).toMatchObject({ code: 0, stderr: '' });
    expect(resolved.stdout).toContain('✓ resolved a.txt with your file; no conflicts left');
    expect((await runCli(dir, ['plan', 'apply', 'demo/marks'])).code).toBe(0);
    expect(readFileSync(join(dir, 'a.txt'), 'utf8')).toBe(fixture);
  });
});
