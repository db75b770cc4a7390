import { describe, expect, it } from 'vitest';
import { dependencyHintFor, missingDependency, missingDependencyHint } from '../../src/domain/index.js';

// What each ecosystem prints when a dependency is not installed where it looks
// (issue 36: a first plan's `npm test` could not find zod, and nothing said why).

const NODE_REQUIRE = `node:internal/modules/cjs/loader:1210
  throw err;
  ^

Error: Cannot find module 'zod'
Require stack:
- /repo/.troupe/worktrees/p1/index.cjs
    at Module._resolveFilename (node:internal/modules/cjs/loader:1207:15)
    at Module._load (node:internal/modules/cjs/loader:1038:27) {
  code: 'MODULE_NOT_FOUND',
  requireStack: [ '/repo/.troupe/worktrees/p1/index.cjs' ]
}

Node.js v20.20.2
`;

const NODE_TEST_TAP = `TAP version 13
# node:internal/modules/esm/resolve:873
#   throw new ERR_MODULE_NOT_FOUND(packageName, fileURLToPath(base), null);
#         ^
# Error [ERR_MODULE_NOT_FOUND]: Cannot find package '@scope/tinydep' imported from /repo/t/x.test.mjs
#     at packageResolve (node:internal/modules/esm/resolve:873:9)
#   code: 'ERR_MODULE_NOT_FOUND'
# }
# Node.js v20.20.2
# Subtest: /repo/t/x.test.mjs
not ok 1 - /repo/t/x.test.mjs
  ---
  error: 'test failed'
  code: 'ERR_TEST_FAILURE'
  ...
# fail 1
`;

const PYTHON = `Traceback (most recent call last):
  File "/repo/app/main.py", line 1, in <module>
    import requests.adapters
ModuleNotFoundError: No module named 'requests'
`;

const RUBY =
  "<internal:/usr/lib/ruby/3.0.0/rubygems/core_ext/kernel_require.rb>:85:in `require': cannot load such file -- rack (LoadError)\n";
const BUNDLER = 'Could not find rack-3.0.8 in locally installed gems\nRun `bundle install` to install missing gems.\n';
const GO =
  'main.go:3:8: no required module provides package github.com/google/uuid; to add it:\n\tgo get github.com/google/uuid\n';
const PHP =
  'PHP Warning:  require(vendor/autoload.php): Failed to open stream: No such file or directory in /repo/test.php on line 3\n';

const err = (stderrTail: string) => ({ stdoutTail: '', stderrTail });

describe('missingDependency', () => {
  it('recognizes each ecosystem’s missing package, by its package name', () => {
    expect(missingDependency(err(NODE_REQUIRE))).toEqual({
      ecosystem: 'node',
      name: 'zod',
      folders: ['node_modules'],
      install: 'npm install',
    });
    expect(missingDependency({ stdoutTail: NODE_TEST_TAP, stderrTail: '' })).toMatchObject({
      ecosystem: 'node',
      name: '@scope/tinydep',
    });
    expect(
      missingDependency(
        err("src/a.ts(1,19): error TS2307: Cannot find module 'zod/v4' or its corresponding type declarations.\n"),
      ),
    ).toMatchObject({ name: 'zod' });
    expect(missingDependency(err(PYTHON))).toEqual({
      ecosystem: 'python',
      name: 'requests',
      folders: ['.venv', 'venv'],
      install: 'pip install into the virtual environment',
    });
    expect(missingDependency(err('/usr/bin/python3: No module named pytest\n'))).toMatchObject({
      ecosystem: 'python',
      name: 'pytest',
    });
    expect(missingDependency(err(RUBY))).toMatchObject({ ecosystem: 'ruby', name: 'rack', folders: ['vendor/bundle'] });
    expect(missingDependency(err(BUNDLER))).toMatchObject({ ecosystem: 'ruby', name: 'rack' });
    expect(missingDependency(err(GO))).toMatchObject({
      ecosystem: 'go',
      name: 'github.com/google/uuid',
      folders: ['vendor'],
    });
    expect(missingDependency(err(PHP))).toMatchObject({ ecosystem: 'php', folders: ['vendor'] });
  });

  it('recognizes an npm script whose program is not installed', () => {
    expect(
      missingDependency({
        stdoutTail: '\n> lib@1.0.0 test\n> vitest run\n\n',
        stderrTail: 'sh: 1: vitest: not found\n',
      }),
    ).toMatchObject({ ecosystem: 'node', name: 'vitest' });
    // without npm's script header, a missing program is not a package
    expect(missingDependency(err('sh: 1: vitest: not found\n'))).toBeNull();
  });

  it('reads the whole output when it was captured, not only the tails', () => {
    expect(
      missingDependency({
        stdoutTail: '',
        stderrTail: '# fail 1\n',
        output: { stdout: { text: NODE_TEST_TAP }, stderr: { text: '' } },
      }),
    ).toMatchObject({ name: '@scope/tinydep' });
  });

  it('leaves the project’s own files and other failures alone', () => {
    expect(missingDependency(err("Error: Cannot find module './lib/sum.js'\n"))).toBeNull();
    expect(
      missingDependency(
        err("Error [ERR_MODULE_NOT_FOUND]: Cannot find module '/repo/src/x.js' imported from /repo/t.mjs\n"),
      ),
    ).toBeNull();
    expect(missingDependency(err('cannot load such file -- ./lib/helper (LoadError)\n'))).toBeNull();
    expect(
      missingDependency({ stdoutTail: 'not ok 2 - adds\n  expected: 3\n  actual: 4\n', stderrTail: '' }),
    ).toBeNull();
  });
});

describe('missingDependencyHint', () => {
  const zod = missingDependency(err(NODE_REQUIRE))!;

  it('names sandbox.share and the folder when the project does not share it', () => {
    expect(missingDependencyHint(zod, [])).toBe(
      "'zod' was not found: node_modules is not shared with the sandbox — add it to sandbox.share in .troupe/config.json, or run troupe init, which shares the dependency folders it finds (docs/explanation/sandbox.md#shared-dependencies)",
    );
    expect(missingDependencyHint(missingDependency(err(PYTHON))!, ['node_modules'])).toContain(
      '.venv or venv is not shared with the sandbox — add it to sandbox.share',
    );
  });

  it('says to install it in the project when its folder is shared already', () => {
    expect(missingDependencyHint(zod, ['./node_modules'])).toBe(
      "'zod' was not found: node_modules is shared with the sandbox from your project, which lacks it — install it there (npm install), then run again (docs/explanation/sandbox.md#shared-dependencies)",
    );
    // sharing vendor shares vendor/bundle
    expect(missingDependencyHint(missingDependency(err(RUBY))!, ['vendor'])).toContain(
      'vendor/bundle is shared with the sandbox',
    );
  });

  it('says both ways when what is shared is not known', () => {
    expect(missingDependencyHint(zod)).toBe(
      "'zod' was not found: if node_modules is not shared with the sandbox, add it to sandbox.share in .troupe/config.json (troupe init finds it); if it is, install 'zod' in your project (npm install) — docs/explanation/sandbox.md#shared-dependencies",
    );
  });

  it('goes before the hint a failure had, which stays', () => {
    expect(dependencyHintFor(err(NODE_REQUIRE), [], 'all of its output: troupe plan logs x --phase validate')).toMatch(
      /^'zod' was not found: .*; all of its output: troupe plan logs x --phase validate$/,
    );
    expect(dependencyHintFor(err('boom\n'), [], 'all of its output')).toBe('all of its output');
    expect(dependencyHintFor(err('boom\n'), [])).toBeUndefined();
  });
});
