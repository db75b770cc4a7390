import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createRuntime } from '../../src/runtime/index.js';
import { tempRepo } from '../helpers/temp.js';
import {
  connectInspector,
  freePort,
  type InspectorClient,
  type InspectorMessage,
} from '../helpers/inspector-client.js';
import { fanOutPlan, planYaml, projectWithRuntime } from './fixtures.js';

const FAN_OUT_CHECKED = fanOutPlan('demo/inspected', {
  after: false,
  invariants: [{ id: 'readme', check: 'file-exists', path: 'README.md' }],
});

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const actorNamed = (messages: InspectorMessage[], name: string) =>
  messages.find((message) => message.type === '@xstate.actor' && message.name === name);
const snapshotsOf = (messages: InspectorMessage[], actor: InspectorMessage | undefined) =>
  actor
    ? messages.filter((message) => message.type === '@xstate.snapshot' && message.sessionId === actor.sessionId)
    : [];

describe('createRuntime({ inspect: { port } })', () => {
  it('relays actor and snapshot events of the plan, its supervisor and its reconciler to a WebSocket client', async () => {
    const port = await freePort();
    const { runtime, close } = await projectWithRuntime(undefined, { inspect: { port } });
    cleanups.push(close);
    expect(runtime.inspector).toEqual({ port, url: `http://127.0.0.1:${port}`, eventsUrl: `ws://127.0.0.1:${port}` });
    const client: InspectorClient = await connectInspector(runtime.inspector!.eventsUrl);
    cleanups.push(() => client.close());

    const record = await runtime.run((await runtime.createPlan(FAN_OUT_CHECKED)).id);
    expect(record).toMatchObject({ phase: 'validate', status: 'complete' });

    const planActor = (messages: InspectorMessage[]) =>
      messages.find(
        (message) =>
          message.type === '@xstate.actor' &&
          message.name === 'plan' &&
          message.snapshot?.context?.['planId'] === record.id,
      );
    // the messages travel after the run has returned: wait for the plan's snapshot in validate too (CI once read before it came)
    await client.until(
      (messages) =>
        ['plan', 'supervisor', 'reconciler'].every(
          (name) => snapshotsOf(messages, actorNamed(messages, name)).length > 0,
        ) &&
        snapshotsOf(messages, planActor(messages)).some(
          (message) => message.snapshot?.context?.['phase'] === 'validate',
        ),
    );
    const plan = planActor(client.messages)!;
    const supervisor = actorNamed(client.messages, 'supervisor')!;
    const reconciler = actorNamed(client.messages, 'reconciler')!;
    expect(supervisor.parentId).toBe(plan.sessionId);
    expect(
      client.messages.some(
        (message) =>
          message.type === '@xstate.actor' && message.name === 'reconciler' && message.parentId === plan.sessionId,
      ),
    ).toBe(true);
    expect(reconciler.sessionId).not.toBe(plan.sessionId);

    // contexts arrive summarised: ids, phase and counters, lists as counts
    const last = snapshotsOf(client.messages, plan).at(-1)!;
    expect(last.snapshot!.context).toMatchObject({
      planId: record.id,
      name: 'demo/inspected',
      phase: 'validate',
      invariants: '[1 item]',
    });
  });

  it('refuses a port in use with a VALIDATION_ERROR naming the port, before the store is opened', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen({ port: 0, host: '127.0.0.1' }, resolve));
    cleanups.push(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
    const port = (blocker.address() as { port: number }).port;
    const repo = await tempRepo({ 'README.md': '# project\n' });
    cleanups.push(() => repo.cleanup());

    const failure = await createRuntime({ dir: repo.dir, inspect: { port } }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'VALIDATION_ERROR', details: { port } });
    expect((failure as Error).message).toContain(`127.0.0.1:${port}`);
    // the store was not left locked: a runtime opens right after
    const runtime = await createRuntime({ dir: repo.dir, report: () => {} });
    await runtime.close();
  });

  // root may listen anywhere: the refusal needs an ordinary user
  it.skipIf(process.getuid?.() === 0)(
    'refuses a privileged port with a VALIDATION_ERROR that says to pick one above 1023',
    async () => {
      const repo = await tempRepo({ 'README.md': '# project\n' });
      cleanups.push(() => repo.cleanup());
      const failure = await createRuntime({ dir: repo.dir, inspect: { port: 1 } }).catch((error: unknown) => error);
      expect(failure).toMatchObject({
        code: 'VALIDATION_ERROR',
        message: 'the inspector may not listen on 127.0.0.1:1: permission denied',
        hint: 'pick a port above 1023 with --inspect <port>',
        details: { port: 1 },
      });
    },
  );

  it('refuses a port that is not a port', async () => {
    const repo = await tempRepo({ 'README.md': '# project\n' });
    cleanups.push(() => repo.cleanup());
    await expect(createRuntime({ dir: repo.dir, inspect: { port: 70_000 } })).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
    });
  });

  it('still passes raw events to an observer function', async () => {
    const types = new Set<string>();
    const { runtime, close } = await projectWithRuntime(undefined, { inspect: (event) => types.add(event.type) });
    cleanups.push(close);
    expect(runtime.inspector).toBeNull();
    await runtime.createPlan(planYaml());
    expect(types.has('@xstate.actor')).toBe(true);
  });
});
