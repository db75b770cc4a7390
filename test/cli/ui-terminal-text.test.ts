import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { render } from 'ink-testing-library';
import { createElement } from 'react';
import { describe, expect, it } from 'vitest';
import { Line } from '../../src/cli/ui/Line.js';
import { git } from '../helpers/temp.js';
import { planYaml, step } from '../runtime/fixtures.js';
import { cleanups, project, show, until } from './ui-fixture.js';

// troupe ui shows text others wrote — goals, file names, conflict hunks — escaped, as the CLI does (docs/reference/cli.md#what-a-terminal-shows)

const ACTS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('a line of troupe ui', () => {
  it('shows an escape sequence, a CR and a bidi override instead of obeying them', () => {
    const view = render(createElement(Line, { children: 'ok\u001b]0;pwned\u0007\u001b[2J \u202Eevil\rFAKE' }));
    cleanups.push(() => view.unmount());
    expect(view.lastFrame()).toBe('ok\\x1b]0;pwned\\x07\\x1b[2J \\u{202e}evil\\x0dFAKE');
  });
});

describe('troupe ui (Ink) on a plan with hostile text', () => {
  it('shows its goal, its conflicting file and the hunks escaped', async () => {
    const name = 'e\u001b[2Kvil.txt';
    const { dir, runtime } = await project({ [name]: 'one\n' });
    const steps = [step('Edit', 'fs/write-file', { path: name, content: 'one\u001b]0;pwned\u0007\n' })];
    const plan = await runtime.createPlan(
      planYaml({ name: 'demo/hostile', goal: 'Tidy\u202E up', automation: 'review', strategy: { steps } }),
    );
    await runtime.run(plan.id);
    writeFileSync(join(dir, name), 'ONE\u001b[2J\n');
    git(dir, 'commit', '-qam', 'the user moved on');
    expect(await runtime.runPhase(plan.id, 'apply')).toMatchObject({ phase: 'apply', status: 'waiting' });
    const view = show(runtime);
    const details = await until(view.lastFrame, (text) => text.includes('"e\\033[2Kvil.txt"  content'));
    expect(details).toContain('Tidy\\u{202e} up');
    view.stdin.write('c');
    const conflicts = await until(view.lastFrame, (text) => text.includes('o ours · t theirs'));
    expect(conflicts).toContain('  ours   │ ONE\\x1b[2J\n  base   │ one\n  theirs │ one\\x1b]0;pwned\\x07\n');
    expect(conflicts).not.toMatch(ACTS);
  });
});
