import { asTroupeError, parseStepPayload, type Changeset } from '../src/domain/index.js';
import type { ExecuteStepInput, StepOutcome, ToolCallRecord } from '../machines/index.js';
import type { ActorServices, StepResults } from './services.js';
import { toolCallExecutor } from './executors/tool-call.js';
import { changeRefusal } from './step-changes.js';
import type { Executor, ExecutorResult } from './types.js';

/**
 * The `executeStep` actor (SPEC §7): reset the sandbox to the last step
 * commit, let the executor do the step through the ToolRunner, refuse
 * changes outside the plan's scopes, commit, and update the changeset.
 *
 * Idempotent: XState runs an in-flight actor again after a restore, and the
 * reset first means the step's effects land exactly once.
 */
export async function executePlanStep(
  input: ExecuteStepInput,
  services: ActorServices,
  executor: Executor,
  signal: AbortSignal,
): Promise<StepOutcome> {
  const { planId, index, sandbox } = input;
  // a failed call of an agent leaves nothing behind: the sandbox goes back to the last step commit
  const discarded = async (outcome: Extract<StepOutcome, { ok: false }>): Promise<StepOutcome> => {
    if (answered)
      answered.error = {
        code: outcome.error.code,
        message: outcome.error.message,
        ...(outcome.error.hint ? { hint: outcome.error.hint } : {}),
        ...(outcome.error.details ? { details: outcome.error.details } : {}),
      };
    if (input.discardOnFailure) {
      await services.sandboxes.reset(sandbox, sandbox.headCommit);
      services.cleanSandboxes.set(planId, sandbox.headCommit);
    }
    return outcome;
  };
  // a step begins in a macrotask of its own: the write of the transition that
  // started it is queued first, and a plan of steps that never wait on I/O
  // (reads of small files are synchronous) cannot hold the event loop
  await new Promise((resolve) => setImmediate(resolve));
  // an agent's call runs its command only once the call is on disk: killed mid-command, the
  // restored plan has it in flight and runs it again, so no call is lost with its answer
  if (input.readIfUnchanged) await services.settled?.(planId);
  const [plan, spec, decision] = await Promise.all([
    services.readPlan(planId),
    services.readSpec(planId),
    services.readStep(planId, index),
  ]);
  // exactly once: start from the last step commit, whatever an earlier
  // attempt left — unless this process itself saw the sandbox clean there
  const processes = services.processes(planId);
  if (services.cleanSandboxes.get(planId) !== sandbox.headCommit) {
    // commands a killed process left running would write after the reset
    await processes?.reap();
    await services.sandboxes.reset(sandbox, sandbox.headCommit);
  }
  services.cleanSandboxes.delete(planId);
  const root = services.sandboxes.pathOf(sandbox);
  const paths = await services.pathGuard(root, spec.resourceScopes);
  const calls: ToolCallRecord[] = [];
  const checkpoints = { create: (label: string) => services.checkpoints.create(planId, label) };
  // built when a tool first asks (troupe's own tools never do: commands get theirs from the runner)
  let env: Record<string, string> | null = null;
  const envOf = () => (env ??= services.commandEnv(spec.env));
  // made when a tool first runs a command: most steps run none (troupe's file tools)
  let commands: ReturnType<ActorServices['commandRunner']> | null = null;
  // each tool's commands are logged as the step's, under the tool's name
  const runCommandOf =
    (tool: string) =>
    async (command: string, options: { timeoutMs?: number; tailBytes?: number } = {}) =>
      (await (commands ??= services.commandRunner(planId, root)))(command, {
        ...options,
        signal,
        log: { kind: 'step', step: index, tool },
      });
  // an agent waits for what its call answered (SPEC §16)
  const resultsKey = `${planId}#${index}`;
  const answered: StepResults | null = services.stepResults.has(resultsKey) ? { results: [] } : null;
  if (answered) services.stepResults.set(resultsKey, answered);
  const callTool = async (name: string, toolInput: unknown) => {
    const started = performance.now();
    const context = {
      planId,
      phase: 'execute' as const,
      cwd: root,
      paths,
      get env() {
        return envOf();
      },
      signal,
      checkpoints,
      runCommand: runCommandOf(name),
    };
    const result = await services.tools.run(name, toolInput, context);
    answered?.results.push(result);
    calls.push({
      tool: name,
      success: result.success,
      writes: services.tools.writes(name),
      durationMs: Math.round(performance.now() - started),
      ...(result.success ? {} : { code: result.error.code }),
    });
    return result;
  };

  let result: ExecutorResult;
  try {
    result = await executor.executeStep(
      { plan, spec, index, title: decision.title, step: parseStepPayload(decision.payload) },
      { sandboxRoot: root, callTool, signal },
    );
  } catch (error) {
    // a throwing executor fails the step like a failing tool: as data
    result = { ok: false, error: asTroupeError(error).toJSON() };
  }
  // shell commands can write anywhere in the sandbox; scopes are checked on
  // what actually changed, not only on what tools said they would write. A
  // step of the built-in executor whose tools all only read changed nothing.
  const builtIn = executor === toolCallExecutor;
  const mayHaveWritten = !builtIn || calls.some((call) => services.tools.writes(call.tool));
  // troupe's file tools wrote only paths the guard let through, and nothing
  // else ran: staging first is the look at what changed (one git process
  // fewer), its list checked again below — a name holding a line break reads
  // as several in add's output, so any path it seems to put out of scope is
  // asked of `git status` (which sees staged changes too) before refusing
  const guarded =
    builtIn &&
    mayHaveWritten &&
    calls.every((call) => !services.tools.writes(call.tool) || services.tools.writesOnlyGuarded(call.tool));
  // a command or a service may have left a file set-user-ID or set-group-ID (its filter refuses
  // that: this is the wall behind it): the bits go before anything is kept, beside git's look
  const clearing = mayHaveWritten && !guarded ? services.clearSetIdBits(root) : Promise.resolve([]);
  if (!result.ok) {
    await clearing.catch(() => {});
    return discarded({ ok: false, index, error: result.error, calls });
  }
  const [setIdCleared, looked] = await Promise.all([
    clearing,
    guarded ? services.sandboxes.stage(sandbox) : mayHaveWritten ? services.sandboxes.pendingPaths(sandbox) : [],
  ]);
  let changed = looked;
  if (guarded && changed.some((path) => !paths.inScope(path))) changed = await services.sandboxes.pendingPaths(sandbox);
  const refusal = changeRefusal(
    changed,
    { index, title: decision.title },
    (path) => paths.inScope(path),
    spec.resourceScopes ?? [],
  );
  if (refusal !== null) return discarded({ ok: false, index, calls, error: refusal });
  // a step that changed nothing needs no commit: re-running it is a no-op anyway
  if (changed.length === 0) {
    services.cleanSandboxes.set(planId, sandbox.headCommit);
    // an agent's call that changed nothing is a read: its decision goes back for the plan to record as one
    return {
      ok: true,
      index,
      decisionId: decision.id,
      headCommit: sandbox.headCommit,
      changeset: null,
      calls,
      ...(input.readIfUnchanged ? { read: decision } : {}),
      ...(setIdCleared.length > 0 ? { setIdCleared } : {}),
    };
  }

  if (!guarded) await services.sandboxes.stage(sandbox);
  const { headCommit, files } = await services.sandboxes.commitStaged(
    sandbox,
    `troupe: step ${index + 1}: ${decision.title}\n\nTroupe-Plan-Id: ${planId}\nTroupe-Step: ${index}`,
    sandbox.baseCommit,
  );
  services.cleanSandboxes.set(planId, headCommit);
  const changeset: Changeset = {
    id: input.changesetId ?? services.newId(),
    planId,
    baseCommit: sandbox.baseCommit,
    headCommit,
    files,
  };
  return {
    ok: true,
    index,
    decisionId: decision.id,
    headCommit,
    changeset,
    calls,
    ...(setIdCleared.length > 0 ? { setIdCleared } : {}),
  };
}
