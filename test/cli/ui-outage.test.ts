import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { render } from 'ink-testing-library';
import { createElement } from 'react';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App } from '../../src/cli/ui/App.js';
import { createRuntime } from '../../src/runtime/index.js';
import { postgresUnavailable, startTestPostgres, type TestPostgres } from '../helpers/postgres.js';
import { tempRepo } from '../helpers/temp.js';
import { planYaml } from '../runtime/fixtures.js';

// Issue 37 item 2: troupe ui on a PostgreSQL store that stops and starts
// again says the store is unavailable, keeps trying, and says when it is back.

describe.skipIf(postgresUnavailable() !== null)('troupe ui through a PostgreSQL outage', () => {
  let postgres: TestPostgres;
  beforeAll(async () => {
    postgres = await startTestPostgres();
  });
  afterAll(async () => {
    await postgres?.stop();
  });

  it('says the store is unavailable once, and that it is back', async () => {
    const repo = await tempRepo({ 'README.md': '# ui\n' });
    await mkdir(join(repo.dir, '.troupe'), { recursive: true });
    await writeFile(
      join(repo.dir, '.troupe', 'config.json'),
      JSON.stringify({ store: { kind: 'postgres', url: postgres.url, schema: postgres.schema() } }),
    );
    const runtime = await createRuntime({ dir: repo.dir, resume: false, report: () => {} });
    const view = render(createElement(App, { runtime, size: { columns: 120, rows: 30 } }));
    const until = async (wanted: (text: string) => boolean) => {
      const deadline = Date.now() + 20_000;
      while (!wanted(view.lastFrame() ?? '')) {
        if (Date.now() > deadline) throw new Error(`never shown; last frame:\n${view.lastFrame()}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    try {
      await runtime.createPlan(planYaml({ name: 'demo/shown' }));
      await until((text) => text.includes('demo/shown'));
      const back = await postgres.outage();
      // no event comes: the view's own light read notices
      await until((text) => text.includes('the store is unavailable'));
      await back();
      await until((text) => text.includes('the store is back'));
      expect(view.lastFrame()).toContain('demo/shown');
    } finally {
      view.unmount();
      await runtime.close();
      await repo.cleanup();
    }
  }, 60_000);
});
