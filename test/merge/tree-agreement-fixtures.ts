import { afterEach } from 'vitest';
import { gitMerge, referenceRepo, troupeMerge, type FixtureTree, type ReferenceRepo } from './merge-tree-reference.js';

// Tree merges side by side with git merge-tree: a reference repository per fixture
// (cleaned up after each test by the hook this module registers), and the entries
// the fixtures are made of.

export const repos: ReferenceRepo[] = [];
afterEach(async () => {
  for (const repo of repos.splice(0)) await repo.cleanup();
});

export type Fixture = { base: FixtureTree; ours: FixtureTree; theirs: FixtureTree };

export async function both(fixture: Fixture) {
  const repo = await referenceRepo(fixture);
  repos.push(repo);
  return { repo, troupe: await troupeMerge(repo), git: gitMerge(repo) };
}

export const exec = (content: string) => ({ content, mode: '100755' as const });
export const link = (target: string) => ({ content: target, mode: '120000' as const });
export const submodule = (digit: number) => ({ gitlink: String(digit).repeat(40) });
export const ICONS =
  '.fa-glass:before { content: "\\f000"; }\n.fa-music:before { content: "\\f001"; }\n.fa-search:before { content: "\\f002"; }\n';
// the files of a directory differ from the file against them: git would otherwise see a rename
export const BRANDS = '.fa-github:before { content: "\\f09b"; }\n.fa-twitter:before { content: "\\f099"; }\n';
export const BUILD = '#!/bin/sh\nset -e\nmake icons\nmake fonts\n';
