import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createRuntime, defineTool, type AnyToolSpec, type Plugin } from '../../src/index.js';
import { runDoctor } from '../../src/runtime/index.js';
import { ACME_PLUGIN, installPackage, pluginProject, writeConfig } from './plugin-fixtures.js';

// SPEC §17 for an embedding app: createRuntime loads the plugins of
// .troupe/config.json beside its own options; a plugin that does not load is
// a VALIDATION_ERROR naming it.

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function project(files: Record<string, string>, config: unknown): Promise<string> {
  const made = await pluginProject(files, config);
  cleanups.push(made.cleanup);
  return made.dir;
}

// a package plugin needs no troupe of its own: a plain object of a plugin's shape
const LINT_PACKAGE = {
  'package.json': JSON.stringify({
    name: 'acme-lint',
    type: 'module',
    exports: { '.': { types: './index.d.ts', import: './index.js' } },
  }),
  'index.js': `import { z } from 'zod';
export default {
  name: 'acme-lint',
  tools: [{
    name: 'acme/touch', description: 'Create an empty file', input: z.strictObject({ path: z.string() }), sideEffects: ['fs_write'],
    async handler({ path }, { paths }) { await paths.writeFile(path, ''); return { path }; },
  }],
  checks: [{
    name: 'acme/counted', description: 'Counts the changed files', readOnly: true,
    async run(_, { changedPaths }) { return { passed: true, message: (await changedPaths()).length + ' counted' }; },
  }],
  executors: [{
    name: 'acme-logging',
    async executeStep({ index, step }, { callTool }) {
      (globalThis.acmeExecuted ??= []).push(index);
      const result = await callTool(step.tool, step.input ?? {});
      return result.success ? { ok: true } : { ok: false, error: result.error };
    },
  }],
};
`,
};

const greet = defineTool({
  name: 'demo/greet',
  description: 'Write a greeting',
  input: z.strictObject({ who: z.string() }),
  sideEffects: ['fs_write'],
  async handler({ who }, { paths }) {
    await paths.writeFile('GREETING', `hello ${who}\n`);
    return { who };
  },
});

describe('createRuntime and plugins', () => {
  it('registers an installed package’s tool, check and executor beside the app’s own tools', async () => {
    const dir = await project({}, { plugins: ['acme-lint'], actors: { executor: 'acme-logging' } });
    installPackage(dir, 'acme-lint', LINT_PACKAGE);
    const executed: number[] = [];
    (globalThis as { acmeExecuted?: number[] }).acmeExecuted = executed;
    const runtime = await createRuntime({ dir, store: 'memory', tools: [greet], report: () => {} });
    cleanups.push(() => runtime.close());
    const plan = await runtime.createPlan({
      name: 'app/lint',
      goal: 'Touch and greet',
      invariants: [{ id: 'counted', check: 'acme/counted' }],
      strategy: {
        steps: [
          { title: 'Touch', tool: 'acme/touch', input: { path: 'a.txt' } },
          { title: 'Greet', tool: 'demo/greet', input: { who: 'plugins' } },
        ],
      },
    });
    const record = await runtime.run(plan.id, { until: 'execute' });
    expect(record).toMatchObject({ phase: 'execute', status: 'complete' });
    expect(executed).toEqual([0, 1]);
    expect((await runtime.changes(plan.id))?.files.map((file) => file.path).sort()).toEqual(['GREETING', 'a.txt']);
    const counted = (await runtime.events(plan.id))
      .filter((event) => event.type === 'invariant.reconciled' && event.data['trigger'] === 'post-step')
      .map(
        (event) =>
          (event.data['results'] as { id: string; message: string }[]).find((result) => result.id === 'counted')
            ?.message,
      );
    expect(counted).toEqual(['1 counted', '2 counted']);
  });

  it('resolves package names as import does: exports conditions and patterns, main, scopes', async () => {
    const plugin = (name: string) =>
      `export default { name: '${name}', strategists: [{ name: '${name}-s', async strategize() { return { steps: [] }; } }] };\n`;
    const entries = [
      './plugins/empty.mjs',
      'acme-main',
      'acme-main/extra.js',
      '@acme/many/second',
      '@acme/many/special/one',
      'acme-dual',
    ];
    const dir = await project({ 'plugins/empty.mjs': "export default { name: 'empty' };\n" }, { plugins: entries });
    installPackage(dir, 'acme-main', {
      'package.json': JSON.stringify({ name: 'acme-main', type: 'module', main: 'lib/plugin' }),
      'lib/plugin.js': plugin('main'),
      'extra.js': plugin('extra'),
    });
    installPackage(dir, '@acme/many', {
      'package.json': JSON.stringify({
        type: 'module',
        exports: { './*': { import: './dist/*.js' }, './special/*': { import: './special/*.mjs' } },
      }),
      'dist/second.js': plugin('second'),
      'special/one.mjs': plugin('special'),
    });
    // a dual package: import() takes the ESM build, where require would take the CommonJS one
    installPackage(dir, 'acme-dual', {
      'package.json': JSON.stringify({ exports: { require: './plugin.cjs', import: './plugin.mjs' } }),
      'plugin.cjs': "module.exports = { name: 'dual-cjs' };\n",
      'plugin.mjs': plugin('dual-esm'),
    });
    const report = await runDoctor(dir);
    expect(report.checks.find((check) => check.name === 'plugins')?.detail.split('; ')).toEqual([
      'empty (./plugins/empty.mjs): nothing',
      'main (acme-main): strategist main-s',
      'extra (acme-main/extra.js): strategist extra-s',
      'second (@acme/many/second): strategist second-s',
      'special (@acme/many/special/one): strategist special-s',
      'dual-esm (acme-dual): strategist dual-esm-s',
    ]);
  });

  it.each([
    {
      what: 'a missing file',
      files: {},
      plugins: ['./troupe.plugins.mjs'],
      message: (dir: string) => `plugins[0] "./troupe.plugins.mjs": no such file: ${join(dir, 'troupe.plugins.mjs')}`,
    },
    {
      what: 'a package nobody installed',
      files: {},
      plugins: ['troupe.plugins.mjs'],
      message: (dir: string) =>
        `plugins[0] "troupe.plugins.mjs": no package "troupe.plugins.mjs" in node_modules of ${dir} or a folder above (npm install it in the project, or write ./troupe.plugins.mjs for a file)`,
    },
    {
      what: 'a module that throws',
      files: { 'x.mjs': "throw new Error('no ACME_TOKEN');\n" },
      plugins: ['./x.mjs'],
      message: (dir: string) => `plugins[0] "./x.mjs": threw on import: no ACME_TOKEN (at ${join(dir, 'x.mjs')}:1:7)`,
    },
    {
      what: 'a plugin whose folder has no troupe installed',
      files: { 'x.mjs': "import { definePlugin } from 'troupe';\nexport default definePlugin({ name: 'acme' });\n" },
      plugins: ['./x.mjs'],
      message: (dir: string) =>
        `plugins[0] "./x.mjs": cannot import package "troupe": a plugin imports its packages from its own folder's node_modules, not from troupe's (npm install --save-dev troupe zod in ${dir})`,
    },
    {
      what: 'a module with a syntax error',
      files: { 'x.mjs': 'export default {\n' },
      plugins: ['./x.mjs'],
      message: () => expect.stringMatching(/^plugins\[0\] "\.\/x\.mjs": threw on import: [^\n]*syntax/i),
    },
    {
      what: 'no default export',
      files: { 'x.mjs': 'export const plugin = {};\n' },
      plugins: ['./x.mjs'],
      message: () => 'plugins[0] "./x.mjs": has no default export (export default definePlugin({ name, tools, … }))',
    },
    {
      what: 'a default export that is no object',
      files: { 'x.mjs': 'export default () => {};\n' },
      plugins: ['./x.mjs'],
      message: () => 'plugins[0] "./x.mjs": default export: must be a plugin made with definePlugin, got a function',
    },
    {
      what: 'a tool not made with defineTool',
      files: {
        'x.mjs':
          "export default { name: 'x', tools: [{ name: 'acme/half', description: 'Half a tool', sideEffects: [] }] };\n",
      },
      plugins: ['./x.mjs'],
      message: () =>
        'plugins[0] "./x.mjs": tools[0]: must be made with defineTool (input: must be a zod schema; handler: must be a function)',
    },
    {
      what: 'several wrong fields',
      files: { 'x.mjs': "export default { name: 'X', tool: [], strategists: [{ name: 'p' }] };\n" },
      plugins: ['./x.mjs'],
      message: () =>
        'plugins: 3 problems\n' +
        '  plugins[0] "./x.mjs": tool: is not a field of a plugin (name, tools, checks, strategists, executors, reconcilers)\n' +
        '  plugins[0] "./x.mjs": name: must be a name of lower-case letters, digits and - . _ / @, such as acme-tools\n' +
        '  plugins[0] "./x.mjs": strategists[0]: must be a strategist: an object with a name and strategize(input, context) (strategize: must be a function)',
    },
    {
      what: 'definePlugin refusing at import',
      files: {
        'x.mjs': `import { definePlugin } from '${pathToFileURL(join(import.meta.dirname, '../../src/index.ts')).href}';\nexport default definePlugin({ name: 'acme', checks: ['acme/lint'] });\n`,
      },
      plugins: ['./x.mjs'],
      message: () =>
        expect.stringMatching(
          /^plugins\[0\] "\.\/x\.mjs": threw on import: plugin "acme": checks\[0\]: must be made with defineCheck, got a string \(at \/.*\/x\.mjs:2:\d+\)$/,
        ),
    },
  ])('refuses $what with a VALIDATION_ERROR naming the plugin', async ({ files, plugins, message }) => {
    const dir = await project(files as Record<string, string>, { plugins });
    await expect(createRuntime({ dir, store: 'memory' })).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
      message: message(dir),
      hint: expect.stringContaining('docs/reference/plugins.md'),
    });
  });

  it('refuses a package that exports nothing for import', async () => {
    const dir = await project({}, { plugins: ['acme-cjs'] });
    installPackage(dir, 'acme-cjs', {
      'package.json': JSON.stringify({ exports: { require: './plugin.cjs' } }),
      'plugin.cjs': 'module.exports = {};\n',
    });
    await expect(createRuntime({ dir, store: 'memory' })).rejects.toMatchObject({
      message: `plugins[0] "acme-cjs": package "acme-cjs" exports nothing for import at "." (see "exports" in ${join(dir, 'node_modules', 'acme-cjs', 'package.json')})`,
    });
  });

  it('refuses a name two sources register, naming both; the same object twice is one registration', async () => {
    const other =
      "import { z } from 'zod';\nexport default { name: 'other', tools: [{ name: 'acme/stamp', description: 'Another stamp', input: z.object({}), sideEffects: [], handler: async () => null }], strategists: [{ name: 'scripted', strategize: async () => ({ steps: [] }) }] };\n";
    const dir = await project(
      { 'troupe.plugins.mjs': ACME_PLUGIN, 'other.mjs': other },
      { plugins: ['./troupe.plugins.mjs', './other.mjs'] },
    );
    await expect(createRuntime({ dir, store: 'memory' })).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
      message:
        'plugins: 2 problems\n' +
        '  plugins[1] "./other.mjs": tools[0]: a tool named "acme/stamp" is also registered by plugins[0] "./troupe.plugins.mjs" (acme-tools)\n' +
        '  plugins[1] "./other.mjs": strategists[0]: a strategist named "scripted" is also registered by troupe (built in)',
    });

    const stampOfMine: AnyToolSpec = { ...greet, name: 'acme/stamp' };
    writeConfig(dir, { plugins: ['./troupe.plugins.mjs'] });
    await expect(createRuntime({ dir, store: 'memory', tools: [stampOfMine] })).rejects.toMatchObject({
      message:
        'plugins[0] "./troupe.plugins.mjs": tools[0]: a tool named "acme/stamp" is also registered by createRuntime({ tools })',
    });
    // the app imports the plugin it also lists: its tool is registered once
    const acme = ((await import(pathToFileURL(join(dir, 'troupe.plugins.mjs')).href)) as { default: Plugin }).default;
    const runtime = await createRuntime({
      dir,
      store: 'memory',
      tools: [...acme.tools],
      actors: { strategists: [...acme.strategists] },
    });
    await runtime.close();
  });

  it('opens with pluginErrors: defer, refusing only what could run a plan', async () => {
    const dir = await project(
      {},
      {
        plugins: ['./gone.mjs'],
        actors: { strategist: 'acme-planner' },
        invariants: [{ id: 'small', check: 'acme/changed-at-most', max: 1 }],
      },
    );
    await expect(createRuntime({ dir, store: 'memory' })).rejects.toMatchObject({
      message: expect.stringContaining('plugins[0] "./gone.mjs": no such file'),
    });
    const runtime = await createRuntime({ dir, store: 'memory', pluginErrors: 'defer' });
    cleanups.push(() => runtime.close());
    expect(runtime.dir).toBe(dir);
    expect(await runtime.listPlans()).toEqual([]);
    expect(await runtime.listProjects()).toHaveLength(1);
    await expect(runtime.createPlan({ name: 'app/x', goal: 'Anything' })).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
      message: expect.stringContaining('plugins[0] "./gone.mjs"'),
    });
    await expect(runtime.resume()).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
  });
});
