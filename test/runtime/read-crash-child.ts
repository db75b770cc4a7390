// Takes one command on an agent-driven plan and never closes: the crash
// test SIGKILLs this process while the command runs, and checks that a new
// runtime records it once, as a read.
import { createRuntime } from '../../src/runtime/index.js';

// the command comes in the environment: in argv, the test would find this process by it
const [dir, planId] = process.argv.slice(2);
const command = process.env.READ_COMMAND;
const runtime = await createRuntime({ dir: dir!, report: () => {} });
process.stdout.write('ready\n');
const result = await runtime.callTool(planId!, { tool: 'shell/exec', input: { command: command! } });
process.stdout.write(`answered ${result.ok}\n`);
setInterval(() => {}, 60_000);
