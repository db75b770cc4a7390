import type { Command } from 'commander';
import { EXIT } from '../exit-codes.js';
import type { CommandContext } from '../context.js';
import { bashCompletion } from '../completion/bash.js';
import { fishCompletion } from '../completion/fish.js';
import { completionModel } from '../completion/model.js';
import { zshCompletion } from '../completion/zsh.js';

const SCRIPTS = { bash: bashCompletion, zsh: zshCompletion, fish: fishCompletion } as const;

/**
 * `troupe completion bash|zsh|fish`: the completion script for that shell
 * on stdout, made from the program the CLI runs, so it knows every command
 * and flag of this version. Needs no project. (commander refuses another
 * shell before this runs: `<shell>` has its choices.)
 */
export async function completion(
  context: CommandContext,
  shell: keyof typeof SCRIPTS,
  program: Command,
): Promise<number> {
  const script = SCRIPTS[shell](completionModel(program));
  context.out.result({ shell, script }, () => script.trimEnd());
  return EXIT.ok;
}
