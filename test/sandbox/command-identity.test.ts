import { describe, expect, it } from 'vitest';
import { describeIdentity, resolveCommandIdentity } from '../../src/sandbox/index.js';

const PASSWD = 'root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n';
const GROUP = 'root:x:0:\nnogroup:x:65534:\n';
const withUser = (line: string) => `${PASSWD}${line}\n`;

describe('who contained commands run as', () => {
  it("is troupe's own user when troupe is not root", async () => {
    const identity = await resolveCommandIdentity({
      uid: 1000,
      createUser: () => Promise.reject(new Error('must not be called')),
    });
    expect(identity).toMatchObject({ kind: 'own', uid: 1000 });
    expect(describeIdentity(identity)).toMatch(/the user troupe runs as$/);
  });

  it('is troupe-sandbox when troupe is root and the machine has that user', async () => {
    const identity = await resolveCommandIdentity({
      uid: 0,
      passwd: async () => withUser('troupe-sandbox:x:998:997::/nonexistent:/usr/sbin/nologin'),
      group: async () => GROUP,
    });
    expect(identity).toEqual({ kind: 'dedicated', uid: 998, gid: 997, name: 'troupe-sandbox' });
    expect(describeIdentity(identity)).toBe(
      'troupe-sandbox (uid 998, gid 997): troupe runs as root, its commands never do',
    );
  });

  it('makes troupe-sandbox once when the machine has none', async () => {
    let passwd = PASSWD;
    let made = 0;
    const identity = await resolveCommandIdentity({
      uid: 0,
      passwd: async () => passwd,
      group: async () => GROUP,
      createUser: async () => {
        made += 1;
        passwd = withUser('troupe-sandbox:x:999:995:troupe contained commands:/nonexistent:/usr/sbin/nologin');
      },
    });
    expect(made).toBe(1);
    expect(identity).toEqual({ kind: 'dedicated', uid: 999, gid: 995, name: 'troupe-sandbox' });
  });

  it('tries again while another troupe holds /etc/passwd locked, and takes the user it made', async () => {
    let passwd = PASSWD;
    let tries = 0;
    const identity = await resolveCommandIdentity({
      uid: 0,
      passwd: async () => passwd,
      group: async () => GROUP,
      retryMs: 1,
      createUser: async () => {
        tries += 1;
        // the other one finishes while this one waits
        if (tries === 2) passwd = withUser('troupe-sandbox:x:991:991::/nonexistent:/usr/sbin/nologin');
        throw new Error('useradd: cannot lock /etc/passwd; try again later.');
      },
    });
    expect(tries).toBe(2);
    expect(identity).toEqual({ kind: 'dedicated', uid: 991, gid: 991, name: 'troupe-sandbox' });
  });

  it('takes the user another troupe made meanwhile, when its own useradd found it there', async () => {
    let passwd = PASSWD;
    const identity = await resolveCommandIdentity({
      uid: 0,
      passwd: async () => passwd,
      group: async () => GROUP,
      createUser: async () => {
        passwd = withUser('troupe-sandbox:x:990:990::/nonexistent:/usr/sbin/nologin');
        throw new Error("useradd: user 'troupe-sandbox' already exists");
      },
    });
    expect(identity).toMatchObject({ kind: 'dedicated', uid: 990 });
  });

  it('falls back to nobody, saying why, when the user cannot be made', async () => {
    let tries = 0;
    const identity = await resolveCommandIdentity({
      uid: 0,
      passwd: async () => PASSWD,
      group: async () => GROUP,
      retryMs: 1,
      createUser: () =>
        Promise.reject(new Error(`useradd: cannot lock /etc/passwd; try again later.\nmore ${++tries}`)),
    });
    expect(tries).toBe(8);
    expect(identity).toEqual({
      kind: 'nobody',
      uid: 65534,
      gid: 65534,
      name: 'nobody',
      note: 'the user troupe-sandbox could not be created (useradd: cannot lock /etc/passwd; try again later.)',
    });
    expect(describeIdentity(identity)).toContain('could not be created');
  });

  it('refuses a troupe-sandbox that is root: commands never run as uid or gid 0', async () => {
    for (const line of ['troupe-sandbox:x:0:0::/:/bin/sh', 'troupe-sandbox:x:998:0::/:/bin/sh']) {
      await expect(
        resolveCommandIdentity({ uid: 0, passwd: async () => withUser(line), group: async () => GROUP }),
      ).rejects.toMatchObject({
        code: 'SANDBOX_UNAVAILABLE',
        message: expect.stringMatching(/has (uid|gid) 0, and commands never run as the host's root/),
      });
    }
  });

  it('ignores lines of the password database that are not whole', async () => {
    const identity = await resolveCommandIdentity({
      uid: 0,
      passwd: async () => `${PASSWD}troupe-sandbox:x::\ntroupe-sandbox:x:abc:1::/:/bin/sh\n`,
      group: async () => GROUP,
      retryMs: 1,
      createUser: () => Promise.reject(new Error('no')),
    });
    expect(identity.kind).toBe('nobody');
  });
});
