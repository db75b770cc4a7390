import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createRuntime, type PlanRecord, type Runtime, type Strategist } from '../../src/index.js';

/** What a tool call answered a strategist (`{success, error}`). */
export interface ToolAnswer {
  success: boolean;
  error?: { code: string; message: string };
}

/**
 * An app that embeds troupe through its public API (SPEC §14) with a
 * strategist of its own, on the scenario's project and its LevelDB store.
 */
export class EmbeddingApp {
  readonly answers: ToolAnswer[] = [];
  readonly strategist: Strategist;
  runtime: Runtime | undefined;
  record: PlanRecord | undefined;

  private constructor(strategist: (app: EmbeddingApp) => Strategist) {
    this.strategist = strategist(this);
  }

  /** A strategist that asks the runtime to write a file, then decides the plan file's steps. */
  static withStrategistCallingWriteTool(path: string): EmbeddingApp {
    return new EmbeddingApp((app) => ({
      name: 'write-tool-caller',
      async strategize({ spec }, { callTool }) {
        app.answers.push((await callTool('fs/write-file', { path, content: 'written in strategize\n' })) as ToolAnswer);
        return { steps: spec.strategy?.steps ?? [] };
      },
    }));
  }

  /** A strategist that writes into the sandbox with node's fs, behind the runtime's back. */
  static withStrategistWritingDirectly(path: string): EmbeddingApp {
    return new EmbeddingApp(() => ({
      name: 'direct-writer',
      async strategize({ spec }, { sandboxRoot }) {
        await writeFile(join(sandboxRoot, path), 'written in strategize\n');
        return { steps: spec.strategy?.steps ?? [] };
      },
    }));
  }

  /** Open troupe on `project` with this app's strategist, create the plan in `planFile` and run it. */
  async createAndRun(project: string, planFile: string, until?: 'strategize'): Promise<PlanRecord> {
    this.runtime = await createRuntime({ dir: project, actors: { strategist: this.strategist } });
    const plan = await this.runtime.createPlan(await readFile(join(project, planFile), 'utf8'));
    this.record = await this.runtime.run(plan.id, until ? { until } : {});
    return this.record;
  }

  async close(): Promise<void> {
    const runtime = this.runtime;
    this.runtime = undefined;
    await runtime?.close();
  }
}
