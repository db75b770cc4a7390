/**
 * A set of changed paths that also answers for directories: which paths
 * it holds files under, and whether a path meets it — is one of them, a
 * directory above one, or a file under one. Two sides' changes meet where
 * one changed a path the other changed too, or made a file where the
 * other changed files under it (git's file/directory case).
 */
export interface PathSet {
  /** Whether `path` is a directory some path of the set lies under. */
  holds(path: string): boolean;
  /** Whether `path` is in the set, a directory above one of it, or under one of it. */
  meets(path: string): boolean;
  add(path: string): void;
}

/**
 * A {@link PathSet} of `paths` (slash-separated, as git names them).
 *
 * @example
 * const ours = pathSet(['lib']);
 * ours.meets('lib/index.js'); // true: ours made lib a file where theirs has files under it
 * pathSet(['lib/index.js']).holds('lib'); // true
 */
export function pathSet(paths: Iterable<string> = []): PathSet {
  const files = new Set<string>();
  const directories = new Set<string>();
  const add = (path: string) => {
    files.add(path);
    for (let slash = path.indexOf('/'); slash !== -1; slash = path.indexOf('/', slash + 1))
      directories.add(path.slice(0, slash));
  };
  for (const path of paths) add(path);
  return {
    holds: (path) => directories.has(path),
    meets(path) {
      if (files.has(path) || directories.has(path)) return true;
      for (let slash = path.indexOf('/'); slash !== -1; slash = path.indexOf('/', slash + 1))
        if (files.has(path.slice(0, slash))) return true;
      return false;
    },
    add,
  };
}
