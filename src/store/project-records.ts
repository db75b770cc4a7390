import { ValidationError } from '../domain/errors.js';
import type { ProjectRecord } from '../domain/index.js';
import { AS_TEXT, loadedSchemas, storedSchemas } from './stored-decode.js';
import type { Sublevels } from './store-database.js';
import type { Put } from './plan-batches.js';

/**
 * The write that registers a project, checked: its record is parsed, and a
 * name already registered is a `VALIDATION_ERROR`.
 *
 * @example
 * await db.batch([await newProjectPut(parts, { name: 'api', path: '/srv/api', addedAt })]);
 */
export async function newProjectPut(parts: Sublevels, project: ProjectRecord): Promise<Put> {
  const parsed = (loadedSchemas() ?? (await storedSchemas())).projectRecordSchema.parse(project);
  if ((await parts.projects.get<string, string>(parsed.name, AS_TEXT)) !== undefined) {
    throw new ValidationError([{ path: 'name', message: `a project named "${parsed.name}" is already registered` }], {
      hint: 'troupe project list shows them',
    });
  }
  return { type: 'put', sublevel: parts.projects, key: parsed.name, value: parsed };
}
