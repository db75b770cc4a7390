import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { tempRepo } from '../helpers/temp.js';

// a plugin file imports troupe by the URL of its source: vitest runs it as it
// runs the tests; a user's plugin imports 'troupe'
const TROUPE = pathToFileURL(fileURLToPath(new URL('../../src/index.ts', import.meta.url))).href;
const ZOD = fileURLToPath(new URL('../../node_modules/zod', import.meta.url));

/**
 * `troupe.plugins.mjs` of the tests: the tool `acme/stamp` (writes a file
 * with a contained command), the check `acme/changed-at-most` and the
 * strategist `acme-planner` (one stamp step with the plan's goal).
 */
export const ACME_PLUGIN = `import { z } from 'zod';
import { defineCheck, definePlugin, defineTool } from '${TROUPE}';

const stamp = defineTool({
  name: 'acme/stamp',
  description: 'Write a line into a file with a command',
  input: z.strictObject({ path: z.string().regex(/^[A-Za-z0-9._-]+$/), text: z.string().regex(/^[A-Za-z0-9 ._-]*$/) }),
  sideEffects: ['exec', 'fs_write'],
  async handler({ path, text }, { runCommand }) {
    const result = await runCommand(\`printf '%s\\\\n' '\${text}' > \${path}\`, { timeoutMs: 10_000 });
    if (result.exitCode !== 0) throw new Error(\`printf exited with \${result.exitCode}\`);
    return { path };
  },
});

const changedAtMost = defineCheck({
  name: 'acme/changed-at-most',
  description: 'the plan changed at most max files',
  options: z.strictObject({ max: z.number().int().nonnegative() }),
  readOnly: true,
  async run({ max }, { changedPaths }) {
    const changed = await changedPaths();
    return { passed: changed.length <= max, message: \`\${changed.length} changed\` };
  },
});

const planner = {
  name: 'acme-planner',
  async strategize({ spec }) {
    return { rationale: 'stamped by acme-planner', steps: [{ title: 'Stamp', tool: 'acme/stamp', input: { path: 'STAMP', text: spec.goal } }] };
  },
};

export default definePlugin({ name: 'acme-tools', tools: [stamp], checks: [changedAtMost], strategists: [planner] });
`;

/** A plan for the ACME plugin: its strategist decides the steps, its check guards them. */
export const STAMP_PLAN = `name: acme/stamp
goal: stamped by a plugin
automation: auto
resourceScopes: [STAMP]
invariants:
  - id: small
    check: acme/changed-at-most
    max: 1
`;

/**
 * A temp git project with `files` committed (node_modules ignored, zod
 * installed as a link) and `.troupe/config.json` set to `config`.
 */
export async function pluginProject(
  files: Record<string, string>,
  config: unknown,
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const repo = await tempRepo({ '.gitignore': 'node_modules/\n', 'README.md': '# project\n', ...files });
  mkdirSync(join(repo.dir, 'node_modules'), { recursive: true });
  symlinkSync(ZOD, join(repo.dir, 'node_modules', 'zod'));
  writeConfig(repo.dir, config);
  return repo;
}

/** Replace `.troupe/config.json`. */
export function writeConfig(dir: string, config: unknown): void {
  mkdirSync(join(dir, '.troupe'), { recursive: true });
  writeFileSync(join(dir, '.troupe', 'config.json'), JSON.stringify(config));
}

/** An installed package `name` (in node_modules, not committed): `files` relative to its folder. */
export function installPackage(dir: string, name: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    const file = join(dir, 'node_modules', name, path);
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, content);
  }
}
