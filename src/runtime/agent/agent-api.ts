// The agent part of the Runtime interface (SPEC §16): what an agent driving an open plan calls —
// tool calls as steps or reads, finish, subplan spawn and wait. runtime.ts assembles Runtime from a part per wing.
import type { OverlapPayload, OverlapPolicy, PlanRecord, SerializedError, SubplanStatus } from '../../domain/index.js';
import type { ConflictView } from '../children/index.js';
import type { RunOptions } from '../plans/index.js';

/**
 * One tool call on an agent-driven plan (SPEC §16): a registered tool and
 * its input, with the caller's reason, recorded in the plan's decisions.
 *
 * @example
 * const call: ToolCallRequest = { tool: 'fs/write-file', input: { path: 'src/a.ts', content: 'export {};\n' }, rationale: 'start the module' };
 * const result = await runtime.callTool('demo/agent', call);
 */
export interface ToolCallRequest {
  tool: string;
  input: unknown;
  /** Why the caller makes it: the rationale of the step (or read) decision. */
  rationale?: string;
  /** Who calls, the decision's actor (default `agent`): an MCP client's name, say. */
  actor?: string;
  /** The caller's own id for the call (a model's tool call id, at most 200 characters), kept in the decision's payload as `call`. */
  callId?: string;
}

/**
 * How a tool call on an agent-driven plan went (SPEC §16). `ok: false`
 * carries a troupe error about the call itself — a path outside the
 * sandbox or the scopes, bad input, a sandbox that cannot start — which
 * changed nothing and left the plan open. A command that exits non-zero is
 * `ok: true` with its exit code in `output` (`shell/exec`).
 *
 * @example
 * const result: ToolCallResult = await runtime.callTool('demo/agent', { tool: 'shell/exec', input: { command: 'npm test' } });
 * if (result.ok) console.log((result.output as { exitCode: number }).exitCode, 'in step', result.step, 'commit', result.commit);
 * else console.log(result.error.code, result.error.message);
 */
export type ToolCallResult =
  | {
      ok: true;
      planId: string;
      tool: string;
      output: unknown;
      /** The step it became (0-based), or null for a read, which is recorded but is no step. */
      step: number | null;
      /**
       * A command (or any call that may write) that changed nothing is a read:
       * which one (from 1, as `plan_logs` takes it). Null for a step, and for
       * the file tools' reads (read_file, list_files, search_files), which run no command.
       */
      read: number | null;
      /** The sandbox's head after it: a new step commit when it wrote, else the commit it stood on. */
      commit: string | null;
      /** Whether it changed the sandbox (a step commit was made). */
      wrote: boolean;
      /** The plan after the call: still open, or failed when an invariant broke after the step (`error` says which). */
      plan: PlanRecord;
    }
  | { ok: false; planId: string; tool: string; error: SerializedError; step: number | null; plan: PlanRecord };

/**
 * Child plans an agent spawns on its open plan (SPEC §16): agent-driven
 * children another agent session works on by id, merged back into the
 * parent when each is finished.
 *
 * @example
 * const request: SubplanSpawnRequest = { children: [{ goal: 'Write the parser', resourceScopes: ['src/parser/**'] }, { goal: 'Write the docs', resourceScopes: ['docs/**'] }], maxParallel: 2 };
 * const { children } = await runtime.spawnSubplans('demo/agent', request);
 */
export interface SubplanSpawnRequest {
  children: { name?: string; goal: string; resourceScopes?: string[] }[];
  /** How many run at once (default 4). */
  maxParallel?: number;
  /** What to do about children whose scopes can meet: `warn`, `serialize` or `allow` (default: the project's, else `warn`; docs/reference/subplans.md#overlapping-children). */
  overlap?: OverlapPolicy;
  rationale?: string;
  actor?: string;
  /** The caller's own id for the call, kept in the group's step decision as `call` (see {@link ToolCallRequest}). */
  callId?: string;
}

/**
 * The children spawned, as they stand (the first `maxParallel` started and open for their agents, the rest pending).
 *
 * @example
 * const result: SubplanSpawnResult = await runtime.spawnSubplans('demo/agent', request);
 * for (const child of result.children) console.log(child.id, child.name, child.status);
 */
export interface SubplanSpawnResult {
  planId: string;
  /** The group's step (0-based) in the parent. */
  step: number;
  children: { id: string; name: string; goal: string; status: SubplanStatus['status'] }[];
  /** Children whose scopes can write the same path, and what the group does about it (the group's `overlap` decision); null when none do or under `allow`. */
  overlap: OverlapPayload | null;
}

/**
 * Where a parent stands once its group of children ended (`subplan_wait`):
 * merged and open again, waiting on conflicts, or failed.
 *
 * @example
 * const result: SubplanWaitResult = await runtime.waitSubplans('demo/agent');
 * if (result.conflicts.length > 0) console.log('resolve', result.conflicts.map((c) => c.file));
 */
export interface SubplanWaitResult {
  /** Whether the group ended; false when the wait timed out first. */
  done: boolean;
  plan: PlanRecord;
  children: { id: string; name: string; status: SubplanStatus['status']; attempt: number }[];
  conflicts: ConflictView[];
}

/**
 * The Runtime's calls for agent-driven plans (SPEC §16): a plan without
 * `strategy.steps` stays open in execute and takes tool calls one at a time,
 * spawns and waits on child plans, and is finished when the agent says so.
 *
 * @example
 * await runtime.callTool('demo/agent', { tool: 'fs/write-file', input: { path: 'a.txt', content: 'a\n' } });
 * const record = await runtime.finish('demo/agent');
 * console.log(record.phase, record.status);
 */
export interface AgentMethods {
  /**
   * One tool call on an agent-driven plan open for steps (SPEC §16): a tool
   * that writes (or runs commands) becomes a step — its decision, the call,
   * a step commit when it wrote, a checkpoint, reconciliation — and a read is
   * recorded as a `tool_call` decision. Calls on one plan run one at a
   * time. A call troupe refuses — bad input, a path outside the sandbox or
   * the scopes, a plan not open for steps just now (its children run, it was
   * finished: `PHASE_GUARD`) — is `ok: false`, recorded as a refused
   * `tool_call`, and changes nothing else. Rejects (and records nothing)
   * when the call cannot be addressed to an agent-driven plan: a malformed
   * request, `NOT_FOUND`, or `PHASE_GUARD` for a plan that is not
   * agent-driven, has not strategized, or has ended.
   */
  callTool(ref: string, call: ToolCallRequest): Promise<ToolCallResult>;
  /** End an agent-driven plan's execute and drive it on as `run` would (its automation, or `until`); resolves where it stops. */
  finish(ref: string, options?: RunOptions): Promise<PlanRecord>;
  /** Spawn agent-driven child plans as the open plan's next step; resolves once the first ones are open for their agents. */
  spawnSubplans(ref: string, request: SubplanSpawnRequest): Promise<SubplanSpawnResult>;
  /**
   * Wait until the plan's running group of children ended — merged (the plan
   * is open again), waiting on conflicts, or failed — or `timeoutMs` passed
   * (`done: false`: the children as they stand; wait again).
   */
  waitSubplans(ref: string, options?: { timeoutMs?: number }): Promise<SubplanWaitResult>;
}
