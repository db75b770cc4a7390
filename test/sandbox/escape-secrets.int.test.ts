import { describe, expect, it } from 'vitest';
import { SECRETS, attempt, neighbour, outside, project, registered, useEscapeSuite } from './escape-fixture.js';

// The escape suite's reads: the user's secrets, other plans' and projects'
// checkouts and troupe's store are out of a command's sight.

useEscapeSuite();

describe('secrets cannot be read', () => {
  const cases: [string, () => string, string][] = [
    ['the user’s untracked .env through ..', () => 'cat ../../../.env', SECRETS.env],
    ['the user’s untracked .env by absolute path', () => `cat ${project}/.env`, SECRETS.env],
    ['an SSH key in $HOME', () => 'cat "$HOME/.ssh/id_rsa"', SECRETS.ssh],
    ['cloud credentials in $HOME', () => 'cat "$HOME/.aws/credentials"', SECRETS.aws],
    ['~/.netrc', () => 'cat ~/.netrc', SECRETS.netrc],
    ['a path listed in sandbox.hide', () => `cat ${outside}/private/secret.txt`, SECRETS.hidden],
    ['another plan’s worktree', () => `cat ${project}/${neighbour.sandbox!.worktree}/neighbour.txt`, SECRETS.neighbour],
    [
      'another registered project’s untracked .env',
      () => `cat ${registered}/.env; ls -a ${registered}`,
      SECRETS.registered,
    ],
    ['by searching the project', () => `grep -r SECRET ${project} --exclude-dir=.git`, 'SECRET-'],
    ['by searching $HOME', () => 'grep -r SECRET "$HOME"', 'SECRET-'],
  ];
  it.each(cases)('%s', async (_name, command, secret) => {
    const { record, seen } = await attempt(`{ ${command()}; } > seen.txt 2>&1; true`);
    expect(record).toMatchObject({ status: 'complete' });
    expect(seen()).not.toContain(secret);
  });

  it('.troupe is not there: the project’s path shows the plan’s worktree, which has no store, no socket, no other plan', async () => {
    const { record, seen } = await attempt(
      `ls -a ${project}/.troupe ${project}/.troupe/worktrees > seen.txt 2>&1; true`,
    );
    expect(record).toMatchObject({ status: 'complete' });
    const listing = seen();
    expect(listing).not.toMatch(/\bdb\b|host\.sock|config\.json/);
    expect(listing).not.toContain(neighbour.id);
    expect(listing).toContain(`${project}/.troupe': No such file or directory`);
  });
});
