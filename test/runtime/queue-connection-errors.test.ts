import { describe, expect, it } from 'vitest';
import { TroupeError } from '../../src/domain/index.js';
import { isConnectionError, PlanQueue } from '../../src/runtime/workers/plan-queue.js';

// A worker's queue connection failing is one outage (said once, waited out),
// while BullMQ's own complaints about a job are lines of their own: the two
// are told apart by what the error is, and the outage is said in words.

function refused(): Error {
  return Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6391'), {
    code: 'ECONNREFUSED',
    errno: -111,
    syscall: 'connect',
  });
}

describe('queue connection errors', () => {
  it('tells a failing connection from a job’s own error', () => {
    expect(isConnectionError(refused())).toBe(true);
    expect(isConnectionError(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))).toBe(true);
    expect(
      isConnectionError(Object.assign(new Error('getaddrinfo ENOTFOUND queue.internal'), { code: 'ENOTFOUND' })),
    ).toBe(true);
    expect(isConnectionError(new Error('Connection is closed.'))).toBe(true);
    expect(isConnectionError(new Error('Missing lock for job 01M8-1. moveToFinished'))).toBe(false);
    expect(isConnectionError(new Error('could not renew lock for job 01M8-1'))).toBe(false);
    expect(isConnectionError(Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' }))).toBe(false);
    expect(isConnectionError('ECONNREFUSED')).toBe(false);
  });

  it('says a refused connection as such, naming the setting once', () => {
    const queue = new PlanQueue({ url: 'redis://:secret@127.0.0.1:6391', name: 'troupe', setting: 'TROUPE_REDIS_URL' });
    const error = queue.unavailable(refused());
    expect(error.code).toBe('QUEUE_UNAVAILABLE');
    expect(error.message).toBe(
      'the queue at redis://:***@127.0.0.1:6391 did not answer: connection refused (connect ECONNREFUSED 127.0.0.1:6391)',
    );
    expect(error.details).toEqual({ setting: 'TROUPE_REDIS_URL' });
    expect(error.hint).toBe('check that Redis runs there, or fix TROUPE_REDIS_URL');
    // a coded error is already said
    const coded = new TroupeError('STORE_UNAVAILABLE', 'the store is away');
    expect(queue.unavailable(coded)).toBe(coded);
  });
});
