import { existsSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { RESOURCE_LIMITS, RESOURCE_LIMIT_KEYS, TroupeError, effectiveLimits } from '../domain/index.js';
import {
  BubblewrapSandbox,
  ResourceLimiter,
  describeEnforcement,
  findBubblewrap,
  findProjectRoot,
  probeOutput,
} from '../sandbox/index.js';
import { LevelStore, defaultStorePath } from '../store/index.js';
import { RemoteRuntime } from './host/index.js';
import { hostSocketPath } from './host/index.js';
import { containmentChecks } from './doctor-containment.js';
import { dependenciesCheck, generatedFilesCheck } from './doctor-dependencies.js';
import { gitObjectsCheck } from './doctor-objects.js';
import { networkCheck } from './doctor-network.js';
import { loadPlugins } from './plugins/index.js';
import { findSettingsRoot, loadProjectConfig, type ProjectConfig } from './project/index.js';
import { scaleOutCheck } from './doctor-scale-out.js';
import { pluginContents, registerPlugins } from './plugins/index.js';
import { postgresStore, storeChoice, type StoreChoice } from '../store/store-choice.js';
import type { DoctorCheck } from './doctor-check.js';

export type { DoctorCheck } from './doctor-check.js';

/** What `troupe doctor` found: `ok` when every required check holds. */
export interface DoctorReport {
  ok: boolean;
  checks: DoctorCheck[];
}

/** The oldest Node.js troupe runs on (package.json engines). */
const NODE_FLOOR = [20, 19] as const;

/**
 * Check what troupe needs on this machine and in the project at `dir`
 * (SPEC §15): Node.js, git, bubblewrap, user namespaces — by running a
 * contained `true` — how resource limits are enforced, that a network
 * allow-list holds (a plan network whose only way out is troupe's proxy), the project config,
 * the dependency folders it does not share (a warning), its plugins, which it loads, and
 * the store, which it opens or names the process that owns. Every check
 * runs; none throws.
 *
 * @example
 * const report = await runDoctor(process.cwd());
 * for (const check of report.checks) console.log(check.ok ? '✓' : '✗', check.name, check.detail);
 */
export async function runDoctor(dir: string): Promise<DoctorReport> {
  const root = await findProjectRoot(dir).catch(() => null);
  // a worker's directory holds only .troupe/config.json: its config, store and scale-out are checked there
  const settingsRoot = root ?? (await findSettingsRoot(dir).catch(() => null));
  const config =
    settingsRoot === null
      ? null
      : await loadProjectConfig(settingsRoot).then(
          (loaded) => ({ loaded }),
          (error: unknown) => ({ error }),
        );
  const settings = config && 'loaded' in config ? config.loaded : null;
  const scaleOut = settingsRoot !== null && settings !== null ? await scaleOutCheck(settingsRoot, settings) : null;
  const checks: DoctorCheck[] = [
    nodeCheck(),
    await gitCheck(),
    ...(await sandboxChecks(root, settings)),
    configCheck(settingsRoot, config),
    await dependenciesCheck(root, settings),
    ...(await generatedFilesCheck(root, settings)),
    await pluginsCheck(root, config),
    await storeCheck(settingsRoot, settings),
    await gitObjectsCheck(root, settings),
    ...(scaleOut ? [scaleOut] : []),
  ];
  return { ok: checks.every((check) => check.ok), checks };
}

function nodeCheck(): DoctorCheck {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  const ok = major > NODE_FLOOR[0] || (major === NODE_FLOOR[0] && minor >= NODE_FLOOR[1]);
  return ok
    ? { name: 'node', ok, detail: `Node.js ${process.versions.node}` }
    : {
        name: 'node',
        ok,
        detail: `Node.js ${process.versions.node} is older than ${NODE_FLOOR.join('.')}`,
        fix: `install Node.js ${NODE_FLOOR.join('.')} or later`,
      };
}

async function gitCheck(): Promise<DoctorCheck> {
  try {
    const stdout = await probeOutput('git', ['--version']);
    return gitVersionCheck(stdout.trim());
  } catch (error) {
    return {
      name: 'git',
      ok: false,
      detail: `git does not run (${messageOf(error)})`,
      fix: 'install git (Debian/Ubuntu: sudo apt-get install git)',
    };
  }
}

/**
 * The git line of `troupe doctor`: git 2.36 and later sync what troupe's
 * git writes (`core.fsync`); an older one ignores the setting, and a power
 * cut can take commits troupe's records name (a warning: plans still run).
 *
 * @example
 * gitVersionCheck('git version 2.35.1').warning; // true
 */
export function gitVersionCheck(version: string): DoctorCheck {
  const [major = 0, minor = 0] = (/(\d+)\.(\d+)/.exec(version)?.slice(1) ?? []).map(Number);
  if (major > 2 || (major === 2 && minor >= 36)) return { name: 'git', ok: true, detail: version };
  return {
    name: 'git',
    ok: true,
    warning: true,
    detail: `${version} does not sync what troupe's git writes (core.fsync needs git 2.36): a power cut can take commits troupe's records name`,
    fix: 'install git 2.36 or later — see docs/explanation/reliability.md#power-loss',
  };
}

// bubblewrap found, then a contained `true` run: both are required unless the project turned containment off
async function sandboxChecks(root: string | null, config: ProjectConfig | null): Promise<DoctorCheck[]> {
  if (config?.sandbox.mode === 'off') {
    const off =
      'not needed: "sandbox": {"mode": "off"} in .troupe/config.json — commands run unconfined (docs/explanation/sandbox.md)';
    return [
      { name: 'bubblewrap', ok: true, detail: off },
      { name: 'user namespaces', ok: true, detail: off },
      {
        name: 'identity',
        ok: true,
        detail: `not enforced: commands run as troupe's own user${process.getuid?.() === 0 ? ', root' : ''} ("sandbox": {"mode": "off"})`,
      },
      { name: 'system calls', ok: true, detail: 'not filtered: commands run unconfined ("sandbox": {"mode": "off"})' },
      {
        name: 'resource limits',
        ok: true,
        detail: 'not enforced: commands run unconfined ("sandbox": {"mode": "off"})',
      },
      await networkCheck(root, config, { contained: false }),
    ];
  }
  const bwrap = config?.sandbox.bwrap;
  let found: DoctorCheck;
  try {
    const binary = await findBubblewrap(bwrap === undefined ? {} : { bwrap });
    found = {
      name: 'bubblewrap',
      ok: true,
      detail: `bubblewrap ${binary.version} (${binary.path})${binary.disableUserns ? '' : '; too old for --disable-userns (0.8+), nested user namespaces stay possible'}`,
    };
  } catch (error) {
    const problem = asProblem(error);
    return [
      { name: 'bubblewrap', ok: false, ...problem },
      {
        name: 'user namespaces',
        ok: false,
        detail: 'not checked: bubblewrap is missing',
        fix: problem.fix ?? 'install bubblewrap first',
      },
      ...containmentChecks({
        ok: false,
        detail: 'bubblewrap is missing',
        fix: problem.fix ?? 'install bubblewrap first',
      }),
      await limitsCheck(config),
      await networkCheck(root, config, { contained: false }),
    ];
  }
  const probe = await new BubblewrapSandbox({
    projectRoot: root ?? process.cwd(),
    ...(bwrap === undefined ? {} : { bwrap }),
  }).probe();
  return [
    found,
    {
      name: 'user namespaces',
      ok: probe.ok,
      detail: probe.ok
        ? `a contained command ran (${probe.identity?.kind === 'own' ? 'user, pid and network namespaces' : "pid and network namespaces; no user namespace, whose uid 0 would be the host's"})`
        : probe.detail,
      ...(probe.fix ? { fix: probe.fix } : {}),
    },
    ...containmentChecks(probe),
    await limitsCheck(config),
    await networkCheck(root, config, { contained: probe.ok }),
  ];
}

// which mechanism holds commands to their limits here, and the limits; rlimits alone are enough to run
async function limitsCheck(config: ProjectConfig | null): Promise<DoctorCheck> {
  const enforcement = await new ResourceLimiter().enforcement();
  const limits = effectiveLimits(config?.sandbox.limits, undefined);
  const values = RESOURCE_LIMIT_KEYS.map(
    (key) => `${RESOURCE_LIMITS[key].name} ${limits[key]}${RESOURCE_LIMITS[key].unit}`,
  ).join(', ');
  const why = enforcement.mechanism === 'rlimits' && enforcement.why ? ` — no cgroups: ${enforcement.why}` : '';
  return { name: 'resource limits', ok: true, detail: `${describeEnforcement(enforcement)}: ${values}${why}` };
}

function configCheck(root: string | null, config: { loaded: ProjectConfig } | { error: unknown } | null): DoctorCheck {
  if (root === null || config === null)
    return {
      name: 'project config',
      ok: true,
      detail: 'not in a git repository: run troupe doctor in your project to check its config and store',
    };
  if ('error' in config) return { name: 'project config', ok: false, ...asProblem(config.error) };
  const { sandbox, network } = config.loaded;
  const notes = [
    sandbox.mode === 'off' ? 'sandbox off: commands run unconfined' : 'commands contained',
    network === true
      ? 'network on for every plan'
      : typeof network === 'object'
        ? `network for every plan: ${network.allow.join(', ')} only`
        : null,
    sandbox.share.length > 0 ? `shared: ${sandbox.share.join(', ')}` : null,
  ].filter((note) => note !== null);
  const file = join(root, '.troupe', 'config.json');
  return {
    name: 'project config',
    ok: true,
    detail: `${existsSync(file) ? file : 'no .troupe/config.json (defaults)'}: ${notes.join('; ')}`,
  };
}

// every plugin of the config loads, and no two register one name (SPEC §17)
async function pluginsCheck(
  root: string | null,
  config: { loaded: ProjectConfig } | { error: unknown } | null,
): Promise<DoctorCheck> {
  if (root === null || config === null)
    return { name: 'plugins', ok: true, detail: 'not in a git repository: nothing to load' };
  if ('error' in config)
    return {
      name: 'plugins',
      ok: false,
      detail: 'not checked: .troupe/config.json does not read',
      fix: 'fix the project config first',
    };
  const specifiers = config.loaded.plugins;
  if (specifiers.length === 0) return { name: 'plugins', ok: true, detail: 'none listed in .troupe/config.json' };
  const load = await loadPlugins(root, specifiers);
  const problems = [...load.issues, ...registerPlugins({}, load.plugins).issues];
  if (problems.length > 0) {
    return {
      name: 'plugins',
      ok: false,
      detail: problems.map((problem) => `${problem.path}: ${problem.message}`).join('; '),
      fix: 'fix the plugin or remove it from "plugins" in .troupe/config.json; until then plans cannot be created or run (docs/reference/plugins.md)',
    };
  }
  return {
    name: 'plugins',
    ok: true,
    detail: load.plugins
      .map(({ specifier, plugin }) => `${plugin.name} (${specifier}): ${pluginContents(plugin)}`)
      .join('; '),
  };
}

// the store opens, or another troupe process owns it and answers on its socket
async function storeCheck(root: string | null, config: ProjectConfig | null): Promise<DoctorCheck> {
  if (root === null) return { name: 'store', ok: true, detail: 'not in a git repository: nothing to check' };
  const choice = config ? storeChoice(config) : null;
  if (choice?.kind === 'postgres') return postgresCheck(choice);
  const path = defaultStorePath(root);
  if (!existsSync(path))
    return { name: 'store', ok: true, detail: `no store yet at ${path} (troupe init or the first plan makes it)` };
  const remote = await RemoteRuntime.connect(root, hostSocketPath(root)).catch(() => null);
  if (remote) {
    try {
      const owner = await remote.hostInfo();
      return {
        name: 'store',
        ok: true,
        detail: `${path} is owned by troupe process ${owner.pid} (${owner.command}, since ${owner.startedAt}); commands talk to it`,
      };
    } catch (error) {
      return {
        name: 'store',
        ok: true,
        detail: `${path} is owned by a troupe process that answers on its socket but not to doctor (${messageOf(error)})`,
      };
    } finally {
      await remote.close();
    }
  }
  const store = new LevelStore({ path });
  try {
    await store.open();
    await store.close();
    return { name: 'store', ok: true, detail: `${path} opens` };
  } catch (error) {
    if (error instanceof TroupeError && error.code === 'STORE_LOCKED') {
      const holder = lockHolder(join(path, 'LOCK'));
      return {
        name: 'store',
        ok: false,
        detail: `${path} is locked by ${holder ?? 'another process'}, which does not answer on ${hostSocketPath(root)}`,
        fix: holder
          ? `wait for process ${holder.replace(/^process /, '').split(' ')[0]} to end, or stop it`
          : 'wait for the other troupe command to end, or stop it',
      };
    }
    return { name: 'store', ok: false, ...asProblem(error) };
  }
}

// the PostgreSQL store opens (tables made, schema version checked); no owner to ask: every process opens it
async function postgresCheck(choice: Extract<StoreChoice, { kind: 'postgres' }>): Promise<DoctorCheck> {
  try {
    const store = await postgresStore(choice);
    await store.open();
    await store.close();
    return { name: 'store', ok: true, detail: `PostgreSQL store opens: schema ${choice.schema} (${choice.setting})` };
  } catch (error) {
    return { name: 'store', ok: false, ...asProblem(error) };
  }
}

// which process holds a LevelDB LOCK file open (Linux: /proc/<pid>/fd), or null
function lockHolder(lock: string): string | null {
  if (!existsSync('/proc/self/fd')) return null;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${name}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        if (readlinkSync(`/proc/${name}/fd/${fd}`) === lock) return `process ${name}`;
      } catch {
        // gone meanwhile
      }
    }
  }
  return null;
}

function asProblem(error: unknown): { detail: string; fix?: string } {
  if (error instanceof TroupeError) return { detail: error.message, ...(error.hint ? { fix: error.hint } : {}) };
  return { detail: messageOf(error) };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
