import { describe, expect, it } from 'vitest';
import { createActor, toPromise } from 'xstate';
import { requiredActor } from '../../machines/required-actor.js';

describe('requiredActor', () => {
  it('fails, naming the machine and the actor it needs and how to provide it', async () => {
    const actor = createActor(requiredActor<string, { planId: string }>('planLifecycleMachine', 'apply'), {
      input: { planId: 'P' },
    });
    const done = toPromise(actor);
    actor.start();
    await expect(done).rejects.toMatchObject({
      code: 'INTERNAL_ERROR',
      message: 'planLifecycleMachine needs the "apply" actor',
      hint: 'provide it: planLifecycleMachine.provide({ actors: { apply: … } })',
    });
  });
});
