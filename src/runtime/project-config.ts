import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { invariantListSchema, parseOrThrow, sandboxSettingsSchema, ValidationError } from '../domain/index.js';

/** `.troupe/config.json` (SPEC §3). A missing file means the defaults. */
export const projectConfigSchema = z.strictObject({
  invariants: invariantListSchema.default([]),
  actors: z
    .strictObject({
      strategist: z.string().min(1).default('scripted'),
      executor: z.string().min(1).default('tool-call'),
      reconciler: z.string().min(1).default('default'),
    })
    .prefault({}),
  /** Every plan's commands may use the host network (SPEC §15), as `network: true` in a plan file. */
  network: z.boolean({ error: 'must be true or false' }).default(false),
  /** How commands are contained: docs/sandbox.md. */
  sandbox: sandboxSettingsSchema.prefault({}),
});
/**
 * The project config (`.troupe/config.json`) once read, defaults applied.
 *
 * @example
 * // .troupe/config.json, with its defaults filled in
 * const config: ProjectConfig = {
 *   invariants: [{ id: 'tests', check: 'command', run: 'npm test' }],
 *   actors: { strategist: 'scripted', executor: 'tool-call', reconciler: 'default' },
 *   network: false,
 *   sandbox: { mode: 'contained', hide: [], share: ['node_modules'] },
 * };
 */
export type ProjectConfig = z.output<typeof projectConfigSchema>;

/** The path of a project's config file. */
export function projectConfigPath(projectRoot: string): string {
  return join(projectRoot, '.troupe', 'config.json');
}

/** Read and validate `.troupe/config.json`; errors name the file and the field. */
export async function loadProjectConfig(projectRoot: string): Promise<ProjectConfig> {
  const path = projectConfigPath(projectRoot);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return projectConfigSchema.parse({});
    // a directory, a file it may not read…: name the file, not node's errno
    throw new ValidationError([{ path: '', message: `cannot be read (${code ?? (error as Error).message})` }], { subject: '.troupe/config.json', hint: 'make .troupe/config.json a readable JSON file, or remove it' });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ValidationError([{ path: '', message: `is not valid JSON: ${(error as Error).message}` }], { subject: '.troupe/config.json' });
  }
  return parseOrThrow(projectConfigSchema, data, { subject: '.troupe/config.json', hint: 'see docs/plan-file.md#project-config' });
}
