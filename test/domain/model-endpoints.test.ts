import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  API_KEY_VARIABLE,
  endpointOriginProblem,
  isLoopbackUrl,
  keyDestinationProblem,
  parseEndpointList,
  sharesHostLoopback,
} from '../../src/domain/index.js';

// Where a plan's model key may go (docs/how-to/agents.md#keys): the origin decisions, on the URLs that try to fool them.

const nowhere = { origins: [], sharedLoopback: false };
const keyed = (baseURL: string) => ({ model: 'openai-compatible:x', baseURL, apiKeyEnv: 'OPENAI_API_KEY' });
const goes = (baseURL: string, where: Parameters<typeof keyDestinationProblem>[1] = nowhere) =>
  keyDestinationProblem(keyed(baseURL), where) === null;

describe('the loopback, as fetch would reach it', () => {
  it.each([
    ['http://127.0.0.1:11434/v1', true],
    ['http://127.255.3.4/v1', true],
    ['http://localhost:8000/v1', true],
    ['HTTP://LOCALHOST:8000/v1', true],
    ['http://[::1]:8000/v1', true],
    ['http://[0:0:0:0:0:0:0:1]/v1', true],
    // numeric forms the URL parser turns into 127.0.0.1, as fetch connects to them
    ['http://2130706433/v1', true],
    ['http://0x7f.1/v1', true],
    ['http://0177.0.0.1/v1', true],
    ['http://127.1/v1', true],
    ['http://127.0.0.1./v1', true],
    ['http://127.0.0.1.evil.example/v1', false],
    ['http://localhost.evil.example/v1', false],
    ['http://evil.example.localhost.com/v1', false],
    ['http://localhost./v1', false],
    ['http://0.0.0.0:8000/v1', false],
    ['http://[::ffff:127.0.0.1]/v1', false],
    ['http://[::]/v1', false],
    ['http://128.0.0.1/v1', false],
    ['http://10.0.0.1/v1', false],
    ['http://127.0.0.1@evil.example/v1', false],
    ['http://evil.example#@127.0.0.1/v1', false],
    ['http://evil.example\\@127.0.0.1/v1', false],
    ['not a url', false],
  ])('%s → %s', (url, loopback) => {
    expect(isLoopbackUrl(url)).toBe(loopback);
  });
});

describe('where a key may go', () => {
  it('goes anywhere the plan says when there is no key, and to the provider’s endpoint when there is no baseURL', () => {
    expect(
      keyDestinationProblem({ model: 'openai-compatible:x', baseURL: 'https://evil.example/v1' }, nowhere),
    ).toBeNull();
    expect(keyDestinationProblem({ model: 'anthropic:claude' }, nowhere)).toBeNull();
    expect(
      keyDestinationProblem({ model: 'openai:gpt-5', baseURL: 'https://API.openai.com:443/v1/' }, nowhere),
    ).toBeNull();
  });

  it('refuses a provider’s key to another origin, naming it, the variable and both ways to allow it', () => {
    expect(keyDestinationProblem({ model: 'openai:gpt-5', baseURL: 'https://evil.example/v1' }, nowhere)).toEqual({
      origin: 'https://evil.example',
      variable: 'OPENAI_API_KEY',
      message:
        'the key in OPENAI_API_KEY would leave troupe for https://evil.example, which is not openai’s own endpoint (https://api.openai.com), a loopback address or an origin you allowed',
      hint: expect.stringMatching(
        /"models": \{"endpoints": \["https:\/\/evil\.example"\]\}.*TROUPE_MODEL_ENDPOINTS=https:\/\/evil\.example/,
      ),
    });
    // another provider's endpoint is not this one's
    expect(
      keyDestinationProblem({ model: 'anthropic:claude', baseURL: 'https://api.openai.com/v1' }, nowhere)?.origin,
    ).toBe('https://api.openai.com');
    expect(keyDestinationProblem(keyed('https://evil.example/v1'), nowhere)?.message).toContain(
      'which is not a loopback address or an origin you allowed',
    );
  });

  it.each([
    'http://127.0.0.1.evil.example/v1',
    'http://localhost.evil.example/v1',
    'http://localhost./v1',
    'http://0.0.0.0:8000/v1',
    'http://[::ffff:127.0.0.1]/v1',
    'http://api.openai.com.evil.example/v1',
    'http://api.openai.com/v1',
    'https://api.openai.com:8443/v1',
  ])('refuses a key to %s', (url) => {
    expect(goes(url)).toBe(false);
  });

  it('refuses a key to a URL with credentials, and to what is no URL', () => {
    expect(keyDestinationProblem(keyed('http://u:p@127.0.0.1/v1'), nowhere)?.message).toContain(
      'with credentials in the URL',
    );
    expect(keyDestinationProblem(keyed('nowhere'), nowhere)?.message).toContain('nowhere, which is not a URL');
  });

  it('lets a key go to the loopback, unless the plan’s commands share it', () => {
    for (const url of [
      'http://127.0.0.1:8000/v1',
      'http://localhost:8000/v1',
      'http://[::1]:8000/v1',
      'http://2130706433:8000/v1',
    ])
      expect(goes(url)).toBe(true);
    const shared = { origins: [], sharedLoopback: true };
    expect(keyDestinationProblem(keyed('http://127.0.0.1:8000/v1'), shared)?.message).toBe(
      'the key in OPENAI_API_KEY would leave troupe for http://127.0.0.1:8000, a loopback address the plan’s own commands can listen on (they share the host’s network: network: true, or the sandbox is off)',
    );
    expect(goes('http://127.0.0.1:8000/v1', { origins: ['http://127.0.0.1:8000'], sharedLoopback: true })).toBe(true);
    expect(sharesHostLoopback({ mode: 'contained', network: true })).toBe(true);
    expect(sharesHostLoopback({ mode: 'off', network: false })).toBe(true);
    expect(sharesHostLoopback({ mode: 'contained', network: false })).toBe(false);
  });

  it('lets a key go to a listed origin only: the same scheme, host and port', () => {
    const { origins } = parseEndpointList('HTTPS://Gateway.Internal:443/ , http://10.0.0.5:8000');
    expect(origins).toEqual(['https://gateway.internal', 'http://10.0.0.5:8000']);
    const listed = { origins, sharedLoopback: false };
    for (const url of [
      'https://gateway.internal/v1',
      'https://GATEWAY.internal:443/openai/v1',
      'http://10.0.0.5:8000/v1',
    ])
      expect(goes(url, listed)).toBe(true);
    for (const url of [
      'http://gateway.internal/v1',
      'https://gateway.internal:8443/v1',
      'https://gateway.internal./v1',
      'https://gateway.internal.evil.example/v1',
      'https://evil.example/gateway.internal',
      'http://10.0.0.5/v1',
    ]) {
      expect(goes(url, listed)).toBe(false);
    }
  });

  it('never lets a key go to an origin it was not allowed, whatever the URL', () => {
    const hosts = fc.constantFrom(
      'evil.example',
      '127.0.0.1.evil.example',
      'localhost.evil.example',
      '0.0.0.0',
      '[::ffff:7f00:1]',
      '10.0.0.1',
      'gateway.internal.',
      'localhost.',
      'Evil.Example',
      '2147483648',
    );
    const urls = fc
      .tuple(
        fc.constantFrom('http', 'https', 'HTTP'),
        fc.constantFrom('', 'u@', '127.0.0.1@'),
        hosts,
        fc.constantFrom('', ':80', ':443', ':8000'),
        fc.constantFrom('/v1', '/', '/127.0.0.1', ''),
      )
      .map((parts) => `${parts[0]}://${parts[1]}${parts[2]}${parts.slice(3).join('')}`);
    fc.assert(
      fc.property(urls, (url) => {
        expect(goes(url, { origins: ['https://gateway.internal'], sharedLoopback: false })).toBe(false);
      }),
    );
  });
});

describe('the lists of origins a user allows', () => {
  it.each([
    ['https://gateway.internal', null],
    ['http://10.0.0.5:8000/', null],
    ['https://gateway.internal/v1', 'must be an origin'],
    ['https://gateway.internal?x=1', 'must be an origin'],
    ['https://gateway.internal/#', 'must be an origin'],
    ['https://me:secret@gateway.internal', 'must be an origin'],
    ['ftp://gateway.internal', 'must be an origin'],
    ['gateway.internal', 'must be an origin'],
  ])('%s → %s', (entry, problem) => {
    const found = endpointOriginProblem(entry);
    if (problem === null) expect(found).toBeNull();
    else expect(found).toContain(problem);
  });

  it('names each entry of a list that is no origin, and then takes none of it', () => {
    expect(parseEndpointList('https://a.internal,https://b.internal/v1,,')).toEqual({
      origins: [],
      problems: [expect.stringMatching(/^"https:\/\/b\.internal\/v1" must be an origin/)],
    });
    expect(parseEndpointList('')).toEqual({ origins: [], problems: [] });
  });
});

describe('the variable a key is read from', () => {
  it.each([
    ['ANTHROPIC_API_KEY', true],
    ['GROQ_API_KEY', true],
    ['OPENROUTER_API_KEY', true],
    ['MY_TEAM2_API_KEY', true],
    ['AWS_SECRET_ACCESS_KEY', false],
    ['GITHUB_TOKEN', false],
    ['_API_KEY', false],
    ['openai_api_key', false],
    ['OPENAI_API_KEY_OLD', false],
    ['PATH', false],
  ])('%s → %s', (name, allowed) => {
    expect(API_KEY_VARIABLE.test(name)).toBe(allowed);
  });
});
