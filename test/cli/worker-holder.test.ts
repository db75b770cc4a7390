import { describe, expect, it } from 'vitest';
import { workerNameOf } from '../../src/cli/commands/worker.js';
import { formatPlanRecord, nextStepHint } from '../../src/cli/format/plan-record.js';
import { Output } from '../../src/cli/output.js';
import type { PlanHolder } from '../../src/domain/index.js';
import { planRecord } from '../store/fixtures.js';
import { tempDir } from '../helpers/temp.js';
import { runCli } from './run-cli.js';

// Issue 37 item 3: `troupe worker --name` is checked before anything starts, and
// `plan status` names the worker holding a child or says it stopped answering.

const out = new Output({ json: false, stream: false, color: false }, { stdout: () => {}, stderr: () => {} });
const NOW = Date.parse('2026-11-25T15:00:20.000Z');
const holder: PlanHolder = {
  planId: 'P',
  worker: 'w1',
  host: 'build-3',
  pid: 4242,
  since: '2026-11-25T15:00:00.000Z',
  heardAt: '2026-11-25T15:00:08.000Z',
};

describe('troupe worker --name', () => {
  it('takes a name of letters, digits, ".", "_" and "-", and none (the default: <host>-<pid>)', () => {
    expect(workerNameOf('w1')).toBe('w1');
    expect(workerNameOf('build-3.eu_1')).toBe('build-3.eu_1');
    expect(workerNameOf(undefined)).toBeUndefined();
  });

  it.each(['', 'two words', '-w1', 'a/b', 'x'.repeat(65), 'w1\n'])(
    'refuses %j with VALIDATION_ERROR naming --name',
    (name) => {
      expect(() => workerNameOf(name)).toThrow(
        expect.objectContaining({ code: 'VALIDATION_ERROR', message: expect.stringContaining('--name') }),
      );
    },
  );

  it('refuses a bad name on the command line before it looks for settings, with a hint and no stack trace', async () => {
    const dir = await tempDir('troupe-worker-name-');
    try {
      const result = await runCli(dir.dir, ['worker', '--name', 'two words']);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain('error[VALIDATION_ERROR]');
      expect(result.stderr).toContain('--name: must be 1 to 64 letters');
      expect(result.stderr).toContain('hint: troupe worker --name w1');
    } finally {
      await dir.cleanup();
    }
  });
});

describe('plan status of a child a worker holds', () => {
  const processing = planRecord({ name: 'demo/c', phase: 'execute', status: 'processing' });

  it('names the worker, its host and pid, and when it was last heard from', () => {
    const text = formatPlanRecord(processing, out, { live: true, holder, now: NOW });
    expect(text).toContain(
      'worker      w1 on host build-3 (pid 4242) since 2026-11-25T15:00:00.000Z · last heard 12 s ago',
    );
    expect(text).not.toContain('stopped');
  });

  it('says a worker whose claim is gone stopped answering, and gives no resume hint: another worker takes it', () => {
    const text = formatPlanRecord(processing, out, { live: false, holder, now: NOW });
    expect(text).toContain('worker      its worker w1 on host build-3 stopped answering 12 s ago; waiting for another');
    expect(text).not.toContain('no process drives it');
    expect(nextStepHint(processing, [], false, holder)).toBe('');
    // a plan no worker held stopped as before: resume it
    expect(formatPlanRecord(processing, out, { live: false, holder: null, now: NOW })).toContain(
      'no process drives it since',
    );
    expect(nextStepHint(processing, [], false, null)).toBe('hint: troupe plan resume demo/c');
  });

  it('shows no worker for a plan at rest', () => {
    const text = formatPlanRecord({ ...processing, status: 'complete' }, out, { live: false, holder, now: NOW });
    expect(text).not.toContain('w1');
  });
});
