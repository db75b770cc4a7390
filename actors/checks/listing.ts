const LISTED = 5;

/** The first few items, comma-separated, with how many more there are: messages stay one line. */
export function listSome(items: readonly string[]): string {
  return items.slice(0, LISTED).join(', ') + (items.length > LISTED ? ` and ${items.length - LISTED} more` : '');
}
