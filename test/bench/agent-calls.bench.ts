// Tool calls on an agent-driven plan (SPEC §16), one at a time as an agent
// makes them, through a real runtime on a temp git repository and LevelDB:
// what a read costs recorded as a `tool_call` decision (troupe's choice),
// against the same read made a step, and what a writing step costs.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { z } from 'zod';
import { createRuntime } from '../../src/runtime/index.js';
import { defineTool } from '../../src/tools/index.js';
import { LevelStore } from '../../src/store/index.js';
import { tempDir, tempRepo } from '../helpers/temp.js';

/** The figures of one kind of call: wall time and bytes the store wrote, per call. */
export interface CallFigures {
  calls: number;
  msPerCall: number;
  bytesPerCall: number;
  batchesPerCall: number;
}

/** Every kind measured in one run. */
export interface AgentCallFigures {
  /** `fs/read-file` through callTool: a `tool_call` decision and a `tool.called` entry, no step. */
  readAsDecision: CallFigures;
  /**
   * The same read made a step: a tool doing what `fs/read-file` does but
   * declared as writing, so troupe runs it as one (decision, pending-path
   * check, reconciliation; no commit or checkpoint, as nothing changed).
   */
  readAsStep: CallFigures;
  /** `fs/write-file` through callTool: a step with its commit and checkpoint. */
  writeStep: CallFigures;
}

const README = '# bench\n\nA small file every read reads.\n';

// fs/read-file's work, declared as a writing tool: what a read would cost if every read were a step
const readAsStepTool = defineTool({
  name: 'bench/read-as-step',
  description: 'Read a file, run as a step',
  input: z.strictObject({ path: z.string() }),
  sideEffects: ['fs_write'],
  async handler({ path }, { paths }) {
    return { content: await readFile(await paths.resolve(path, 'read'), 'utf8') };
  },
});

/** Measure `calls` calls of each kind on one agent-driven plan with one cheap invariant reconciled after every step. */
export async function runAgentCallBench(options: { calls: number }): Promise<AgentCallFigures> {
  const repo = await tempRepo({ 'README.md': README });
  const temp = await tempDir('troupe-bench-db-');
  let bytes = 0;
  let batches = 0;
  const store = new LevelStore({
    path: join(temp.dir, 'db'),
    onBatch: (info) => {
      bytes += info.bytes;
      batches += 1;
    },
  });
  const runtime = await createRuntime({
    dir: repo.dir,
    store,
    tools: [readAsStepTool],
    resume: false,
    report: () => {},
  });
  try {
    const plan = await runtime.run(
      (
        await runtime.createPlan(
          stringify({
            name: 'bench/agent',
            goal: 'Answer tool calls',
            resourceScopes: ['**'],
            invariants: [{ id: 'readme', check: 'file-exists', path: 'README.md' }],
          }),
        )
      ).id,
    );
    if (plan.status !== 'waiting') throw new Error(`the plan is not open: ${plan.phase} ${plan.status}`);
    const measure = async (make: (index: number) => { tool: string; input: unknown }): Promise<CallFigures> => {
      const [bytesBefore, batchesBefore] = [bytes, batches];
      const started = performance.now();
      for (let index = 0; index < options.calls; index++) {
        const result = await runtime.callTool(plan.id, make(index));
        if (!result.ok) throw new Error(`call ${index} failed: ${result.error.message}`);
      }
      const ms = performance.now() - started;
      // the last call's batch may still be on its way: the next read of the record waits for it
      await runtime.getPlan(plan.id);
      return {
        calls: options.calls,
        msPerCall: ms / options.calls,
        bytesPerCall: (bytes - bytesBefore) / options.calls,
        batchesPerCall: (batches - batchesBefore) / options.calls,
      };
    };
    const readAsDecision = await measure(() => ({ tool: 'fs/read-file', input: { path: 'README.md' } }));
    const readAsStep = await measure(() => ({ tool: 'bench/read-as-step', input: { path: 'README.md' } }));
    const writeStep = await measure((index) => ({
      tool: 'fs/write-file',
      input: { path: `notes/${index % 50}.txt`, content: `note ${index}\n` },
    }));
    return { readAsDecision, readAsStep, writeStep };
  } finally {
    await runtime.close();
    await repo.cleanup();
    await temp.cleanup();
  }
}
