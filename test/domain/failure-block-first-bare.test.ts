import { describe, expect, it } from 'vitest';
import { failureBlock } from '../../src/domain/failure-blocks.js';

// When no failure in a run's output says why (nothing under it names an
// assertion, values or a location) and no program error was printed, the
// failure shown is the first one the runner listed, not a later one.

describe('failures without a reason', () => {
  it('shows the first of two TAP failures that say nothing under them', () => {
    expect(failureBlock(['TAP version 13', 'not ok 1 - adds', 'not ok 2 - subtracts', '1..2'])).toEqual([
      'not ok 1 - adds',
    ]);
  });

  it('shows the first of several listed failures of different runners', () => {
    expect(failureBlock(['--- FAIL: TestAdds', '--- FAIL: TestSubtracts', '--- FAIL: TestMultiplies'])).toEqual([
      '--- FAIL: TestAdds',
    ]);
    expect(failureBlock(['  ✖ adds', '  ✖ subtracts'])).toEqual(['  ✖ adds']);
  });

  it('still prefers a later failure that says why over an earlier bare one', () => {
    expect(
      failureBlock(['not ok 1 - adds', 'not ok 2 - subtracts', '  ---', '  expected: 5', '  actual: -1', '  ...']),
    ).toEqual(['not ok 2 - subtracts', '  expected: 5', '  actual: -1']);
  });
});
