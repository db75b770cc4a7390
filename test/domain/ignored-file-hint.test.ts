import { describe, expect, it } from 'vitest';
import { ignoredFileHint, mentionsMissingModule, missingModuleStems } from '../../src/domain/ignored-file-hint.js';

// The hint that names a generated file the plan's worktree lacks (docs/explanation/sandbox.md#generated-files).

const printed = (stderr: string) => ({ stdoutTail: '', stderrTail: stderr });

describe('missingModuleStems', () => {
  it("reads Python submodules and Node paths under the project's root as paths to look for", () => {
    expect(missingModuleStems(printed("E   ModuleNotFoundError: No module named 'humble._version'"), '/repo')).toEqual([
      'humble/_version',
    ]);
    expect(
      missingModuleStems(
        printed(
          "Error [ERR_MODULE_NOT_FOUND]: Cannot find module '/repo/src/gen/schema.js' imported from /repo/src/index.js",
        ),
        '/repo/',
      ),
    ).toEqual(['src/gen/schema.js']);
    // a top-level package is a dependency; a path elsewhere is not the project's
    expect(
      missingModuleStems(
        printed("No module named 'requests'\nCannot find module '/usr/lib/x.js'\nCannot find module 'zod'"),
        '/repo',
      ),
    ).toEqual([]);
    expect(mentionsMissingModule(printed('1 failed'))).toBe(false);
    expect(
      mentionsMissingModule({
        stdoutTail: '',
        stderrTail: '',
        output: { stdout: { text: "No module named 'a.b'" }, stderr: { text: '' } },
      }),
    ).toBe(true);
  });
});

describe('ignoredFileHint', () => {
  const ignored = [
    '.venv/',
    'src/humble/_version.py',
    'native/pkg/_speed.cpython-311-x86_64-linux-gnu.so',
    'src/gen/schema.js',
    'lib/tool/__init__.py',
  ];

  it('names the file the checkout has and the plan lacks, and how to share it', () => {
    expect(ignoredFileHint(['humble/_version'], ignored, ['.venv'])).toBe(
      "src/humble/_version.py is in your checkout but not in the plan's worktree: git ignores it (your installed environment made it) — add it to sandbox.share in .troupe/config.json, or run troupe init, which shares such files (docs/explanation/sandbox.md#generated-files)",
    );
    expect(ignoredFileHint(['pkg/_speed'], ignored, [])).toMatch(
      /^native\/pkg\/_speed\.cpython-311-x86_64-linux-gnu\.so is in your checkout/,
    );
    expect(ignoredFileHint(['src/gen/schema.js'], ignored, [])).toMatch(/^src\/gen\/schema\.js is in/);
    expect(ignoredFileHint(['tool'], ignored, [])).toMatch(/^lib\/tool\/__init__\.py is in/);
  });

  it('says nothing when the file is shared already, is not in the checkout, or is a folder', () => {
    expect(ignoredFileHint(['humble/_version'], ignored, ['./src/humble/_version.py'])).toBeNull();
    expect(ignoredFileHint(['humble/_version'], ignored, ['src'])).toBeNull();
    expect(ignoredFileHint(['humble/other'], ignored, [])).toBeNull();
    expect(ignoredFileHint(['.venv'], ignored, [])).toBeNull();
    // a name that only ends like the module is not it
    expect(ignoredFileHint(['ble/_version'], ['src/humble/_version.py'], [])).toBeNull();
  });
});
