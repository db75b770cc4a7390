import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempRepo } from '../helpers/temp.js';
import { planYaml } from '../runtime/fixtures.js';
import { runCli } from './run-cli.js';

// A Python project works first try (issue 74): a src-layout library with its contributors' .venv,
// an editable install (`pip install -e .`, whose .pth names the checkout's src/) and a version file
// setuptools-scm writes at install, which git ignores. Made for real here with Debian's python3-venv
// and pip from the registry this machine has, then driven as a new user would, through the CLI.

const run = promisify(execFile);

// the plan file of README's "Your first real plan", Python part, from its comment line to the end of its block
const README_PLAN = /```yaml\n# plans\/plural\.yaml\n([^]*?)```/.exec(
  readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8'),
)?.[1];

const LIBRARY = {
  'pyproject.toml': [
    '[build-system]',
    'requires = ["setuptools>=64", "setuptools-scm>=8"]',
    'build-backend = "setuptools.build_meta"',
    '',
    '[project]',
    'name = "humble"',
    'dynamic = ["version"]',
    'requires-python = ">=3.9"',
    '',
    '[project.optional-dependencies]',
    'test = ["pytest"]',
    '',
    '[tool.setuptools_scm]',
    'version_file = "src/humble/_version.py"',
    '',
  ].join('\n'),
  'src/humble/__init__.py':
    'from humble._version import version as __version__\n\n\ndef natural_size(n: int) -> str:\n    return f"{n} B" if n < 1000 else f"{n / 1000:.1f} kB"\n',
  'tests/test_size.py':
    'import humble\n\n\ndef test_size():\n    assert humble.natural_size(1500) == "1.5 kB"\n\n\ndef test_version():\n    assert humble.__version__\n',
  '.gitignore': '.venv/\n__pycache__/\n*.egg-info/\nsrc/humble/_version.py\n',
};

// the plan changes the library and tests the change: passing proves the editable install leads to the plan's files
const CHANGED_INIT = `${LIBRARY['src/humble/__init__.py']}\n\ndef plural(n: int, word: str) -> str:\n    return f"{n} {word}" if n == 1 else f"{n} {word}s"\n`;

let dir = '';
let cleanup: () => Promise<void> = async () => {};

beforeAll(async () => {
  const repo = await tempRepo(LIBRARY);
  cleanup = repo.cleanup;
  dir = await realpath(repo.dir);
  await run('python3', ['-m', 'venv', '.venv'], { cwd: dir });
  // no retries against an index this machine cannot reach: pip goes on to the ones it can
  await run(join(dir, '.venv/bin/pip'), ['install', '-q', '-e', '.[test]'], {
    cwd: dir,
    env: { ...process.env, PIP_RETRIES: '0', PIP_DISABLE_PIP_VERSION_CHECK: '1' },
    timeout: 240_000,
  });
  writeFileSync(
    join(dir, 'size.yaml'),
    planYaml({
      name: 'humble/three-ways',
      resourceScopes: ['src/**', 'tests/**'],
      strategy: {
        steps: [
          {
            title: 'Add plural',
            tool: 'fs/write-file',
            input: { path: 'src/humble/__init__.py', content: CHANGED_INIT },
          },
          {
            title: 'Test it',
            tool: 'fs/write-file',
            input: {
              path: 'tests/test_plural.py',
              content: 'from humble import plural\n\n\ndef test_plural():\n    assert plural(2, "file") == "2 files"\n',
            },
          },
        ],
      },
      validate: [
        { run: 'pytest -q' },
        { run: '.venv/bin/pytest -q' },
        { run: '.venv/bin/python -m pytest -q' },
        // the project's own path, the plan's branch, and nothing of troupe's or the user's checkout
        {
          run: `test "$PWD" = "${dir}" && test "$(git rev-parse --abbrev-ref HEAD)" != main && test ! -e .troupe && test "$VIRTUAL_ENV" = "${dir}/.venv"`,
        },
      ],
    }),
  );
}, 300_000);

afterAll(async () => cleanup());

describe('a Python project with an editable install in .venv', () => {
  it('names the generated version file a plan lacks, then validates with pytest three ways once init shared it', async () => {
    // what a user had before troupe init found the version file: .venv shared
    mkdirSync(join(dir, '.troupe'), { recursive: true });
    writeFileSync(join(dir, '.troupe', 'config.json'), JSON.stringify({ sandbox: { share: ['.venv'] } }));
    const failed = await runCli(dir, ['plan', 'run', 'size.yaml'], { env: { NO_COLOR: '1' } });
    expect(failed.code).not.toBe(0);
    const said = `${failed.stdout}${failed.stderr}`;
    expect(said).toContain("No module named 'humble._version'");
    expect(said).toContain(
      "hint: src/humble/_version.py is in your checkout but not in the plan's worktree: git ignores it (your installed environment made it) — add it to sandbox.share in .troupe/config.json, or run troupe init, which shares such files (docs/explanation/sandbox.md#generated-files)",
    );
    const doctor = await runCli(dir, ['doctor'], { env: { NO_COLOR: '1' } });
    expect(doctor.stdout).toContain(
      "! generated files  src/humble/_version.py is ignored by git, so plans' worktrees lack it",
    );

    expect((await runCli(dir, ['init'])).stdout).toContain(
      'sharing src/humble/_version.py read-only with plans: git ignores it',
    );
    const passed = await runCli(dir, ['plan', 'validate', 'humble/three-ways'], { env: { NO_COLOR: '1' } });
    expect(passed.stdout, passed.stderr).toMatch(/validate · complete/);
    const logs = await runCli(dir, ['plan', 'logs', 'humble/three-ways', '--phase', 'validate'], {
      env: { NO_COLOR: '1' },
    });
    // each of the three ran the plan's three tests: its change, through the editable install
    expect(logs.stdout.match(/3 passed/g)?.length, logs.stdout).toBe(3);
    // the user's checkout is as it was
    expect(readFileSync(join(dir, 'src/humble/__init__.py'), 'utf8')).toBe(LIBRARY['src/humble/__init__.py']);
  }, 240_000);

  it('runs the README’s Python plan as written: its patch, pytest through the editable install, and apply', async () => {
    expect(README_PLAN, 'the README shows plans/plural.yaml').toBeDefined();
    writeFileSync(join(dir, 'plural.yaml'), README_PLAN!);
    const ran = await runCli(dir, ['plan', 'run', 'plural.yaml'], { env: { NO_COLOR: '1' } });
    expect(ran.code, `${ran.stdout}${ran.stderr}`).toBe(0);
    expect(ran.stdout).toContain('phase       validate · complete');
    expect((await runCli(dir, ['plan', 'apply', 'humble/plural'])).code).toBe(0);
    expect(readFileSync(join(dir, 'src/humble/__init__.py'), 'utf8')).toBe(CHANGED_INIT);
  }, 120_000);
});
