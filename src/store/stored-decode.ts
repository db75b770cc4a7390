// How the store reads a value back: as text, parsed here, vouched for by a
// quick check when it has the common shape and otherwise checked by its
// schema. The schemas (and zod behind them) are imported by the first read
// that needs one, so a command that only reads plan records starts without
// them (docs/explanation/performance.md).
import type { z } from 'zod';
import type { StepNode, StepPointer } from './step-chain.js';
import type * as StoredSchemaModule from './stored-schemas.js';
import { decodeStoredValue, type StoredValueSubject } from './stored-value.js';

/** The module of the schemas stored values are checked against. */
export type StoredSchemas = typeof StoredSchemaModule;

/**
 * Read options asking for a value's stored text: reads parse it here, so a
 * value that is not JSON is a STORE_CORRUPT naming its key instead of a
 * LEVEL_DECODE_ERROR that would also end an iteration half-way.
 */
export const AS_TEXT = { valueEncoding: 'utf8' } as const;

let loading: Promise<StoredSchemas> | null = null;
// set once they are: `loadedSchemas() ?? (await storedSchemas())` then starts a read without a pause, as when they were imported up front
let loaded: StoredSchemas | null = null;

/**
 * The stored schemas, imported on the first call.
 *
 * @example
 * const { decisionSchema } = loadedSchemas() ?? (await storedSchemas());
 */
export function storedSchemas(): Promise<StoredSchemas> {
  loading ??= import('./stored-schemas.js').then((module) => (loaded = module));
  return loading;
}

/** The stored schemas if {@link storedSchemas} has loaded them, else null. */
export function loadedSchemas(): StoredSchemas | null {
  return loaded;
}

// what a read vouches for without a schema (never more than the schema would)
const isIndex = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
const isFields = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A step pointer as it is, without its schema; undefined when it is not plainly one. */
export const quickPointer = (value: unknown): StepPointer | undefined =>
  isFields(value) && (value.node === null || isIndex(value.node)) && isIndex(value.count)
    ? { node: value.node, count: value.count }
    : undefined;
/** A step chain's node as it is, without its schema; undefined when it is not plainly one. */
export const quickNode = (value: unknown): StepNode | undefined =>
  isFields(value) &&
  (value.prev === null || isIndex(value.prev)) &&
  Array.isArray(value.ids) &&
  value.ids.every((id) => typeof id === 'string')
    ? { prev: value.prev, ids: value.ids as string[] }
    : undefined;
/** A string as it is; undefined for anything else. */
export const quickString = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/**
 * What `quick` vouches for in `text`, without a pause; undefined when the
 * text is not JSON or not plainly the value (then {@link decodeStored}
 * checks it with its schema).
 *
 * @example
 * const record = quickly(text, quickStoredPlanRecord) ?? (await decodeStored(text, (known) => known.storedRecordSchema, subject));
 */
export function quickly<T>(text: string, quick: (value: unknown) => T | undefined): T | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  return quick(value);
}

/**
 * The stored value in `text`: what `quick` vouches for as it is, anything
 * else checked by the schema `schema` picks (a STORE_CORRUPT naming what is wrong).
 *
 * @example
 * const pointer = await decodeStored(text, (known) => known.stepPointerSchema, subject, quickPointer);
 */
export async function decodeStored<S extends z.ZodType>(
  text: string,
  schema: (known: StoredSchemas) => S,
  subject: StoredValueSubject,
  quick?: (value: unknown) => z.output<S> | undefined,
): Promise<z.output<S>> {
  const vouched = quick ? quickly(text, quick) : undefined;
  if (vouched !== undefined) return vouched;
  return decodeStoredValue(schema(loaded ?? (await storedSchemas())), text, subject);
}
