import { expandBraces } from './glob-braces.js';
import { lexGlob } from './glob-lexer.js';
import { buildGlobNfa, type GlobNfa } from './glob-nfa.js';
import { GlobRefusal } from './glob-refusal.js';

/** The longest glob text compiled at all; scopes (256) and fs/list-files globs (1024) are shorter. */
export const MAX_GLOB_LENGTH = 4096;

/**
 * The automaton for `pattern`, or the reason it is refused. A leading `./`
 * (repeated too) is dropped: "./src/**" means "src/**".
 */
export function compileGlobNfa(pattern: string): { nfa: GlobNfa; problem: null } | { nfa: null; problem: string } {
  try {
    if (pattern.length === 0) throw new GlobRefusal('must not be empty');
    if (pattern.length > MAX_GLOB_LENGTH)
      throw new GlobRefusal(`must be at most ${MAX_GLOB_LENGTH} characters (has ${pattern.length})`);
    const text = pattern.replace(/^(\.\/)+/, '');
    if (text.length === 0) throw new GlobRefusal('must name something after "./"');
    return { nfa: buildGlobNfa(expandBraces(lexGlob(text))), problem: null };
  } catch (error) {
    if (error instanceof GlobRefusal) return { nfa: null, problem: error.message };
    throw error;
  }
}
