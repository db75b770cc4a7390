import type { PlanRecord } from '../../domain/index.js';
import type { RunOptions } from '../plans/index.js';
import type { AgentHost } from './agent-host.js';
import type {
  SubplanSpawnRequest,
  SubplanSpawnResult,
  SubplanWaitResult,
  ToolCallRequest,
  ToolCallResult,
} from './agent-api.js';
import { notOpen, openablePlan, reopenPlan } from './open-plans.js';
import { checkSpawnRequest, spawnedChildren, spawnGroup, waitForSubplans } from './subplan-calls.js';
import { checkCall, takeToolCall } from './tool-calls.js';
import type {
  ServiceLogOptions,
  ServiceLogsResult,
  ServiceStartRequest,
  ServiceStartResult,
  ServiceStopResult,
  ServiceView,
} from './service-api.js';
import { ServiceBook } from './service-book.js';
import { captureServiceWrites, listServices, serviceLogs, startService, stopService } from './service-calls.js';
import { checkServiceName, checkServiceStart } from './service-checks.js';

// the host is what an embedder or a test lends the class: offered where the class is
export type { AgentHost } from './agent-host.js';

/**
 * Agent-driven plans (SPEC §16): a plan without `strategy.steps` rests open
 * in execute, and each tool call made on it from outside becomes a step like
 * a scripted one — its `step` decision (with the caller's rationale), the
 * call through the ToolRunner in the contained sandbox, a step commit when
 * it wrote, a `step` checkpoint and the reconciliation after it — so
 * explain, changes, rollback and resume work as for any plan. A read (a
 * tool that changes nothing) is no step: it runs and is recorded as a
 * `tool_call` decision and a `tool.called` entry, without a commit, a
 * checkpoint or a reconciliation (nothing changed to check). A call troupe
 * refuses — bad input, a path outside the sandbox or the scopes, a sandbox
 * that cannot start — changes nothing, is recorded, and the plan stays open.
 *
 * Calls on one plan run one at a time, in the order they came; calls on
 * different plans run side by side. The calls themselves are in
 * tool-calls.ts and subplan-calls.ts; this class keeps their order.
 *
 * @example
 * const agent = new RuntimeAgentCalls(host);
 * const result = await agent.callTool('demo/agent', { tool: 'fs/read-file', input: { path: 'README.md' } });
 */
export class RuntimeAgentCalls {
  readonly #host: AgentHost;
  readonly #services: ServiceBook;
  // the last call queued on each plan: the next one starts after it
  readonly #queues = new Map<string, Promise<unknown>>();
  // the lookup of the last call that arrived: the next call's lookup waits for it
  #arrivals: Promise<unknown> = Promise.resolve();

  constructor(host: AgentHost) {
    this.#host = host;
    this.#services = new ServiceBook(host);
  }

  async callTool(ref: string, call: ToolCallRequest): Promise<ToolCallResult> {
    const request = checkCall(call);
    return this.#inOrder(ref, async (id) => {
      // what a service wrote is kept by a step of its own before a call that may write: a
      // failing step goes back to the last step commit and would take the service's files along
      if (this.#services.running(id) && this.#host.tools.writes(request.tool)) await this.#capture(id, request.actor);
      return takeToolCall(this.#host, id, request);
    });
  }

  async finish(ref: string, options: RunOptions = {}): Promise<PlanRecord> {
    return this.#inOrder(ref, async (id) => {
      const live = await openablePlan(this.#host, id, 'finish');
      // services stop before execute ends, and what they wrote becomes a step first
      if (this.#services.running(id)) {
        await this.#services.stopAll(id, 'plan', 'agent');
        await this.#capture(id, 'agent');
      }
      const event = { type: 'plan.finish' as const, ...(options.until ? { until: options.until } : {}) };
      if (!live.can(event)) throw notOpen(live, 'finish');
      live.send(event);
      return live.untilRest();
    });
  }

  async spawnSubplans(ref: string, request: SubplanSpawnRequest): Promise<SubplanSpawnResult> {
    const wanted = checkSpawnRequest(request);
    // the spawn takes the plan's turn; waiting for the children to open does not hold up its next call
    const spawned = await this.#inOrder(ref, (id) => spawnGroup(this.#host, id, wanted));
    return spawnedChildren(this.#host, spawned);
  }

  async waitSubplans(ref: string, options: { timeoutMs?: number } = {}): Promise<SubplanWaitResult> {
    return waitForSubplans(this.#host, ref, options);
  }

  async startService(ref: string, request: ServiceStartRequest): Promise<ServiceStartResult> {
    const checked = checkServiceStart(request);
    return this.#inOrder(ref, (id) => startService(this.#host, this.#services, id, checked));
  }

  async stopService(ref: string, name: string, options: { actor?: string } = {}): Promise<ServiceStopResult> {
    checkServiceName(name);
    return this.#inOrder(ref, (id) => stopService(this.#host, this.#services, id, name, options.actor ?? 'agent'));
  }

  async listServices(ref: string): Promise<{ planId: string; services: ServiceView[] }> {
    return listServices(this.#services, await this.#host.resolve(ref));
  }

  async serviceLogs(ref: string, name: string, options: ServiceLogOptions = {}): Promise<ServiceLogsResult> {
    checkServiceName(name);
    return serviceLogs(this.#host, this.#services, await this.#host.resolve(ref), name, options ?? {});
  }

  /** A plan moved (its record was published): one that left execute loses its services. */
  planMoved(record: PlanRecord): void {
    this.#services.planMoved(record);
  }

  /** Stop the plan's services before it is cancelled or rolled back (recorded while the plan still is). */
  async stopServices(planId: string): Promise<void> {
    if (this.#services.running(planId)) await this.#services.stopAll(planId, 'plan');
  }

  /** Stop every service (the runtime closes). */
  async close(): Promise<void> {
    await this.#services.close();
  }

  async #capture(id: string, actor: string): Promise<void> {
    const names = this.#services
      .list(id)
      .map((service) => service.name)
      .join(',');
    await captureServiceWrites(
      this.#host,
      id,
      names.length > 64 ? `${names.slice(0, 63)}…` : names || 'services',
      actor,
    );
  }

  /** Open an agent-driven plan again after a rollback left it queued in execute (SPEC §16); whether it did. */
  async reopen(planId: string): Promise<boolean> {
    return reopenPlan(this.#host, planId);
  }

  // A call takes its place in its plan's queue in the order it arrived: the
  // lookups of refs run one after another, and each call is queued as soon as
  // its own lookup ends, so a slow lookup cannot let a later call overtake it.
  #inOrder<T>(ref: string, work: (id: string) => Promise<T>): Promise<T> {
    const queued = this.#arrivals
      .then(() => this.#host.resolve(ref))
      .then((id) => ({ done: this.#serial(id, () => work(id)) }));
    this.#arrivals = queued.catch(() => undefined);
    return queued.then(({ done }) => done);
  }

  #serial<T>(id: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#queues.get(id) ?? Promise.resolve();
    const next = previous.catch(() => {}).then(work);
    this.#queues.set(id, next);
    void next
      .catch(() => {})
      .then(() => {
        if (this.#queues.get(id) === next) this.#queues.delete(id);
      });
    return next;
  }
}
