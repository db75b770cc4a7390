import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

describe('a subcommand’s --help', () => {
  it.each([['plan', 'rollback'], ['checkpoint', 'prune'], ['plan', 'delete'], ['gc']])(
    '%s %s lists the global flags that work after it (--yes, --json, -C)',
    async (...argv) => {
      const help = await runCli('/', [...argv.filter(Boolean), '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(/\nGlobal Options:\n/);
      for (const flag of ['--yes', '--json', '-C <dir>', '--no-color']) expect(help.stdout).toContain(flag);
    },
  );
});
