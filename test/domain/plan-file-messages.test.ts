import { describe, expect, it } from 'vitest';
import {
  MAX_SUBPLAN_DEPTH,
  MAX_TEXT_NESTING,
  parsePlanFile,
  parseOrThrow,
  ValidationError,
  yamlNestingProblem,
  type FieldIssue,
} from '../../src/domain/index.js';
import { projectConfigSchema } from '../../src/runtime/project/project-config.js';

function issues(source: unknown): string[] {
  try {
    parsePlanFile(source);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).issues.map((issue: FieldIssue) => `${issue.path}: ${issue.message}`);
  }
  throw new Error('expected the plan file to be refused');
}

// a plan whose children nest `depth` levels deep, each with one subplans step
function nested(depth: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  let entry: Record<string, unknown> = { goal: 'leaf', resourceScopes: ['**'] };
  for (let level = 1; level < depth; level += 1)
    entry = {
      goal: `level ${depth - level}`,
      resourceScopes: ['**'],
      strategy: { steps: [{ title: 'Fan out', subplans: { entries: [entry] } }] },
    };
  return {
    name: 'demo/deep',
    goal: 'g',
    strategy: { steps: [{ title: 'Fan out', subplans: { entries: [entry] } }] },
    ...extra,
  };
}

describe('plan file messages (issue 18)', () => {
  it.each([
    [
      'a top-level field',
      'name: demo/x\ngoal: g\ndefinitonOfDone: x',
      'definitonOfDone: is not a known field; did you mean `definitionOfDone`?',
    ],
    [
      'a field of the strategy',
      'name: demo/x\ngoal: g\nstrategy:\n  stpes: []',
      'strategy.stpes: is not a known field; did you mean `steps`?',
    ],
    [
      'a field of a tool step',
      'name: demo/x\ngoal: g\nstrategy:\n  steps:\n    - { title: t, tool: fs/write-file, inptu: {} }',
      'strategy.steps[0].inptu: is not a known field; did you mean `input`?',
    ],
    [
      'a field of a subplans group',
      'name: demo/x\ngoal: g\nstrategy:\n  steps:\n    - { title: t, subplans: { maxParalel: 2, entries: [{ goal: g, resourceScopes: [a] }] } }',
      'strategy.steps[0].subplans.maxParalel: is not a known field; did you mean `maxParallel`?',
    ],
    [
      'a field of a child',
      'name: demo/x\ngoal: g\nstrategy:\n  steps:\n    - { title: t, subplans: { entries: [{ goal: g, resourceScope: [a] }] } }',
      'strategy.steps[0].subplans.entries[0].resourceScope: is not a known field; did you mean `resourceScopes`?',
    ],
    [
      'a field of a built-in invariant',
      'name: demo/x\ngoal: g\ninvariants:\n  - { id: t, check: command, rn: npm test }',
      'invariants[0].rn: is not a known field; did you mean `run`?',
    ],
    [
      'a field of a validate command',
      'name: demo/x\ngoal: g\nvalidate:\n  - { rnu: npm test }',
      'validate[0].rnu: is not a known field; did you mean `run`?',
    ],
  ])('names the field meant by a misspelt key: %s', (_, source, expected) => {
    expect(issues(source)).toContain(expected);
  });

  it('refuses a plan or project setting that would switch containment off piece by piece: only sandbox.mode off exists (issue 72)', () => {
    for (const key of ['seccomp: false', 'user: root', 'proc: writable']) {
      expect(issues(`name: demo/x\ngoal: g\nsandbox:\n  ${key}`)).toEqual([
        `sandbox.${key.split(':')[0]}: is not a known field`,
      ]);
    }
    for (const sandbox of [{ seccomp: false }, { identity: 'root' }, { keepSetuid: true }]) {
      expect(() => parseOrThrow(projectConfigSchema, { sandbox }, { subject: '.troupe/config.json' })).toThrow(
        new RegExp(`sandbox\\.${Object.keys(sandbox)[0]}: is not a known field`),
      );
    }
  });

  it('refuses an unknown overlap policy with the allowed values, in a plan file and in .troupe/config.json (issue 38)', () => {
    expect(
      issues(
        'name: demo/x\ngoal: g\nstrategy:\n  steps:\n    - { title: t, subplans: { overlap: serialise, entries: [{ goal: g, resourceScopes: [a] }] } }',
      ),
    ).toEqual([
      'strategy.steps[0].subplans.overlap: must be warn, serialize or allow (got "serialise"); did you mean `serialize`?',
    ]);
    expect(() => parseOrThrow(projectConfigSchema, { overlap: 'never' }, { subject: '.troupe/config.json' })).toThrow(
      /overlap: must be warn, serialize or allow \(got "never"\)/,
    );
    expect(parseOrThrow(projectConfigSchema, {}).overlap).toBe('warn');
  });

  it('suggests nothing for a key close to no field, nor a field the mapping already has', () => {
    expect(issues('name: demo/x\ngoal: g\ncolour: red')).toContain('colour: is not a known field');
    expect(issues('name: demo/x\ngoal: g\ngoals: h')).toContain('goals: is not a known field');
  });

  it.each([
    ['automation', 'automation: fast', 'automation: must be manual, review or auto (got "fast")'],
    [
      'a near miss',
      'automation: reveiw',
      'automation: must be manual, review or auto (got "reveiw"); did you mean `review`?',
    ],
    ['a number', 'automation: 3', 'automation: must be manual, review or auto (got 3)'],
    [
      'a built-in check',
      'invariants: [{ id: a, check: file-exist, path: x }]',
      'invariants[0].check: must name a known check: command, file-exists, file-absent, paths-within, no-conflicts, or a registered check such as acme/lint-clean (got "file-exist"); did you mean `file-exists`?',
    ],
    [
      'a merge strategy',
      'strategy: { steps: [{ title: t, subplans: { mergeStrategy: threeway, entries: [{ goal: g, resourceScopes: [a] }] } }] }',
      'strategy.steps[0].subplans.mergeStrategy: must be three-way, ours, theirs or fail-on-conflict (got "threeway"); did you mean `three-way`?',
    ],
  ])('says what was given for %s', (_, fields, expected) => {
    expect(issues(`name: demo/x\ngoal: g\n${fields}`)).toContain(expected);
  });

  it('suggests fields in .troupe/config.json at every level', () => {
    expect(() =>
      parseOrThrow(
        projectConfigSchema,
        { netwrok: true, sandbox: { mdoe: 'off' }, actors: { strategst: 'x' } },
        { subject: '.troupe/config.json' },
      ),
    ).toThrow(
      expect.objectContaining({
        details: {
          issues: [
            { path: 'actors.strategst', message: 'is not a known field; did you mean `strategist`?' },
            { path: 'sandbox.mdoe', message: 'is not a known field; did you mean `mode`?' },
            { path: 'netwrok', message: 'is not a known field; did you mean `network`?' },
          ],
        },
      }),
    );
    expect(() => parseOrThrow(projectConfigSchema, { sandbox: { mode: 'of' } })).toThrow(
      /sandbox\.mode: must be "contained" \(the default\) or "off" \(got "of"\); did you mean `off`\?/,
    );
  });

  it.each([
    [
      'a NUL byte in a step title',
      { strategy: { steps: [{ title: 'Write\u0000', tool: 'fs/write-file', input: { path: 'a', content: '' } }] } },
      'strategy.steps[0].title: must not contain a NUL byte (at character 6)',
    ],
    [
      'an escape sequence in a goal',
      { goal: 'Fix \u001b[2J it' },
      'goal: must not contain a control character (U+001B at character 5)',
    ],
    [
      'a C1 control in a definition of done',
      { definitionOfDone: 'done\u009b' },
      'definitionOfDone: must not contain a control character (U+009B at character 5)',
    ],
    [
      'a NUL byte in a child goal',
      { strategy: { steps: [{ title: 't', subplans: { entries: [{ goal: 'g\u0000', resourceScopes: ['a'] }] } }] } },
      'strategy.steps[0].subplans.entries[0].goal: must not contain a NUL byte (at character 2)',
    ],
    [
      'a NUL byte in a validate command',
      { validate: [{ run: 'npm test\u0000' }] },
      'validate[0].run: must not contain a NUL byte (at character 9)',
    ],
    [
      'a NUL byte in a command check',
      { invariants: [{ id: 't', check: 'command', run: '\u0000' }] },
      'invariants[0].run: must not contain a NUL byte (at character 1)',
    ],
    [
      'a NUL byte in an environment variable',
      { env: { A: 'x\u0000' } },
      'env.A: must not contain a NUL byte (at character 2)',
    ],
    [
      'a control character in an invariant description',
      { invariants: [{ id: 't', check: 'paths-within', description: 'in\u0007scope' }] },
      'invariants[0].description: must not contain a control character (U+0007 at character 3)',
    ],
  ])('refuses %s', (_, fields, expected) => {
    expect(issues({ name: 'demo/x', goal: 'g', ...fields })).toContain(expected);
  });

  it('accepts tabs and line breaks in what a person writes, and escapes in a command', () => {
    const spec = parsePlanFile({
      name: 'demo/x',
      goal: 'Fix it\n\tall of it\r\n',
      definitionOfDone: 'a\nb',
      validate: [{ run: "printf '\u001b[1m'" }],
    });
    expect(spec.goal).toBe('Fix it\n\tall of it');
  });

  it.each([
    [
      'at the top of a tool input',
      '{"title":"t","tool":"fs/write-file","input":{"path":"a","content":"b","__proto__":{"x":1}}}',
      'strategy.steps[0].input.__proto__',
    ],
    [
      'deep inside a tool input',
      '{"title":"t","tool":"fs/write-file","input":{"path":"a","content":"b","deep":[{"__proto__":1}]}}',
      'strategy.steps[0].input.deep[0].__proto__',
    ],
  ])('refuses a __proto__ key %s, as at the top level', (_, step, path) => {
    const source = JSON.parse(`{"name":"demo/x","goal":"g","strategy":{"steps":[${step}]}}`) as unknown;
    expect(issues(source)).toContain(`${path}: is not a known field (a __proto__ key would be dropped)`);
    expect(issues(JSON.parse('{"name":"demo/x","goal":"g","__proto__":{"x":1}}'))).toEqual([
      '__proto__: is not a known field',
    ]);
  });

  it('refuses a __proto__ key in YAML, in env and in a registered check', () => {
    expect(
      issues(
        'name: demo/x\ngoal: g\nstrategy:\n  steps:\n    - { title: t, tool: fs/write-file, input: { path: a, content: b, __proto__: { x: 1 } } }',
      ),
    ).toEqual(['strategy.steps[0].input.__proto__: is not a known field (a __proto__ key would be dropped)']);
    expect(
      issues(
        JSON.parse(
          '{"name":"demo/x","goal":"g","env":{"__proto__":"x"},"invariants":[{"id":"a","check":"acme/x","__proto__":{}}]}',
        ),
      ),
    ).toEqual([
      'invariants[0].__proto__: is not a known field (a __proto__ key would be dropped)',
      'env.__proto__: is not a known field (a __proto__ key would be dropped)',
    ]);
  });

  it(`accepts children nested ${MAX_SUBPLAN_DEPTH} levels deep`, () => {
    expect(parsePlanFile(nested(MAX_SUBPLAN_DEPTH)).name).toBe('demo/deep');
  });

  it.each([MAX_SUBPLAN_DEPTH + 1, 300, 5000])(
    'refuses children nested %i levels deep with one VALIDATION_ERROR naming the step, and still reports the rest',
    (depth) => {
      const found = issues(nested(depth, { automation: 'fast' }));
      const path = `strategy${'.steps[0].subplans.entries[0].strategy'.repeat(MAX_SUBPLAN_DEPTH)}.steps[0].subplans`;
      expect(found).toEqual([
        `${path}: nests child plans ${MAX_SUBPLAN_DEPTH + 1} levels deep; at most ${MAX_SUBPLAN_DEPTH} are allowed`,
        'automation: must be manual, review or auto (got "fast")',
      ]);
    },
  );

  it('refuses too deep a nesting written as YAML', async () => {
    const { stringify } = await import('yaml');
    expect(
      issues(stringify(nested(40))).some((line) =>
        line.includes(`nests child plans ${MAX_SUBPLAN_DEPTH + 1} levels deep`),
      ),
    ).toBe(true);
  });

  it.each([
    ['flow collections', `a: ${'['.repeat(MAX_TEXT_NESTING + 1)}${']'.repeat(MAX_TEXT_NESTING + 1)}`],
    ['JSON', `${'{"a":'.repeat(MAX_TEXT_NESTING + 1)}1${'}'.repeat(MAX_TEXT_NESTING + 1)}`],
    [
      'block indentation',
      Array.from({ length: MAX_TEXT_NESTING + 2 }, (_, level) => `${'  '.repeat(level)}a:`).join('\n'),
    ],
    ['compact sequences', `${'- '.repeat(MAX_TEXT_NESTING + 1)}x`],
  ])('refuses text that nests too deep to parse (%s) before parsing it', (_, text) => {
    expect(yamlNestingProblem(text)).toBe(`nests lists and mappings more than ${MAX_TEXT_NESTING} levels deep`);
    expect(() => parsePlanFile(text)).toThrow(
      `plan file: nests lists and mappings more than ${MAX_TEXT_NESTING} levels deep and cannot be read (child plans may nest at most ${MAX_SUBPLAN_DEPTH} levels)`,
    );
  });

  it.each([
    ['brackets in quotes', `a: "${'['.repeat(400)}"\nb: '${'{'.repeat(400)}'`],
    ['brackets in a comment', `a: 1 # ${'['.repeat(400)}\n# ${'{'.repeat(400)}`],
    ['an apostrophe in a plain scalar', `a: don't [x]\nb: [1, [2]]`],
    ['escaped quotes', `a: "\\"${'['.repeat(10)}"\nb: 'it''s ${'['.repeat(10)}'`],
  ])('does not count %s as nesting', (_, text) => {
    expect(yamlNestingProblem(text)).toBeNull();
  });
});
