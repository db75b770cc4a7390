import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  allowEntryProblem,
  allowedBy,
  effectiveNetwork,
  networkSettingSchema,
  networkSource,
  parseAllowEntry,
  readPlanFile,
  widerNetwork,
  within,
} from '../../src/domain/index.js';

const entries = (...texts: string[]) => texts.map(parseAllowEntry);

describe('an allow-list entry', () => {
  it.each([
    ['registry.npmjs.org', { host: 'registry.npmjs.org', wildcard: false, port: null, loopback: false }],
    ['*.github.com', { host: 'github.com', wildcard: true, port: null, loopback: false }],
    ['api.example.com:8443', { host: 'api.example.com', wildcard: false, port: 8443, loopback: false }],
    ['Registry.NPMjs.org.', { host: 'registry.npmjs.org', wildcard: false, port: null, loopback: false }],
    ['127.0.0.1:5432', { host: '127.0.0.1', wildcard: false, port: 5432, loopback: true }],
    ['localhost:4873', { host: 'localhost', wildcard: false, port: 4873, loopback: true }],
    ['10.1.2.3:4873', { host: '10.1.2.3', wildcard: false, port: 4873, loopback: false }],
  ])('%s is parsed', (text, parsed) => {
    expect(allowEntryProblem(text)).toBeNull();
    expect(parseAllowEntry(text)).toMatchObject(parsed);
  });

  it.each([
    ['', /must not be empty/],
    ['api.*.com', /a wildcard may only come first, as \*\.example\.com/],
    ['*', /a wildcard may only come first/],
    ['*example.com', /a wildcard may only come first/],
    ['*.com', /a wildcard needs a domain of two labels or more/],
    ['*.10.0.0.1', /a wildcard goes before a domain name, not an address/],
    ['example.com:0', /the port must be a number from 1 to 65535/],
    ['example.com:65536', /the port must be a number from 1 to 65535/],
    ['example.com:http', /the port must be a number from 1 to 65535/],
    ['example.com:', /the port must be a number from 1 to 65535/],
    ['https://example.com/path', /is a URL: name the host only, without the scheme \(example\.com\)/],
    ['example.com/path', /not a host name: a host only/],
    ['user@example.com', /not a host name: a host only/],
    ['exa mple.com', /not a host name: a host only/],
    ['under_score.com', /not a host name: labels of letters, digits and -/],
    ['-dash.com', /not a host name/],
    ['a..b', /not a host name/],
    ['1.2.3', /its last label is a number/],
    ['300.1.1.1', /not an IPv4 address/],
    ['0.0.0.0:80', /no host to connect to/],
    ['[::1]:80', /an IPv6 address/],
    ['::1', /an IPv6 address/],
    ['localhost', /is this machine: name the port of the service it runs \(localhost:5432\)/],
    ['127.0.0.2', /is this machine: name the port/],
    [`${'a'.repeat(64)}.com`, /not a host name/],
    ['x'.repeat(300), /at most 260 characters/],
  ])('%j is refused', (text, message) => {
    expect(allowEntryProblem(text)).toMatch(message);
    expect(() => parseAllowEntry(text)).toThrow();
  });

  it('never throws and never parses what it refuses, whatever the text', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.domain(),
          fc.constantFrom('*.', 'localhost:', '127.0.0.1:').chain((prefix) => fc.string().map((rest) => prefix + rest)),
        ),
        (text) => {
          const problem = allowEntryProblem(text);
          if (problem === null) expect(() => parseAllowEntry(text)).not.toThrow();
          else expect(() => parseAllowEntry(text)).toThrow(problem);
        },
      ),
    );
  });
});

describe('matching a connection', () => {
  const list = entries('registry.npmjs.org', '*.github.com', 'api.example.com:8443', 'localhost:5432');

  it.each([
    ['registry.npmjs.org', 443, 'registry.npmjs.org'],
    ['REGISTRY.npmjs.org.', 80, 'registry.npmjs.org'],
    ['api.github.com', 443, '*.github.com'],
    ['a.b.github.com', 80, '*.github.com'],
    ['api.example.com', 8443, 'api.example.com:8443'],
    ['localhost', 5432, 'localhost:5432'],
  ])('lets %s:%d through by %s', (host, port, entry) => {
    expect(allowedBy(list, host, port)?.text).toBe(entry);
  });

  it.each([
    ['registry.npmjs.org', 22],
    ['github.com', 443],
    ['evilgithub.com', 443],
    ['api.example.com', 443],
    ['localhost', 80],
    ['registry.npmjs.org.evil.example', 443],
  ])('refuses %s:%d', (host, port) => {
    expect(allowedBy(list, host, port)).toBeNull();
  });
});

describe('a plan narrowing the project', () => {
  it('is within the project when every host and port it allows is', () => {
    const project = entries('*.github.com', 'registry.npmjs.org:80', 'registry.npmjs.org:443', 'api.example.com:8443');
    expect(within(parseAllowEntry('api.github.com'), project)).toBe(true);
    expect(within(parseAllowEntry('*.api.github.com:443'), project)).toBe(true);
    expect(within(parseAllowEntry('*.github.com'), project)).toBe(true);
    // 80 and 443 by two entries
    expect(within(parseAllowEntry('registry.npmjs.org'), project)).toBe(true);
    expect(within(parseAllowEntry('github.com'), project)).toBe(false);
    expect(within(parseAllowEntry('api.example.com'), project)).toBe(false);
    expect(within(parseAllowEntry('api.example.com:8443'), project)).toBe(true);
  });

  it('agrees with matching: what an entry within a list allows, the list allows', () => {
    const label = fc.constantFrom('a', 'b', 'api', 'github', 'npmjs');
    const host = fc.array(label, { minLength: 2, maxLength: 4 }).map((labels) => labels.join('.'));
    const entry = fc
      .tuple(fc.boolean(), host, fc.option(fc.constantFrom(80, 443, 8443)))
      .map(([wildcard, name, port]) =>
        parseAllowEntry(`${wildcard ? '*.' : ''}${name}${port === null ? '' : `:${port}`}`),
      );
    fc.assert(
      fc.property(
        entry,
        fc.array(entry, { maxLength: 4 }),
        host,
        fc.constantFrom(80, 443, 8443),
        (plan, project, target, port) => {
          if (within(plan, project) && allowedBy([plan], target, port))
            expect(allowedBy(project, target, port)).not.toBeNull();
        },
      ),
    );
  });

  it('widens nothing: an entry outside the project list, or true, is named', () => {
    expect(widerNetwork({ allow: ['api.github.com', 'evil.example'] }, { allow: ['*.github.com'] })).toEqual([
      {
        path: 'network.allow[1]',
        message: `"evil.example" is not within the project's list (*.github.com): a plan may only narrow it`,
      },
    ]);
    expect(widerNetwork(true, { allow: ['*.github.com'] })[0]).toMatchObject({
      path: 'network',
      message: expect.stringMatching(/^true would widen the project's list/),
    });
    expect(widerNetwork(false, { allow: ['*.github.com'] })).toEqual([]);
    expect(widerNetwork({ allow: ['evil.example'] }, true)).toEqual([]);
    expect(widerNetwork(true, false)).toEqual([]);
  });

  it.each([
    [false, false, { kind: 'none' }],
    [false, true, { kind: 'host' }],
    [true, false, { kind: 'host' }],
    [true, { allow: ['a.example'] }, { kind: 'allow', allow: ['a.example'] }],
    [false, { allow: ['a.example'] }, { kind: 'allow', allow: ['a.example'] }],
    [{ allow: ['*.example.com'] }, false, { kind: 'allow', allow: ['*.example.com'] }],
    // a plan made before the project narrowed its list gets the project's
    [{ allow: ['*.example.com'] }, true, { kind: 'allow', allow: ['*.example.com'] }],
    [
      { allow: ['*.example.com'] },
      { allow: ['a.example.com', 'b.other'] },
      { kind: 'allow', allow: ['a.example.com'] },
    ],
  ] as const)('project %j and plan %j make %j', (project, plan, effective) => {
    expect(effectiveNetwork(project as never, plan as never)).toEqual(effective);
  });
});

describe('where a plan’s network came from', () => {
  it.each([
    [false, false, { network: false, allow: null, from: null }],
    [false, true, { network: true, allow: null, from: 'plan' }],
    [true, false, { network: true, allow: null, from: 'project' }],
    [true, true, { network: true, allow: null, from: 'plan' }],
    [false, { allow: ['a.example'] }, { network: false, allow: ['a.example'], from: 'plan' }],
    [{ allow: ['*.example.com'] }, false, { network: false, allow: ['*.example.com'], from: 'project' }],
    [{ allow: ['*.example.com'] }, true, { network: false, allow: ['*.example.com'], from: 'project' }],
    [
      { allow: ['*.example.com'] },
      { allow: ['a.example.com'] },
      { network: false, allow: ['a.example.com'], from: 'plan' },
    ],
  ] as const)('project %j and plan %j: %j', (project, plan, source) => {
    expect(networkSource(project as never, plan as never)).toEqual(source);
  });
});

describe('network in a plan file', () => {
  it('takes true, false and a list, lower-cased', () => {
    expect(networkSettingSchema.parse(true)).toBe(true);
    expect(networkSettingSchema.parse(false)).toBe(false);
    expect(networkSettingSchema.parse({ allow: ['Registry.npmjs.org'] })).toEqual({ allow: ['registry.npmjs.org'] });
  });

  it.each([
    [{ allow: [] }, 'network.allow', 'must name at least one host (network: false is no network at all)'],
    [{ allow: 'a.com' }, 'network.allow', 'must be a list of host names, as ["registry.npmjs.org", "*.github.com"]'],
    [{}, 'network.allow', 'is required'],
    ['yes', 'network', 'must be true, false, or { allow: [host names] }'],
    [{ allow: ['a.com'], deny: ['b.com'] }, 'network.deny', 'is not a known field'],
    [
      { allow: ['ok.com', 'api.*.com'] },
      'network.allow[1]',
      '"api.*.com": a wildcard may only come first, as *.example.com',
    ],
  ])('refuses %j naming %s', (network, path, message) => {
    const { issues } = readPlanFile({ name: 'demo/net', goal: 'Reach a host', network }, { origin: 'plan file' });
    expect(issues).toEqual([{ path, message }]);
  });
});
