/** A key that moves through a list, as `troupe ui` reads it. */
export type Move = 'up' | 'down' | 'page-up' | 'page-down' | 'home' | 'end';

/**
 * Where a move leaves the selection in a list of `length` items, seen
 * `page` at a time: one up or down, a page up or down, the first or the
 * last; always inside the list (0 for an empty one).
 *
 * @example
 * moved(3, 40, 'page-down', 10); // 13
 * moved(3, 40, 'home', 10); // 0
 */
export function moved(index: number, length: number, move: Move, page: number): number {
  const last = Math.max(0, length - 1);
  const step = Math.max(1, page);
  const next = {
    up: index - 1,
    down: index + 1,
    'page-up': index - step,
    'page-down': index + step,
    home: 0,
    end: last,
  }[move];
  return Math.min(last, Math.max(0, next));
}

/**
 * The move a key press asks for, or null (Ink's `Key` flags).
 *
 * @example
 * moveOf({ pageDown: true }); // 'page-down'
 */
export function moveOf(key: {
  upArrow?: boolean;
  downArrow?: boolean;
  pageUp?: boolean;
  pageDown?: boolean;
  home?: boolean;
  end?: boolean;
}): Move | null {
  if (key.upArrow) return 'up';
  if (key.downArrow) return 'down';
  if (key.pageUp) return 'page-up';
  if (key.pageDown) return 'page-down';
  if (key.home) return 'home';
  if (key.end) return 'end';
  return null;
}
