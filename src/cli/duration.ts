import { ValidationError } from '../domain/index.js';

const UNITS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * A duration as people type it on the command line — a whole number and a
 * unit: `30s`, `10m`, `2h`, `7d`, `0s` — in milliseconds; anything else is a
 * `VALIDATION_ERROR` naming the flag, with `hint` (else one for an age:
 * `--older-than`).
 *
 * @example
 * parseDuration('7d', '--older-than'); // 604800000
 */
export function parseDuration(
  text: string,
  flag: string,
  hint = `e.g. ${flag} 7d for what ended a week ago or earlier`,
): number {
  const match = /^(\d{1,9})([smhd])$/.exec(text.trim());
  if (!match) {
    throw new ValidationError(
      [
        {
          path: flag,
          message: `must be a whole number and a unit, s, m, h or d: 30s, 10m, 2h, 7d, 0s (got ${JSON.stringify(text)})`,
        },
      ],
      { hint },
    );
  }
  return Number(match[1]) * UNITS[match[2] as keyof typeof UNITS];
}
