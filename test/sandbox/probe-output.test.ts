import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { probeOutput } from '../../src/sandbox/index.js';
import { stall } from '../helpers/stall.js';
import { tempDir } from '../helpers/temp.js';

// probeOutput answers with all of a program's output or fails — never with
// part of it, even when this process stops running past the deadline while
// the program answers (a frozen worker read `bwrap --help` as empty and
// called bubblewrap 0.8 too old).

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function script(body: string): Promise<string> {
  const made = await tempDir('troupe-probe-');
  cleanups.push(made.cleanup);
  const path = join(made.dir, 'probe');
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

const LONG_ANSWER = 'x'.repeat(4_000);

describe('probeOutput', () => {
  it('answers with what the program printed', async () => {
    expect(await probeOutput('sh', ['-c', 'echo one; echo two'])).toBe('one\ntwo\n');
  });

  it('reads the whole answer when this process stalled past the deadline while the program answered', async () => {
    const probe = await script(`printf '%s' '${LONG_ANSWER}'`);
    const answers = [probeOutput(probe, [], { timeoutMs: 300 }), probeOutput(probe, [], { timeoutMs: 300 })];
    // stalled from the next turn of the loop: the programs run, answer and exit meanwhile, unread
    await new Promise<void>((resolve) => setImmediate(() => (stall(1_000), resolve())));
    expect(await Promise.all(answers)).toEqual([LONG_ANSWER, LONG_ANSWER]);
  });

  it('fails, with the time it waited, when the program does not answer — and stops it', async () => {
    const marker = await tempDir('troupe-probe-mark-');
    cleanups.push(marker.cleanup);
    const probe = await script(`echo $$ > ${marker.dir}/pid; exec sleep 30`);
    await expect(probeOutput(probe, [], { timeoutMs: 300 })).rejects.toThrow(/did not answer within 0.3 s/);
    const pid = Number(readFileSync(join(marker.dir, 'pid'), 'utf8'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(() => process.kill(pid, 0)).toThrow();
  });

  it('fails with its exit code and the first line it said when the program fails, or cannot start', async () => {
    const probe = await script("echo 'bad flag' >&2; echo more >&2; exit 3");
    await expect(probeOutput(probe, [])).rejects.toThrow(/exited with 3: bad flag$/);
    await expect(probeOutput('/nonexistent/probe', [])).rejects.toThrow(/ENOENT/);
  });
});
