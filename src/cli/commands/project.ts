import { DEFAULT_PROJECT } from '../../domain/index.js';
import { EXIT } from '../exit-codes.js';
import type { CommandContext } from '../context.js';

/** `troupe project add <name> <path>`: register another git repository for child plans (SPEC §3). */
export async function projectAdd(context: CommandContext, name: string, path: string): Promise<number> {
  const runtime = await context.runtime();
  // a path is relative to where the command runs, like every path on the command line
  const { resolve } = await import('node:path');
  const project = await runtime.addProject(name, resolve(context.dir, path));
  context.out.result(
    project,
    () => `${context.out.paint('green', '✓')} registered project ${project.name}: ${project.path}`,
  );
  return EXIT.ok;
}

/** `troupe project list`: this project and the registered ones. */
export async function projectList(context: CommandContext): Promise<number> {
  const runtime = await context.runtime();
  const projects = await runtime.listProjects();
  context.out.result(projects, () => {
    const width = Math.max(...projects.map((project) => project.name.length));
    return projects
      .map(
        (project) =>
          `${project.name.padEnd(width)}  ${project.path}${project.name === DEFAULT_PROJECT ? context.out.paint('dim', '  (this project)') : ''}`,
      )
      .join('\n');
  });
  return EXIT.ok;
}
