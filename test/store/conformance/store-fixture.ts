import { afterEach, expect } from 'vitest';
import { TroupeError } from '../../../src/domain/index.js';
import type { LevelBackedStore, StoreOptions } from '../../../src/store/index.js';

/** A store made for one test, not yet open. */
export interface StoreFixture {
  store: LevelBackedStore;
  cleanup: () => Promise<void>;
  /** A new store over the same data, for backends that persist across instances (the first must be closed). */
  reopen?: () => LevelBackedStore;
}

/** A backend's factory for fresh stores, not yet open. */
export type MakeStore = (options?: StoreOptions) => Promise<StoreFixture>;

/** What each part of the conformance suite opens its stores with; every store opened is closed and cleaned up after its test. */
export interface Conformance {
  makeStore: MakeStore;
  /** The stores of the running test, closed and cleaned up after it, last first. */
  opened: StoreFixture[];
  openFixture: (options?: StoreOptions) => Promise<StoreFixture>;
  openStore: (options?: StoreOptions) => Promise<LevelBackedStore>;
}

/** Registers the clean-up of the stores a test opened, in the describe block it is called in, and returns how to open them. */
export function storeConformance(makeStore: MakeStore): Conformance {
  const opened: StoreFixture[] = [];

  afterEach(async () => {
    for (const fixture of opened.splice(0).reverse()) {
      await fixture.store.close();
      await fixture.cleanup();
    }
  });

  async function openFixture(options?: StoreOptions): Promise<StoreFixture> {
    const fixture = await makeStore(options);
    opened.push(fixture);
    await fixture.store.open();
    return fixture;
  }

  async function openStore(options?: StoreOptions): Promise<LevelBackedStore> {
    return (await openFixture(options)).store;
  }

  return { makeStore, opened, openFixture, openStore };
}

/** The TroupeError a promise rejects with; fails the test when it resolves or rejects with anything else. */
export async function rejection(promise: Promise<unknown>): Promise<TroupeError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(TroupeError);
  return error as TroupeError;
}
