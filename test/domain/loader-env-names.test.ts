import { describe, expect, it } from 'vitest';
import { CheckRegistry } from '../../actors/index.js';
import { TroupeError, isLoaderEnv } from '../../src/domain/index.js';
import { checkPlanFile } from '../../src/runtime/plans/plan-file-check.js';
import { ToolRunner } from '../../src/tools/index.js';

// The variables the dynamic loader and the C library act on before a
// program's own code runs, spelled out here rather than read from the
// module's list, so that a misspelt or dropped name there is caught:
// GLIBC_TUNABLES alone was a local root (CVE-2023-4911, "Looney Tunables").

const NAMED = [
  'GCONV_PATH',
  'GETCONF_DIR',
  'GLIBC_TUNABLES',
  'HOSTALIASES',
  'LOCALDOMAIN',
  'LOCPATH',
  'NIS_PATH',
  'NLSPATH',
  'RESOLV_HOST_CONF',
  'RES_OPTIONS',
  'TZDIR',
];
const PREFIXED = ['LD_PRELOAD', 'LD_LIBRARY_PATH', 'LD_AUDIT', 'LD_DEBUG_OUTPUT', 'MALLOC_TRACE', 'MALLOC_CHECK_'];

const checkers = { tools: new ToolRunner(), checks: new CheckRegistry([]), hasProject: async () => false };

async function refusal(env: Record<string, string>, allowLoaderEnv?: boolean): Promise<TroupeError | null> {
  try {
    await checkPlanFile({ name: 'demo/env', goal: 'g', env }, { ...checkers, allowLoaderEnv });
    return null;
  } catch (error) {
    if (error instanceof TroupeError) return error;
    throw error;
  }
}

describe('loader variables in a plan’s env', () => {
  it.each([...NAMED, ...PREFIXED])('%s is a loader variable', (name) => {
    expect(isLoaderEnv(name)).toBe(true);
  });

  it.each(['NODE_ENV', 'PATH', 'TZ', 'GLIBC_TUNABLE', 'XGLIBC_TUNABLES', 'HOME'])('%s is not', (name) => {
    expect(isLoaderEnv(name)).toBe(false);
  });

  it.each([...NAMED, ...PREFIXED])('refuses %s in a plan file’s env unless the project allows it', async (name) => {
    const refused = await refusal({ [name]: 'x' });
    expect(refused?.code).toBe('VALIDATION_ERROR');
    expect(JSON.stringify(refused?.details)).toContain(`env.${name}`);
    expect(JSON.stringify(refused?.details)).toContain('the dynamic loader or the C library acts on');
    expect(await refusal({ [name]: 'x' }, true)).toBeNull();
  });

  it('refuses GLIBC_TUNABLES beside ordinary variables', async () => {
    const refused = await refusal({ NODE_ENV: 'test', GLIBC_TUNABLES: 'glibc.tune.hwcaps=x' });
    expect(JSON.stringify(refused?.details)).toContain('env.GLIBC_TUNABLES');
    expect(JSON.stringify(refused?.details)).not.toContain('env.NODE_ENV');
    expect(await refusal({ NODE_ENV: 'test' })).toBeNull();
  });
});
