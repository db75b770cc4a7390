import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Changeset } from '../../src/domain/index.js';
import { startFakeOpenAI } from '../helpers/fake-openai.js';
import { tempRepo } from '../helpers/temp.js';
import { planYaml, step } from '../runtime/fixtures.js';
import { runCli } from './run-cli.js';

// What a terminal shows of text a plan, its commands or its model wrote (docs/reference/cli.md#what-a-terminal-shows):
// escape sequences, a lone CR and bidi overrides escaped, file names quoted as git quotes them; --json as it was.

// anything a terminal would act on: C0 but tab and LF, DEL, C1, the bidi controls (troupe's own colours are off here)
const ACTS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const PIPED = { env: { NO_COLOR: '1' } };
const TERMINAL = { isTty: true, env: { NO_COLOR: '1' } };

// a line that erases itself and the one above, a name that breaks the line, one that reads backwards
const NAMES = ['a\u001b[2K\u001b[1Afake.txt', 'two\nlines.txt', 'invoice\u202Efdp.sh'];
// what a hostile model says: a clipboard write, a new window title, a reversed run, a line rewritten by CR
const MODEL_TEXT = 'Done.\u001b]52;c;cm0gLXJmIH4=\u0007\u001b]0;pwned\u0007 \u202Eevil\rFAKE';

let dir: string;
let cleanup: () => Promise<void>;
let fake: Awaited<ReturnType<typeof startFakeOpenAI>>;
beforeAll(async () => {
  ({ dir, cleanup } = await tempRepo({ 'README.md': '# project\n' }));
  const steps = NAMES.map((path, at) => step(`Write\u202E file ${at + 1}`, 'fs/write-file', { path, content: 'x\n' }));
  writeFileSync(
    join(dir, 'names.yaml'),
    planYaml({ name: 'demo/names', goal: 'Name files\u202E badly\rOK', automation: 'review', strategy: { steps } }),
  );
  expect((await runCli(dir, ['plan', 'run', 'names.yaml'])).code).toBe(0);
  fake = await startFakeOpenAI([
    { text: MODEL_TEXT, calls: [{ name: 'write_file', input: { path: 'notes.txt', content: 'n\n' } }] },
    { text: 'All done.' },
  ]);
  writeFileSync(
    join(dir, 'model.yaml'),
    stringify({
      name: 'demo/model',
      goal: 'Write notes',
      agent: { model: 'openai-compatible:fake-coder', baseURL: fake.url },
    }),
  );
  expect((await runCli(dir, ['plan', 'run', 'model.yaml'])).code).toBe(0);
});
afterAll(async () => {
  await fake.close();
  await cleanup();
});

describe('troupe plan changes', () => {
  it('quotes the names a plan gave its files as git does, one line each, on a terminal and piped', async () => {
    for (const options of [TERMINAL, PIPED]) {
      const result = await runCli(dir, ['plan', 'changes', 'demo/names'], options);
      expect(result.code).toBe(0);
      const lines = result.stdout.trimEnd().split('\n');
      expect(lines).toHaveLength(4);
      expect(lines.slice(1)).toEqual([
        '  A "a\\033[2K\\033[1Afake.txt"  +1 -0',
        '  A "invoice\\342\\200\\256fdp.sh"  +1 -0',
        '  A "two\\nlines.txt"  +1 -0',
      ]);
      expect(result.stdout).not.toMatch(ACTS);
    }
  });

  it('prints the names as they are with --json', async () => {
    const changeset = JSON.parse((await runCli(dir, ['plan', 'changes', 'demo/names', '--json'])).stdout) as Changeset;
    expect(changeset.files.map((file) => file.path).sort()).toEqual([...NAMES].sort());
  });
});

describe('troupe plan status and plan explain', () => {
  it('show a goal and step titles with their controls escaped', async () => {
    const status = await runCli(dir, ['plan', 'status', 'demo/names'], TERMINAL);
    expect(status.stdout).toContain('goal        Name files\\u{202e} badly\\x0dOK\n');
    expect(status.stdout).not.toMatch(ACTS);
    const explain = await runCli(dir, ['plan', 'explain', 'demo/names'], TERMINAL);
    expect(explain.stdout).toContain('step Write\\u{202e} file 1');
    expect(explain.stdout).toContain('fs/write-file {"path":"a\\u001b[2K\\u001b[1Afake.txt","content":"x\\n"}');
    expect(explain.stdout).not.toMatch(ACTS);
  });

  it('show what a model said as text, not as escape sequences', async () => {
    const explain = await runCli(dir, ['plan', 'explain', 'demo/model'], PIPED);
    expect(explain.stdout).toContain('Done.\\x1b]52;c;cm0gLXJmIH4=\\x07\\x1b]0;pwned\\x07 \\u{202e}evil\\x0dFAKE\n');
    expect(explain.stdout).not.toMatch(ACTS);
    const json = JSON.parse((await runCli(dir, ['plan', 'explain', 'demo/model', '--json'])).stdout) as {
      root: { children: { type: string; rationale: string }[] };
    };
    expect(JSON.stringify(json)).toContain(JSON.stringify(MODEL_TEXT));
  });
});

describe('the error printer', () => {
  it('escapes what an error message quotes, and keeps it in --json', async () => {
    const ref = 'demo/x\u001b]0;pwned\u0007\u001b[2J';
    const result = await runCli(dir, ['plan', 'status', ref], PIPED);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/^error\[\w+\]: /);
    expect(result.stderr).toContain('\\x1b]0;pwned\\x07\\x1b[2J');
    expect(result.stderr).not.toMatch(ACTS);
    const json = JSON.parse((await runCli(dir, ['plan', 'status', ref, '--json'])).stdout) as {
      error: { message: string };
    };
    expect(json.error.message).toContain('\u001b]0;pwned\u0007');
  });

  it('keeps its own colours and lets no message pass one off as its own', async () => {
    const result = await runCli(dir, ['plan', 'status', 'demo/x\u001b[32mfine\u001b[39m'], {
      env: { FORCE_COLOR: '1' },
    });
    expect(result.stderr).toMatch(/^\u001b\[31merror\[\w+\]\u001b\[39m: /);
    expect(result.stderr).toContain('\\x1b[32mfine\\x1b[39m');
    expect(result.stderr.replaceAll('\u001b[31m', '').replaceAll('\u001b[39m', '')).not.toMatch(ACTS);
  });
});
