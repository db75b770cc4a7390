import { readFile, realpath } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import { z } from 'zod';
import {
  DEFAULT_OVERLAP_POLICY,
  DEFAULT_RESOURCE_LIMITS,
  OVERLAP_POLICIES,
  RESOURCE_LIMIT_KEYS,
  endpointOriginProblem,
  invariantListSchema,
  networkSettingSchema,
  parseOrThrow,
  sandboxSettingsSchema,
  ValidationError,
} from '../../domain/index.js';
import { findProjectRoot, trackedPaths } from '../../sandbox/index.js';

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
  /**
   * What every plan's commands may reach (SPEC §15), as `network` in a plan
   * file: true, the host's network; `{ allow: [hosts] }`, only those, and the
   * most a plan may have (docs/explanation/sandbox.md#network-by-name).
   */
  network: networkSettingSchema.default(false),
  /** What a group of subplans does about children whose scopes can meet, when its step does not say (docs/reference/subplans.md#overlapping-children). */
  overlap: z.enum(OVERLAP_POLICIES).default(DEFAULT_OVERLAP_POLICY),
  /** How commands are contained: docs/explanation/sandbox.md. */
  sandbox: sandboxSettingsSchema.prefault({}),
  /**
   * Where plans' model keys may go besides each provider's own endpoint and
   * the loopback: origins of gateways the user trusts with them
   * (docs/how-to/agents.md#keys). Only the user's own config may list any.
   */
  models: z
    .strictObject(
      {
        endpoints: z
          .array(
            z.string({ error: 'must be an origin such as https://gateway.internal' }).superRefine((value, ctx) => {
              const problem = endpointOriginProblem(value);
              if (problem) ctx.addIssue({ code: 'custom', message: problem });
            }),
          )
          .max(100, { error: 'must list at most 100 origins' })
          .default([]),
      },
      { error: 'must be {"endpoints": ["https://…"]}' },
    )
    .prefault({}),
  /** Modules whose default export, made with definePlugin, registers tools, checks and actors (SPEC §17): docs/reference/plugins.md. */
  plugins: z
    .array(
      z.string({ error: 'must be a path (./plugin.mjs) or a package name' }).min(1, { error: 'must not be empty' }),
    )
    .default([]),
  /** Where plans are kept: LevelDB in .troupe/db (default) or a PostgreSQL database (docs/reference/plan-file.md#store). */
  store: z
    .discriminatedUnion(
      'kind',
      [
        z.strictObject({ kind: z.literal('level') }),
        z.strictObject({
          kind: z.literal('postgres'),
          url: z.string({ error: 'must be a postgres:// URL' }).min(1, { error: 'must not be empty' }),
          schema: z
            .string()
            .regex(/^[a-z_][a-z0-9_]{0,62}$/, {
              error: 'must be a PostgreSQL schema name: lower-case letters, digits and _',
            })
            .default('troupe'),
          /** How long a process driving plans waits for the database when it goes away (ms; 0: fail at once). */
          outageTimeoutMs: z
            .int({ error: 'must be a whole number of milliseconds' })
            .min(0, { error: 'must be 0 (fail at once) or more' })
            .max(86_400_000, { error: 'must be at most 86400000 (a day)' })
            .optional(),
        }),
      ],
      { error: 'must be {"kind": "level"} or {"kind": "postgres", "url": "postgres://…"}' },
    )
    .default({ kind: 'level' }),
  /** The BullMQ queue child plans go to as jobs, on Redis (docs/how-to/scale-out.md); TROUPE_REDIS_URL wins. */
  queue: z
    .strictObject(
      {
        url: z.string({ error: 'must be a redis:// URL' }).min(1, { error: 'must not be empty' }),
        name: z
          .string()
          .regex(/^[a-z0-9_-]{1,40}$/, { error: 'must be 1-40 characters a-z, 0-9, _ and -' })
          .default('troupe'),
      },
      { error: 'must be {"url": "redis://…"}' },
    )
    .optional(),
  /** The shared git remote every worker clones, children's branches travel through (docs/how-to/scale-out.md); TROUPE_REMOTE_URL wins. */
  remote: z
    .strictObject(
      { url: z.string({ error: 'must be a git URL or path' }).min(1, { error: 'must not be empty' }) },
      { error: 'must be {"url": "<git URL or path>"}' },
    )
    .optional(),
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
 *   overlap: 'warn',
 *   sandbox: { mode: 'contained', hide: [], share: ['node_modules'], limits: { memoryMB: 4096 } },
 *   plugins: ['./troupe.plugins.mjs'],
 *   store: { kind: 'level' },
 *   models: { endpoints: ['https://gateway.internal'] },
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
    throw new ValidationError([{ path: '', message: `cannot be read (${code ?? (error as Error).message})` }], {
      subject: '.troupe/config.json',
      hint: 'make .troupe/config.json a readable JSON file, or remove it',
    });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ValidationError([{ path: '', message: `is not valid JSON: ${(error as Error).message}` }], {
      subject: '.troupe/config.json',
    });
  }
  const config = parseOrThrow(projectConfigSchema, data, {
    subject: '.troupe/config.json',
    hint: 'see docs/reference/plan-file.md#project-config',
  });
  await refuseFromRepository(projectRoot, config);
  return config;
}

/**
 * The fields of a config that run code in troupe's process, loosen what
 * contains a plan's commands or let keys leave for other servers: only the
 * user's own config may set them.
 */
export function looseningFields(config: ProjectConfig): string[] {
  return [
    ...(config.plugins.length > 0 ? ['plugins'] : []),
    // plan files, logs and snapshots would go to a server the repository chose
    ...(config.store.kind === 'postgres' ? ['store'] : []),
    // child plans (their code, their branches) would go to machines and a remote the repository chose
    ...(config.queue !== undefined ? ['queue'] : []),
    ...(config.remote !== undefined ? ['remote'] : []),
    ...(config.sandbox.mode === 'off' ? ['sandbox.mode'] : []),
    ...(config.sandbox.bwrap !== undefined ? ['sandbox.bwrap'] : []),
    ...(config.sandbox.share.length > 0 ? ['sandbox.share'] : []),
    // a limit above the default lets a fork bomb or a hog go further
    ...RESOURCE_LIMIT_KEYS.filter((key) => (config.sandbox.limits[key] ?? 0) > DEFAULT_RESOURCE_LIMITS[key]).map(
      (key) => `sandbox.limits.${key}`,
    ),
    // a list is more than no network, the default
    ...(config.network !== false ? ['network'] : []),
    // plans' model keys would go to servers the repository chose
    ...(config.models.endpoints.length > 0 ? ['models.endpoints'] : []),
  ];
}

// A config git tracks came with the repository: a clone must not run code
// through troupe (plugins) nor turn off what contains the plans it runs.
// `.troupe/` is the user's own (kept out of git by troupe init); a tracked
// one, or a config that is a link to a tracked file, is the repository's.
async function refuseFromRepository(projectRoot: string, config: ProjectConfig): Promise<void> {
  const fields = looseningFields(config);
  // the common case costs nothing: no git process unless a field needs the user's own config
  if (fields.length === 0 || !(await cameWithRepository(projectRoot))) return;
  throw new ValidationError(
    fields.map((path) => ({
      path,
      message:
        'may be set only in your own config, and git tracks this one: it came with the repository, which may not load code, loosen containment or send your keys through it',
    })),
    {
      subject: '.troupe/config.json',
      hint: 'keep .troupe/ out of git (git rm -r --cached .troupe) and make the config your own; see docs/explanation/sandbox.md#a-config-that-came-with-the-repository',
    },
  );
}

/**
 * Whether the project's `.troupe/config.json` came with the repository: git
 * tracks `.troupe/` or the file a linked config leads to. Such a config may
 * not set the fields {@link looseningFields} names.
 *
 * @example
 * if (await cameWithRepository(root)) console.log('.troupe/config.json is the repository’s, not yours');
 */
export async function cameWithRepository(projectRoot: string): Promise<boolean> {
  // a worker's own directory need not be a repository: nothing there came with one
  if (
    !(await findProjectRoot(projectRoot).then(
      () => true,
      () => false,
    ))
  )
    return false;
  if ((await trackedPaths(projectRoot, ['.troupe'])).length > 0) return true;
  const [root, file] = await Promise.all([
    realpath(projectRoot).catch(() => projectRoot),
    realpath(projectConfigPath(projectRoot)).catch(() => null),
  ]);
  if (file === null) return false;
  const inside = relative(root, file);
  if (inside.startsWith('..') || isAbsolute(inside)) return false;
  return (await trackedPaths(projectRoot, [inside])).length > 0;
}
