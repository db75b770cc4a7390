// Run by escape-kernel.int.test.ts as an unprivileged user (setpriv): the
// kernel attempts of the escape suite, through the whole contained-command
// policy, as troupe runs for an ordinary user. argv: <scratch dir>; prints one JSON line.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { BubblewrapSandbox, commandEnv } from '../../src/sandbox/index.js';

const scratch = process.argv[2]!;
const worktree = join(scratch, 'worktree');
mkdirSync(worktree, { recursive: true });
mkdirSync(join(scratch, 'project'), { recursive: true });
const sandbox = new BubblewrapSandbox({ projectRoot: join(scratch, 'project'), home: scratch });
const run = (command: string) =>
  sandbox.run({ command, worktree, env: commandEnv(), network: false, timeoutMs: 20_000 });
const said = (result: { exitCode: number | null; stdoutTail: string; stderrTail: string }) =>
  `${result.exitCode}: ${(result.stdoutTail + result.stderrTail).trim()}`;
const python = ['/usr/bin/python3', '/bin/python3'].find(existsSync);
const keyctl = ['/usr/bin/keyctl', '/bin/keyctl'].find(existsSync);

const sysctl = await run('v=$(cat /proc/sys/kernel/core_uses_pid) && echo "$v" > /proc/sys/kernel/core_uses_pid');
const status = await run("grep -E '^(Uid|Seccomp|NoNewPrivs):' /proc/self/status | tr -s '\\t' ' '");
const setuid = await run('cp /usr/bin/id suid-id && chmod 4755 suid-id');
const ptrace = python
  ? await run(
      `sleep 5 & ${python} -c 'import ctypes,sys; l=ctypes.CDLL(None,use_errno=True); r=l.ptrace(16,int(sys.argv[1]),0,0); print(r, ctypes.get_errno())' $!`,
    )
  : null;
const keyring = keyctl ? await run(`${keyctl} show @s`) : null;
console.log(
  JSON.stringify({
    uid: process.getuid?.(),
    sysctl: said(sysctl),
    status: status.stdoutTail,
    setuid: said(setuid),
    ptrace: ptrace ? ptrace.stdoutTail : 'no python',
    keyring: keyring ? said(keyring) : 'no keyctl',
  }),
);
