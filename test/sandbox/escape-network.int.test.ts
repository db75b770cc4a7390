import { describe, expect, it } from 'vitest';
import { planYaml, step } from '../runtime/fixtures.js';
import { attempt, connections, decisions, port, refused, runtime, useEscapeSuite } from './escape-fixture.js';

// The escape suite's network: a command reaches nothing, not even the host's
// loopback, unless its plan says network: true.

useEscapeSuite();

describe('the network is off unless the plan asks for it', () => {
  const connect = () =>
    `node -e 'const s=require("net").connect(${port},"127.0.0.1");s.on("data",d=>{process.stdout.write(d);process.exit(0)});s.on("error",e=>{console.error(e.message);process.exit(7)})'`;

  it('a TCP server on the host’s 127.0.0.1 cannot be reached', async () => {
    const before = connections;
    const { record } = await attempt(connect());
    refused(record, /ECONNREFUSED|ENETUNREACH|EHOSTUNREACH/);
    expect(connections).toBe(before);
  });

  it('with network: true it can, and plan explain shows the decision', async () => {
    const before = connections;
    const { record } = await attempt(`${connect()} > seen.txt`, { network: true });
    expect(record).toMatchObject({ status: 'complete' });
    expect(connections).toBe(before + 1);
    const policy = decisions((await runtime.explain(record.id)).root).filter(
      (decision) => decision.type === 'sandbox_policy',
    );
    expect(policy.map((decision) => decision.payload)).toEqual([{ network: true }]);
  });

  it('child plans inherit network: true', async () => {
    const before = connections;
    const plan = await runtime.createPlan(
      planYaml({
        name: 'escape/net-parent',
        network: true,
        strategy: {
          steps: [
            {
              title: 'Fan out',
              subplans: {
                entries: [
                  {
                    goal: 'Call out',
                    resourceScopes: ['kids/**'],
                    strategy: {
                      steps: [step('Call', 'shell/run', { command: `mkdir -p kids && ${connect()} > kids/seen.txt` })],
                    },
                  },
                ],
              },
            },
          ],
        },
      }),
    );
    const record = await runtime.run(plan.id, { until: 'execute' });
    expect(record).toMatchObject({ status: 'complete' });
    expect(connections).toBe(before + 1);
    const childId = Object.keys(record.subplanStatuses)[0]!;
    expect(
      decisions((await runtime.explain(childId)).root).some((decision) => decision.type === 'sandbox_policy'),
    ).toBe(true);
  });

  it('no plan without network gets a sandbox_policy decision', async () => {
    const { record } = await attempt('true');
    expect(
      decisions((await runtime.explain(record.id)).root).filter((decision) => decision.type === 'sandbox_policy'),
    ).toEqual([]);
  });
});
