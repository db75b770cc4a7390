import { describe, expect, it } from 'vitest';
import { colorWanted } from '../../src/cli/output.js';
import { runCli } from './run-cli.js';

describe('when troupe colours its output', () => {
  it('colours on a terminal, not when piped, never with --no-color or NO_COLOR', () => {
    expect(colorWanted(undefined, true, {})).toBe(true);
    expect(colorWanted(undefined, false, {})).toBe(false);
    expect(colorWanted(false, true, {})).toBe(false);
    expect(colorWanted(undefined, true, { NO_COLOR: '1' })).toBe(false);
    expect(colorWanted(undefined, true, { NO_COLOR: '' })).toBe(true);
  });

  it('colours when FORCE_COLOR asks, even piped and with NO_COLOR, unless it is 0 or false, and never over --no-color', () => {
    expect(colorWanted(undefined, false, { FORCE_COLOR: '1' })).toBe(true);
    expect(colorWanted(undefined, false, { FORCE_COLOR: '' })).toBe(true);
    expect(colorWanted(undefined, false, { FORCE_COLOR: '3', NO_COLOR: '1' })).toBe(true);
    expect(colorWanted(undefined, true, { FORCE_COLOR: '0' })).toBe(true);
    expect(colorWanted(undefined, false, { FORCE_COLOR: '0' })).toBe(false);
    expect(colorWanted(undefined, false, { FORCE_COLOR: 'false' })).toBe(false);
    expect(colorWanted(false, false, { FORCE_COLOR: '1' })).toBe(false);
  });

  it('prints an error in colour through a pipe with FORCE_COLOR=1', async () => {
    const forced = await runCli('/', ['plan', 'list', '-C', '/nonexistent-dir'], { env: { FORCE_COLOR: '1' } });
    expect(forced.stderr).toMatch(/^\u001b\[31merror\[NOT_A_GIT_REPO\]\u001b\[39m: /);
    const plain = await runCli('/', ['plan', 'list', '-C', '/nonexistent-dir'], { env: {} });
    expect(plain.stderr).toMatch(/^error\[NOT_A_GIT_REPO\]: /);
  });
});
