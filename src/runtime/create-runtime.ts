import { TroupeError, ValidationError, effectiveLimits, forTerminal } from '../domain/index.js';
import {
  createCommandSandbox,
  findDependencyFolders,
  findGeneratedFiles,
  findProjectRoot,
  setUpProject,
  removeEmptyObjects,
  trackedPaths,
  type CommandSandbox,
} from '../sandbox/index.js';
import { LevelStore, MemoryStore, defaultStorePath, type Store } from '../store/index.js';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { ToolRunner, createToolRegistry } from '../tools/index.js';
import { loadExtensions } from './plugins/index.js';
import { refusePlans } from './plugins/index.js';
import { LocalRuntime } from './local-runtime.js';
import { actorServices } from './actor-services.js';
import type { RuntimeOptions } from './runtime-options.js';
import { findSettingsRoot, loadProjectConfig, projectConfigPath, type ProjectConfig } from './project/index.js';
import { postgresStore, storeChoice } from '../store/store-choice.js';
import { hostSocketPath } from './host/index.js';
import { DEFAULT_OUTAGE_TIMEOUT_MS, PlanMemory, type OutagePolicy } from './persistence/index.js';
import { scaleOutSettings, workerSettings } from './workers/index.js';
import { startInspector, type Inspector } from './inspector/index.js';
import { createModels } from '../models/index.js';

/**
 * Start a troupe runtime on a git project (SPEC §14): it makes the project a
 * troupe project if needed (`.troupe/`), loads the plugins
 * `.troupe/config.json` lists (SPEC §17), opens the store and continues
 * every plan that was running when its process stopped (plans at rest wait
 * in the store until something acts on them).
 *
 * @example
 * import { createRuntime } from 'troupe';
 * const runtime = await createRuntime({ dir: '/path/to/repo' });
 * const plan = await runtime.createPlan('name: demo/x\ngoal: Say hello\n');
 * const record = await runtime.run(plan.id, { until: 'validate' });
 * await runtime.close();
 */
export async function createRuntime(options: RuntimeOptions = {}): Promise<LocalRuntime> {
  const root = await findProjectRoot(options.dir ?? process.cwd());
  // the config, the plugins and the sandbox settings are checked before anything is written: a bad one changes nothing
  const configRoot = options.configRoot === undefined ? root : await findSettingsRoot(options.configRoot);
  const loaded = await loadProjectConfig(configRoot);
  // a project set up here for the first time shares its installed dependency folders and the files git ignores that
  // they need, in the config it gets (docs/explanation/sandbox.md#shared-dependencies, #generated-files)
  const share =
    options.store !== 'memory' && configRoot === root && !existsSync(projectConfigPath(root))
      ? (await Promise.all([findDependencyFolders(root), findGeneratedFiles(root)])).flat()
      : [];
  const config: ProjectConfig = share.length > 0 ? { ...loaded, sandbox: { ...loaded.sandbox, share } } : loaded;
  // the plugins' tools, checks and actors with the options' (a name clash is a VALIDATION_ERROR)
  const extensions = await loadExtensions(configRoot, config, {
    ...options,
    deferPluginErrors: options.pluginErrors === 'defer',
  });
  const { actors, checks, projectInvariants, pluginFailure } = extensions;
  const commands = await commandSandboxOf(root, config);
  // on the memory store nothing but sandboxes is written: no config file
  await setUpProject(root, { config: options.store !== 'memory', share });
  const tools = new ToolRunner(createToolRegistry(extensions.tools));
  const store = await openableStore(options.store, root, config);
  // a queue and a remote in the config send child plans to workers (checked before anything is written)
  // null: every plan here, whatever the config names (a worker's start check)
  const scaleOut =
    options.scaleOut === null ? undefined : (options.scaleOut ?? (await configuredScaleOut(config, store)));
  // empty objects a power cut left, removed before any plan writes (git would reuse them); beside the store's opening
  const sweeping = removeEmptyObjects(root).catch(() => [] as string[]);
  // before the store: a port in use refuses before any plan is restored
  const inspector = await inspectorOf(options.inspect);
  try {
    await store.open();
  } catch (error) {
    await inspector?.close();
    throw error;
  }
  try {
    const memory = new PlanMemory(store);
    const publish = scaleOut?.publish ? scaleOut.remote : null;
    const services = {
      ...actorServices(root, store, tools, memory, { checks, projectInvariants }, { commands, config }, publish),
      models: createModels({
        ...options.models,
        endpoints: [...config.models.endpoints, ...(options.models?.endpoints ?? [])],
      }),
    };
    const runtime = new LocalRuntime({
      dir: root,
      store,
      commands,
      tools,
      checks,
      services,
      memory,
      actors,
      allowLoaderEnv: config.sandbox.allowLoaderEnv,
      ...(typeof options.inspect === 'function' ? { inspect: options.inspect } : {}),
      ...(inspector ? { inspector } : {}),
      ...(options.report ? { report: options.report } : {}),
      ...(options.warn ? { warn: options.warn } : {}),
      limits: effectiveLimits(config.sandbox.limits, undefined),
      network: config.network,
      ...(store.kind === 'postgres' ? { outage: outagePolicy(config, options.storeOutage) } : {}),
      ...(scaleOut ? { scaleOut: { queue: scaleOut.queue, remote: scaleOut.remote } } : {}),
    });
    // a commit made after a subscription is heard only once the feed listens (PostgreSQL);
    // past a bound the feed keeps trying in the background and open goes on
    await feedListening(store);
    // a plan restored without its plugins would run on the wrong actors
    if (pluginFailure) return refusePlans(runtime, pluginFailure);
    const swept = await sweeping;
    if (swept.length > 0) {
      const say = options.warn ?? ((line: string) => process.stderr.write(`${line}\n`));
      say(
        `warning: removed ${swept.length} empty git object${swept.length === 1 ? '' : 's'} of ${root} a crash or power cut left (${swept.slice(0, 3).join(', ')}${swept.length > 3 ? ', …' : ''}): git writes each again when it is needed — see docs/explanation/reliability.md#power-loss`,
      );
    }
    if (options.resume !== false) await runtime.restoreAll();
    return runtime;
  } catch (error) {
    await store.close();
    await inspector?.close();
    throw error;
  }
}

// how long the plans wait out an unavailable PostgreSQL store: the embedder's option, else the config's, else the default
function outagePolicy(config: ProjectConfig, given: RuntimeOptions['storeOutage']): OutagePolicy {
  const configured = config.store.kind === 'postgres' ? config.store.outageTimeoutMs : undefined;
  const setting =
    given?.timeoutMs !== undefined
      ? 'storeOutage.timeoutMs'
      : configured !== undefined
        ? 'store.outageTimeoutMs in .troupe/config.json'
        : 'the default of store.outageTimeoutMs';
  return {
    timeoutMs: given?.timeoutMs ?? configured ?? DEFAULT_OUTAGE_TIMEOUT_MS,
    setting,
    // a line may quote the database's own error: shown escaped, as the CLI shows it
    say: given?.say ?? ((line) => process.stderr.write(`troupe: ${forTerminal(line, { multiline: true })}\n`)),
  };
}

const FEED_WAIT_MS = 10_000;

async function feedListening(store: Store): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, FEED_WAIT_MS)));
  try {
    await Promise.race([store.listening(), bound]);
  } finally {
    clearTimeout(timer);
  }
}

// the project's queue and remote, when its config names them; the store must be one every machine opens
async function configuredScaleOut(
  config: ProjectConfig,
  store: Store,
): Promise<RuntimeOptions['scaleOut'] | undefined> {
  const named = scaleOutSettings(config);
  if (!named.queue && !named.remote) return undefined;
  // a store given by the caller (embedding, tests) counts as it is
  const settings = workerSettings(
    store.kind === 'postgres'
      ? { ...config, store: { kind: 'postgres', url: 'postgres://given', schema: 'troupe' } }
      : config,
  );
  const [{ PlanQueue }, { RemoteBranches }] = await Promise.all([
    import('./workers/index.js'),
    import('../sandbox/remote-branches.js'),
  ]);
  return {
    queue: new PlanQueue(settings.queue),
    remote: new RemoteBranches(settings.remote.url, settings.remote.setting),
  };
}

function inspectorOf(option: RuntimeOptions['inspect']): Promise<Inspector | null> {
  if (option === undefined || typeof option === 'function') return Promise.resolve(null);
  if (option === true) return startInspector();
  if (typeof option === 'object' && option !== null) return startInspector(option);
  throw new TroupeError(
    'VALIDATION_ERROR',
    `inspect: must be a function, true or { port }, got ${JSON.stringify(option)}`,
  );
}

async function openableStore(option: RuntimeOptions['store'], root: string, config: ProjectConfig): Promise<Store> {
  if (option === undefined) {
    const choice = storeChoice(config);
    return choice.kind === 'postgres' ? postgresStore(choice) : new LevelStore({ path: defaultStorePath(root) });
  }
  if (option === 'level') return new LevelStore({ path: defaultStorePath(root) });
  if (option === 'memory') return new MemoryStore();
  if (typeof option === 'object' && option !== null && typeof option.open === 'function') return option;
  throw new TroupeError(
    'VALIDATION_ERROR',
    `store: must be 'level', 'memory' or a Store, got ${JSON.stringify(option)}`,
  );
}

/**
 * The command sandbox `.troupe/config.json` asks for (SPEC §15). A shared
 * path git tracks is refused here, where the repository can be asked: the
 * worktree already has it, and binding the project's copy over it would
 * hide the plan's own changes.
 */
async function commandSandboxOf(root: string, config: ProjectConfig): Promise<CommandSandbox> {
  const tracked = await trackedPaths(root, config.sandbox.share);
  if (tracked.length > 0) {
    throw new ValidationError(
      tracked.map((path) => ({
        path: `sandbox.share[${config.sandbox.share.indexOf(path)}]`,
        message: `"${path}" is tracked by git: every worktree already has it; share only untracked paths such as node_modules`,
      })),
      { subject: '.troupe/config.json', hint: 'remove it from sandbox.share — see docs/explanation/sandbox.md' },
    );
  }
  // every host socket of the user's lives in one private folder outside the projects: hidden from every command
  const sockets = dirname(hostSocketPath(root));
  return createCommandSandbox({
    mode: config.sandbox.mode,
    projectRoot: root,
    bwrap: config.sandbox.bwrap,
    hide: [...config.sandbox.hide, sockets],
    share: config.sandbox.share,
  });
}
