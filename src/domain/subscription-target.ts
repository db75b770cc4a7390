import { ValidationError } from './errors.js';
import { isUlid } from './ids.js';

/**
 * What `subscribe` listens to: a plan id (any case, returned upper-case) or
 * `'*'` for every plan. A plan name or id prefix would need a store read, and
 * `subscribe` answers at once: it is a VALIDATION_ERROR that says how to get
 * the id, rather than a listener that never hears anything.
 *
 * @example
 * subscriptionTarget('*'); // '*'
 * subscriptionTarget('01jd4y3v8q6zk4m1t9e2xw0r5n'); // '01JD4Y3V8Q6ZK4M1T9E2XW0R5N'
 */
export function subscriptionTarget(planIdOrAll: string): string {
  if (planIdOrAll === '*') return planIdOrAll;
  const upper = typeof planIdOrAll === 'string' ? planIdOrAll.trim().toUpperCase() : '';
  if (isUlid(upper)) return upper;
  throw new ValidationError(
    [{ path: 'plan', message: `subscribe takes a plan id or '*', got ${JSON.stringify(planIdOrAll)}` }],
    {
      hint: `for a plan name, subscribe to its id: (await runtime.getPlan(${JSON.stringify(planIdOrAll)})).id`,
    },
  );
}
