import { readFile } from 'node:fs/promises';
import { useEffect, useEffectEvent } from 'react';
import { firstConflictMarker } from '../../domain/index.js';
import { quotedPath } from '../../domain/terminal-text.js';
import type { Runtime } from '../../runtime/index.js';
import { openInEditor } from './editor.js';
import { errorText, resolved } from './messages.js';
import type { Mode } from './modes.js';
import type { Act } from './view-keys.js';

/** What {@link useConflictEditor} does its work through. */
export interface ConflictEditorParts {
  runtime: Runtime;
  /** Where `$VISUAL`/`$EDITOR` are read. */
  env: NodeJS.ProcessEnv;
  /** Back to the list of conflicts, at the file edited. */
  back: (index: number) => void;
  say: (message: string) => void;
  act: Act;
}

/**
 * While the view is `editing`, the user's editor on the conflict's copy
 * with markers; when it exits, the view goes back to the conflicts and the
 * file is resolved with the edit — unless it still has markers, which is
 * not a resolution: the file stays open, the edit kept for another go.
 *
 * @example
 * useConflictEditor(mode.kind === 'editing' ? mode : null, { runtime, env, back, say: setMessage, act });
 */
export function useConflictEditor(
  editing: Extract<Mode, { kind: 'editing' }> | null,
  parts: ConflictEditorParts,
): void {
  // the editor opens once per edit: a new runtime or env on a later render must not open it again
  const edit = useEffectEvent(({ index, planId, name, file, path }: Extract<Mode, { kind: 'editing' }>) => {
    const { runtime, env, back, say, act } = parts;
    openInEditor(path, env)
      .then(() => readFile(path, 'utf8'))
      .then(
        (text) => {
          back(index);
          const marker = firstConflictMarker(text);
          if (marker !== null)
            say(
              `${quotedPath(file)} still has conflict markers (line ${marker.line}): nothing resolved · e edits it again, o ours, t theirs`,
            );
          else
            act(
              `resolve ${quotedPath(file)} with your edit`,
              () => runtime.resolve(planId, file, { with: 'content', content: text }),
              (result) => resolved(name, result),
            );
        },
        (error: unknown) => {
          back(index);
          say(`edit ${quotedPath(file)}: ${errorText(error)}`);
        },
      );
  });
  useEffect(() => {
    if (editing) edit(editing);
  }, [editing]);
}
