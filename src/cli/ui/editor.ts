import { spawn } from 'node:child_process';

/**
 * The editor the user chose, as git picks it: `$VISUAL`, else `$EDITOR`,
 * else `vi`. It may carry arguments (`code --wait`).
 *
 * @example
 * editorCommand({ EDITOR: 'nano' }); // 'nano'
 */
export function editorCommand(env: NodeJS.ProcessEnv): string {
  for (const name of ['VISUAL', 'EDITOR'] as const) {
    const value = env[name]?.trim();
    if (value) return value;
  }
  return 'vi';
}

/**
 * Open `path` in the user's editor on this process's terminal and resolve
 * when it exits; reject when it cannot start or exits non-zero. Run as git
 * runs its editor — `sh -c '<editor> "$@"' editor <path>` — so an editor
 * with arguments works and the path is never parsed by the shell.
 *
 * @example
 * await openInEditor('/repo/.troupe/conflicts/01M…/a.txt', process.env);
 */
export function openInEditor(path: string, env: NodeJS.ProcessEnv): Promise<void> {
  const editor = editorCommand(env);
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', `${editor} "$@"`, 'editor', path], { stdio: 'inherit', env });
    child.on('error', (error) => reject(new Error(`could not start the editor ${editor}: ${error.message}`)));
    child.on('exit', (code, signal) => {
      if (code === 0) resolve();
      else
        reject(
          new Error(
            `the editor ${editor} ${signal ? `was stopped by ${signal}` : `exited with code ${code}`}: nothing resolved`,
          ),
        );
    });
  });
}
