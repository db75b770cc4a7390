import { describe, expect, it } from 'vitest';
import { rejection, type Conformance } from './store-fixture.js';

/** Projects: registered by name, listed in name order. */
export function describeProjects({ openStore }: Conformance): void {
  describe('projects', () => {
    it('registers projects by name, lists them in name order, and refuses a name twice', async () => {
      const store = await openStore();
      expect(await store.listProjects()).toEqual([]);
      const docs = { name: 'docs-site', path: '/repos/docs', addedAt: '2026-01-01T00:00:00.000Z' };
      const api = { name: 'api', path: '/repos/api', addedAt: '2026-01-02T00:00:00.000Z' };
      await store.addProject(docs);
      await store.addProject(api);
      expect(await store.listProjects()).toEqual([api, docs]);
      expect(await store.getProject('docs-site')).toEqual(docs);
      expect(await store.getProject('nope')).toBeNull();
      const error = await rejection(store.addProject({ ...docs, path: '/elsewhere' }));
      expect(error).toMatchObject({
        code: 'VALIDATION_ERROR',
        message: 'name: a project named "docs-site" is already registered',
      });
      expect(await store.getProject('docs-site')).toEqual(docs);
    });
  });
}
