import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { networkInterfaces } from 'node:os';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DecisionNode } from '../../src/domain/index.js';
import type { RuntimeOptions } from '../../src/runtime/index.js';
import { processesWith } from '../helpers/processes.js';
import { tempRepo } from '../helpers/temp.js';
import { planYaml, projectWithConfig, step } from './fixtures.js';

// Network by name through the runtime (issue 39): a plan's allow-list reaches its commands,
// its children and its services; refusals are journaled and counted; the project's list bounds
// the plan's; a network that is not closed fails the step. A server on 127.0.0.1 is the host.

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

let host: Server;
let port: number;
beforeAll(async () => {
  host = createServer((request, response) => response.end(`host ${request.url}`));
  await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
  port = (host.address() as { port: number }).port;
});
afterAll(() => host.close());

const projectWith = (config: unknown, options: Omit<RuntimeOptions, 'dir'> = {}) =>
  projectWithConfig(config, cleanups, options);

function policyOf(node: DecisionNode | null): DecisionNode | undefined {
  if (!node) return undefined;
  return node.type === 'sandbox_policy' ? node : node.children.map(policyOf).find(Boolean);
}

// through the proxy (NO_PROXY unset: localhost would go straight to the relay), then the relay, then refused hosts
const fetchAll = () =>
  [
    `env -u NO_PROXY -u no_proxy curl -sS http://localhost:${port}/proxied > fetched.txt`,
    `curl -sS http://127.0.0.1:${port}/relayed >> fetched.txt`,
    'curl -s http://evil.example/ > refused.txt',
    'curl -s http://evil.example/again > /dev/null',
    'curl -s -p http://evil.example:443/ > /dev/null',
    'true',
  ].join('; ');

describe('a plan with a network allow-list', () => {
  it('reaches what is listed, journals each refused host once per step, counts both in the command log, and records the list', async () => {
    const { dir, runtime } = await projectWith({});
    const steps = [
      step('Fetch', 'shell/run', { command: fetchAll() }),
      step('Again', 'shell/run', { command: 'curl -s http://evil.example/; true' }),
    ];
    const validate = [{ run: 'curl -s http://evil.example/; curl -s http://evil.example/; true' }];
    const plan = await runtime.createPlan(
      planYaml({ name: 'net/allow', network: { allow: [`localhost:${port}`] }, strategy: { steps }, validate }),
    );
    const record = await runtime.run(plan.id, { until: 'validate' });
    expect(record, JSON.stringify(record.error)).toMatchObject({ phase: 'validate', status: 'complete' });
    const worktree = join(dir, record.sandbox!.worktree);
    expect(readFileSync(join(worktree, 'fetched.txt'), 'utf8')).toBe('host /proxiedhost /relayed');
    expect(readFileSync(join(worktree, 'refused.txt'), 'utf8')).toContain(
      "troupe refused evil.example:80: it is not on this plan's network allow-list",
    );

    const denied = (await runtime.events(plan.id)).filter((event) => event.type === 'network.denied');
    expect(denied.map((event) => ({ phase: event.phase, ...event.data }))).toEqual([
      {
        phase: 'execute',
        host: 'evil.example',
        port: 80,
        command: fetchAll(),
        step: 0,
        kind: 'step',
        tool: 'shell/run',
        reason: 'not-listed',
      },
      {
        phase: 'execute',
        host: 'evil.example',
        port: 80,
        command: 'curl -s http://evil.example/; true',
        step: 1,
        kind: 'step',
        tool: 'shell/run',
        reason: 'not-listed',
      },
      {
        phase: 'validate',
        host: 'evil.example',
        port: 80,
        command: validate[0]!.run,
        step: null,
        kind: 'validate',
        reason: 'not-listed',
      },
    ]);
    const logs = await runtime.logs(plan.id);
    expect(logs.map((log) => log.network)).toEqual([
      { allowed: { localhost: 1 }, denied: { 'evil.example': 3 } },
      { allowed: {}, denied: { 'evil.example': 1 } },
      { allowed: {}, denied: { 'evil.example': 2 } },
    ]);
    const policy = policyOf((await runtime.explain(plan.id)).root);
    expect(policy).toMatchObject({
      title: `Commands may reach only the hosts on the allow-list: localhost:${port}`,
      payload: { network: { allow: [`localhost:${port}`] } },
    });
    expect(policy!.rationale).toContain('network.allow in the plan file');
    // the plan's network stays for its next command a while, then goes; closing troupe takes it at once
    expect(await processesWith(`troupe-plan-network:${plan.id}`)).not.toEqual([]);
    await runtime.close();
    expect(await processesWith(`troupe-plan-network:${plan.id}`)).toEqual([]);
  });

  it('hands its list to its child plans, whose refusals are their own', async () => {
    const { runtime } = await projectWith({});
    const fanOut = {
      title: 'Fan out',
      subplans: {
        entries: [
          {
            name: 'net/child',
            goal: 'Reach out',
            resourceScopes: ['c.txt'],
            strategy: { steps: [step('Out', 'shell/run', { command: 'curl -s http://evil.example/; true' })] },
          },
        ],
      },
    };
    const plan = await runtime.createPlan(
      planYaml({ name: 'net/parent', network: { allow: [`localhost:${port}`] }, strategy: { steps: [fanOut] } }),
    );
    const record = await runtime.run(plan.id, { until: 'execute' });
    expect(record, JSON.stringify(record.error)).toMatchObject({ phase: 'execute', status: 'complete' });
    const child = await runtime.getPlan('net/child');
    expect(
      (await runtime.events(child.id))
        .filter((event) => event.type === 'network.denied')
        .map((event) => event.data.host),
    ).toEqual(['evil.example']);
    const policy = policyOf((await runtime.explain(child.id)).root);
    expect(policy).toMatchObject({
      payload: { network: { allow: [`localhost:${port}`] } },
      rationale: expect.stringContaining('network.allow, inherited from the parent plan'),
    });
  });

  it('lets its commands reach its services on loopback whatever the list says', async () => {
    const { runtime } = await projectWith({});
    const plan = await runtime.run(
      (
        await runtime.createPlan(
          planYaml({ name: 'net/svc', resourceScopes: ['src/**'], network: { allow: ['registry.npmjs.org'] } }),
        )
      ).id,
    );
    const listen = `exec node -e 'require("http").createServer((q,s)=>s.end("from-the-service")).listen(18931,"127.0.0.1",()=>console.log("listening"))'`;
    await runtime.startService(plan.id, { name: 'web', command: listen, readyPort: 18931 });
    const reached = await runtime.callTool(plan.id, {
      tool: 'shell/exec',
      input: { command: 'curl -sS http://127.0.0.1:18931/' },
    });
    expect(reached).toMatchObject({ ok: true, output: { exitCode: 0, stdout: 'from-the-service' } });
    await runtime.stopService(plan.id, 'web');
  });
});

describe("the project's list", () => {
  it('bounds every plan: one may narrow it, never widen it, and a plan without a list gets it', async () => {
    const { runtime } = await projectWith({ network: { allow: ['*.example.org', `localhost:${port}`] } });
    await expect(
      runtime.createPlan(planYaml({ name: 'net/wide', network: { allow: ['api.example.org', 'evil.example'] } })),
    ).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
      message: expect.stringContaining(
        `network.allow[1]: "evil.example" is not within the project's list (*.example.org, localhost:${port}): a plan may only narrow it`,
      ),
      hint: expect.stringContaining('add the host to network.allow in .troupe/config.json'),
    });
    await expect(runtime.createPlan(planYaml({ name: 'net/all', network: true }))).rejects.toMatchObject({
      message: expect.stringContaining("network: true would widen the project's list"),
    });
    const narrow = await runtime.createPlan(planYaml({ name: 'net/narrow', network: { allow: ['api.example.org'] } }));
    const plain = await runtime.createPlan(planYaml({ name: 'net/plain' }));
    await runtime.run(narrow.id, { until: 'strategize' });
    await runtime.run(plain.id, { until: 'strategize' });
    expect(policyOf((await runtime.explain(narrow.id)).root)?.payload).toEqual({
      network: { allow: ['api.example.org'] },
    });
    expect(policyOf((await runtime.explain(plain.id)).root)).toMatchObject({
      payload: { network: { allow: ['*.example.org', `localhost:${port}`] } },
      rationale: expect.stringContaining('network.allow in .troupe/config.json'),
    });
  });
});

// a holder whose network is the host's (a bubblewrap that leaves out --unshare-net for it): the list could not hold
const hasOutsideInterface = Object.keys(networkInterfaces()).some((name) => name !== 'lo');
describe('failing closed', () => {
  it.runIf(process.getuid?.() === 0 && hasOutsideInterface)(
    'fails the step with SANDBOX_UNAVAILABLE, naming the way out, when the plan network is not closed — nothing runs',
    async () => {
      const { dir: scratch } = await tempRepo({});
      const leaky = join(scratch, 'leaky-bwrap');
      writeFileSync(
        leaky,
        '#!/bin/bash\nholder=0\nfor a in "$@"; do [[ $a == troupe-plan-network* ]] && holder=1; done\nargs=()\nfor a in "$@"; do [[ $holder == 1 && $a == --unshare-net ]] || args+=("$a"); done\nexec /usr/bin/bwrap "${args[@]}"\n',
      );
      chmodSync(leaky, 0o755);
      const { dir, runtime } = await projectWith({ sandbox: { bwrap: leaky } });
      const plan = await runtime.createPlan(
        planYaml({
          name: 'net/leaky',
          network: { allow: ['registry.npmjs.org'] },
          strategy: { steps: [step('Run', 'shell/run', { command: 'echo ran > ran.txt' })] },
        }),
      );
      const failed = await runtime.run(plan.id, { until: 'execute' });
      expect(failed).toMatchObject({
        phase: 'execute',
        status: 'failed',
        error: {
          code: 'SANDBOX_UNAVAILABLE',
          step: 0,
          message: expect.stringMatching(
            /the network allow-list cannot be enforced: the plan network has a route out: interface .+ besides the loopback/,
          ),
          hint: expect.stringContaining('troupe doctor'),
        },
      });
      expect(existsSync(join(dir, failed.sandbox!.worktree, 'ran.txt'))).toBe(false);
    },
  );
});
