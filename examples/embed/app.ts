// A small app that embeds troupe (SPEC §14): its own tool, its own
// strategist, and the in-memory store. Run it on a git repository:
//   npx tsx examples/embed/app.ts <repo>      # shouts <repo>/notes/*.txt
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { createRuntime, defineTool, type DecisionTree, type PlanRecord, type Strategist } from '../../src/index.js';

/** `text/shout {path}`: upper-cases a text file of the plan's sandbox. */
export const shout = defineTool({
  name: 'text/shout',
  description: 'Upper-case a text file',
  input: z.strictObject({ path: z.string().min(1) }),
  sideEffects: ['fs_write'],
  async handler({ path }, { paths }) {
    // the guard refuses paths outside the sandbox or the plan's resourceScopes
    const file = await paths.resolve(path, 'write');
    await writeFile(file, (await readFile(file, 'utf8')).toUpperCase());
    return { shouted: path };
  },
});

/** Decides one `text/shout` step per `.txt` file under `notes/`, looking through a read-only tool. */
export const shouter: Strategist = {
  name: 'shouter',
  async strategize(_input, { callTool }) {
    const listing = await callTool('fs/list-files', { path: 'notes', glob: 'notes/**/*.txt' });
    if (!listing.success) throw new Error(`cannot list the notes: ${listing.error.message}`);
    const { files } = listing.output as { files: string[] };
    return {
      rationale: `${files.length} text notes to shout`,
      steps: files.map((file) => ({ title: `Shout ${file}`, tool: 'text/shout', input: { path: file } })),
    };
  },
};

/** Runs the shouting plan on the git repository `dir` to `done`, and returns it with its decisions. */
export async function shoutNotes(dir: string): Promise<{ plan: PlanRecord; decisions: DecisionTree }> {
  // memory store: no LevelDB under dir/.troupe, the records go when the runtime closes
  const runtime = await createRuntime({ dir, store: 'memory', tools: [shout], actors: { strategist: shouter } });
  try {
    const created = await runtime.createPlan({
      name: 'app/shout-notes',
      goal: 'Upper-case every text note',
      automation: 'auto', // strategize → execute → validate → apply
      resourceScopes: ['notes/**'],
    });
    const plan = await runtime.run(created.id);
    return { plan, decisions: await runtime.explain(plan.id) };
  } finally {
    await runtime.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { plan } = await shoutNotes(resolve(process.argv[2] ?? '.'));
  console.log(
    `${plan.name}: ${plan.phase} · ${plan.status}${plan.appliedCommit ? `, applied as ${plan.appliedCommit.slice(0, 7)}` : ''}`,
  );
  if (plan.status !== 'done') process.exitCode = 1;
}
