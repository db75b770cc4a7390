import { describe, expect, it } from 'vitest';
import { parsePlanFile, ValidationError } from '../../src/domain/index.js';

function problems(source: unknown): string[] {
  try {
    parsePlanFile(source);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).issues.map((issue) => `${issue.path}: ${issue.message}`);
  }
  throw new Error('expected the plan file to be refused');
}

describe('plan file', () => {
  it('fills in the defaults of SPEC §4', () => {
    expect(parsePlanFile('name: demo/x\ngoal: Say hello\n')).toEqual({
      name: 'demo/x',
      goal: 'Say hello',
      automation: 'review',
      reconciliation: true,
      maxReversions: 3,
      invariants: [],
      validate: [],
      env: {},
      network: false,
    });
  });

  it('takes network as true, false or an allow-list, and nothing else', () => {
    expect(parsePlanFile('name: demo/x\ngoal: g\nnetwork: true\n').network).toBe(true);
    expect(parsePlanFile('name: demo/x\ngoal: g\nnetwork: { allow: [registry.npmjs.org] }\n').network).toEqual({
      allow: ['registry.npmjs.org'],
    });
    expect(() => parsePlanFile('name: demo/x\ngoal: g\nnetwork: "yes"\n')).toThrow(
      /network: must be true, false, or \{ allow: \[host names\] \}/,
    );
  });

  it('reads JSON as well as YAML', () => {
    expect(parsePlanFile('{"name": "demo/x", "goal": "g", "automation": "auto"}').automation).toBe('auto');
  });

  it('accepts the full example plan of SPEC §4', () => {
    const spec = parsePlanFile(`
name: demo/license-headers
goal: Add the license header to every source file
definitionOfDone: every .ts file under src starts with the header
automation: review
resourceScopes: ["src/**", "LICENSE_HEADER"]
reconciliation: true
maxReversions: 3
invariants:
  - { id: tests-pass, check: command, run: npm test --silent, timeoutMs: 120000 }
  - { id: header-exists, check: file-exists, path: LICENSE_HEADER }
  - { id: in-scope, check: paths-within }
validate:
  - run: npm test --silent
strategy:
  steps:
    - title: Write the header
      tool: fs/write-file
      input: { path: LICENSE_HEADER, content: "// SPDX-License-Identifier: MIT\\n" }
    - title: One subplan per package
      subplans:
        mode: parallel
        maxParallel: 4
        mergeStrategy: three-way
        failurePolicy: fail-fast
        retries: 1
        timeoutMs: 600000
        contextView: skeleton
        entries:
          - name: demo/headers-core
            goal: Headers in packages/core
            resourceScopes: ["packages/core/**"]
            dependsOn: []
            strategy: { steps: [] }
          - goal: Headers in the docs site
            project: docs-site
            strategy: { steps: [] }
`);
    expect(spec.invariants.map((invariant) => invariant.check)).toEqual(['command', 'file-exists', 'paths-within']);
    expect(spec.strategy?.steps).toHaveLength(2);
  });

  it.each([
    [
      'a bad name',
      'name: Demo/x\ngoal: g',
      'name: each part must start with a lowercase letter and contain only a-z, 0-9 and "-" ("Demo" does not)',
    ],
    [
      'a name without namespace',
      'name: demo\ngoal: g',
      'name: must be namespace/name (exactly one "/"), e.g. demo/license-headers',
    ],
    ['a missing goal', 'name: demo/x', 'goal: is required'],
    ['an empty goal', 'name: demo/x\ngoal: "  "', 'goal: must not be empty'],
    ['an unknown key', 'name: demo/x\ngoal: g\ncolour: red', 'colour: is not a known field'],
    [
      'an unknown automation',
      'name: demo/x\ngoal: g\nautomation: fast',
      'automation: must be manual, review or auto (got "fast")',
    ],
    [
      'a fractional maxReversions',
      'name: demo/x\ngoal: g\nmaxReversions: 1.5',
      'maxReversions: must be a whole number between 0 and 100',
    ],
    [
      'an absolute scope',
      'name: demo/x\ngoal: g\nresourceScopes: ["/etc/**"]',
      'resourceScopes[0]: must be a relative glob, not absolute ("/etc/**")',
    ],
    [
      'a scope with ..',
      'name: demo/x\ngoal: g\nresourceScopes: ["../x"]',
      'resourceScopes[0]: must not contain ".." segments ("../x")',
    ],
    ['a wrong type', '{"name": "demo/x", "goal": 1}', 'goal: must be a string, got number 1'],
    [
      'a step with a misspelt key',
      'name: demo/x\ngoal: g\nstrategy:\n  steps:\n    - title: a\n      tol: fs/write-file',
      'strategy.steps[0].tol: is not a known field; did you mean `tool`?',
    ],
    [
      'an unknown invariant check',
      'name: demo/x\ngoal: g\ninvariants:\n  - { id: a, check: nope }',
      'invariants[0].check: must name a known check: command, file-exists, file-absent, paths-within, no-conflicts, or a registered check such as acme/lint-clean (got "nope")',
    ],
    [
      'a custom check name that is not namespaced',
      'name: demo/x\ngoal: g\ninvariants:\n  - { id: a, check: Acme/Lint }',
      'invariants[0].check: must be a namespaced check name such as acme/lint-clean',
    ],
    [
      'a custom invariant without an id',
      'name: demo/x\ngoal: g\ninvariants:\n  - { check: acme/lint }',
      'invariants[0].id: is required',
    ],
    [
      'an invariant missing its field',
      'name: demo/x\ngoal: g\ninvariants:\n  - { id: a, check: file-exists }',
      'invariants[0].path: is required',
    ],
    [
      'a non-positive timeout',
      'name: demo/x\ngoal: g\ninvariants:\n  - { id: a, check: command, run: x, timeoutMs: 0 }',
      'invariants[0].timeoutMs: must be a positive number of milliseconds',
    ],
    [
      'duplicate invariant ids',
      'name: demo/x\ngoal: g\ninvariants:\n  - { id: a, check: paths-within }\n  - { id: a, check: no-conflicts }',
      'invariants[1].id: duplicate id "a" (also invariants[0])',
    ],
    [
      'maxParallel out of range',
      'name: demo/x\ngoal: g\nstrategy:\n  steps:\n    - title: s\n      subplans: { maxParallel: 90, entries: [{ goal: g, resourceScopes: [a] }] }',
      'strategy.steps[0].subplans.maxParallel: must be between 1 and 50',
    ],
    [
      'a child without scopes or project',
      'name: demo/x\ngoal: g\nstrategy:\n  steps:\n    - title: s\n      subplans: { entries: [{ goal: g }] }',
      'strategy.steps[0].subplans.entries[0].resourceScopes: a child plan needs resourceScopes or a project',
    ],
    [
      'an unknown sibling dependency',
      'name: demo/x\ngoal: g\nstrategy:\n  steps:\n    - title: s\n      subplans: { mode: dependency-ordered, entries: [{ name: demo/a, goal: g, resourceScopes: [a], dependsOn: [demo/b] }] }',
      'strategy.steps[0].subplans.entries[0].dependsOn[0]: "demo/b" is not the name of a sibling entry',
    ],
    [
      'two children of one name',
      'name: demo/x\ngoal: g\nstrategy:\n  steps:\n    - title: s\n      subplans: { entries: [{ name: demo/a, goal: g, resourceScopes: [a] }, { name: demo/a, goal: h, resourceScopes: [b] }] }',
      'strategy.steps[0].subplans.entries[1].name: duplicate child name "demo/a"',
    ],
    [
      'a child that depends on itself',
      'name: demo/x\ngoal: g\nstrategy:\n  steps:\n    - title: s\n      subplans: { mode: dependency-ordered, entries: [{ name: demo/a, goal: g, resourceScopes: [a], dependsOn: [demo/a] }] }',
      'strategy.steps[0].subplans.entries[0].dependsOn[0]: an entry cannot depend on itself',
    ],
    [
      'a dependency cycle',
      'name: demo/x\ngoal: g\nstrategy:\n  steps:\n    - title: s\n      subplans: { mode: dependency-ordered, entries: [{ name: demo/a, goal: g, resourceScopes: [a], dependsOn: [demo/b] }, { name: demo/b, goal: g, resourceScopes: [b], dependsOn: [demo/a] }] }',
      'strategy.steps[0].subplans.entries: dependency cycle: demo/a → demo/b → demo/a',
    ],
    [
      'a bad env name',
      'name: demo/x\ngoal: g\nenv: { "A-B": x }',
      'env.A-B: must be an environment variable name (letters, digits, _)',
    ],
  ])('refuses %s, naming the field', (_, source, expected) => {
    expect(problems(source)).toContain(expected);
  });

  it('lists every problem, not only the first', () => {
    expect(problems('name: Bad\ngoal: ""\nfoo: 1')).toHaveLength(3);
  });

  it.each([
    ['YAML that does not parse', 'a: [', 'plan file: is not valid YAML or JSON at line 1, column 5'],
    ['a key given twice', 'name: demo/x\nname: demo/y\ngoal: g', 'Map keys must be unique'],
    ['a list instead of a mapping', '- 1', 'must be a mapping with at least name and goal, got a list'],
    ['an empty file', '   \n', 'plan file: is empty'],
    ['an unresolved alias', 'name: *nope\ngoal: g', 'cannot be read'],
  ])('refuses %s with a VALIDATION_ERROR that says where', (_, source, expected) => {
    expect(() => parsePlanFile(source)).toThrow(
      expect.objectContaining({ code: 'VALIDATION_ERROR', message: expect.stringContaining(expected) }),
    );
  });

  it('refuses a file larger than 1 MiB before parsing it', () => {
    expect(() => parsePlanFile(`name: demo/x\ngoal: ${'x'.repeat(1024 * 1024)}`)).toThrow(/larger than 1048576 bytes/);
  });

  it('names the file it read in the message', () => {
    expect(() => parsePlanFile('name: demo/x', { origin: 'plans/x.yaml' })).toThrow(
      /^plans\/x\.yaml: goal: is required$/,
    );
  });
});
