import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hostSecrets } from '../../src/sandbox/hidden-places.js';
import { tempDir } from '../helpers/temp.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe('hostSecrets', () => {
  it('names the password hashes and the private SSH host keys, not the public ones', async () => {
    const made = await tempDir('troupe-ssh-');
    cleanups.push(made.cleanup);
    for (const name of ['ssh_host_ed25519_key', 'ssh_host_ed25519_key.pub', 'sshd_config'])
      writeFileSync(join(made.dir, name), '');
    expect(await hostSecrets(made.dir)).toEqual([
      '/etc/shadow',
      '/etc/shadow-',
      '/etc/gshadow',
      '/etc/gshadow-',
      '/etc/security/opasswd',
      join(made.dir, 'ssh_host_ed25519_key'),
    ]);
  });
});
