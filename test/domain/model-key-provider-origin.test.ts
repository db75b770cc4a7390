import { describe, expect, it } from 'vitest';
import { keyDestinationProblem } from '../../src/domain/index.js';

// A provider's key goes to its own endpoint's origin — scheme, host and port —
// not to anything on the same host name: plain http:// to the provider's host
// would carry the key in the clear to whoever sits on the path.

const nowhere = { origins: [], sharedLoopback: false };

describe('a provider key and its own host over another scheme', () => {
  it.each([
    ['anthropic:claude-sonnet-4-5', 'http://api.anthropic.com/v1', 'http://api.anthropic.com', 'ANTHROPIC_API_KEY'],
    ['openai:gpt-5', 'http://api.openai.com/v1', 'http://api.openai.com', 'OPENAI_API_KEY'],
  ])('%s: the key does not go to %s', (model, baseURL, origin, variable) => {
    expect(keyDestinationProblem({ model, baseURL }, nowhere)).toMatchObject({ origin, variable });
  });

  it('goes to the provider’s own https origin, and to its http origin only when the user listed it', () => {
    expect(keyDestinationProblem({ model: 'anthropic:claude', baseURL: 'https://api.anthropic.com/v1' }, nowhere)).toBe(
      null,
    );
    expect(
      keyDestinationProblem(
        { model: 'anthropic:claude', baseURL: 'http://api.anthropic.com/v1' },
        { origins: ['http://api.anthropic.com'], sharedLoopback: false },
      ),
    ).toBeNull();
  });
});
