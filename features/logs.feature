Feature: The output of the commands a plan ran
  When my plan's test command fails I want to see which test failed without
  digging through the sandbox, and when a command passes I still want to
  read what it printed. troupe keeps the stdout and stderr of every command
  a plan runs, prints them with `troupe plan logs`, and a failure shows the
  lines that matter.

  Background:
    Given a git project
    And the project has a committed file "math.test.mjs":
      """
      import test from 'node:test';
      import assert from 'node:assert';
      test('sums', () => assert.equal(1 + 1, 2));
      test('adds numbers', () => assert.equal(1 + 1, 3));
      test('subtracts', () => assert.equal(2 - 1, 1));
      """
    And a plan file "tests.yaml":
      """
      name: demo/tests
      goal: Run the tests
      automation: review
      strategy:
        steps:
          - title: Say hello
            tool: shell/run
            input: { command: "echo hello; echo careful >&2" }
          - title: Run the tests
            tool: shell/run
            input: { command: "node --test math.test.mjs" }
      """

  Scenario: A failing test run says which test failed when I look at the plan
    When I run `troupe plan run tests.yaml`
    Then the exit code is 1
    When I run `troupe plan status demo/tests`
    Then stdout shows `TOOL_FAILED: shell/run exited with code 1: node --test math.test.mjs (step 2)`
    And stdout shows `│ not ok 2 - adds numbers`
    And stdout shows `│ # fail 1`
    And stdout shows `logs: troupe plan logs demo/tests --step 2`
    When I run `troupe plan status demo/tests --json`
    Then the JSON output includes:
      """
      { "error": { "code": "TOOL_FAILED", "step": 1, "details": { "exitCode": 1 } } }
      """
    And the error's lines include "not ok 2 - adds numbers" and "# pass 2"

  Scenario: I read what every command printed, the passing ones too
    Given I have run `troupe plan run tests.yaml` expecting exit 1
    When I run `troupe plan logs demo/tests`
    Then the exit code is 0
    And stdout shows `── step 1 · shell/run · exit 0`
    And stdout shows `$ echo hello; echo careful >&2`
    And stdout shows `hello`
    And stdout shows `── stderr`
    And stdout shows `careful`
    And stdout shows `── step 2 · shell/run · exit 1`
    And stdout shows `ok 1 - sums`
    And stdout shows `not ok 2 - adds numbers`
    When I run `troupe plan logs demo/tests --step 1`
    Then stdout shows `hello`
    And stdout does not show `not ok`
    When I run `troupe plan logs demo/tests --step 2 --json`
    Then the JSON output includes:
      """
      { "name": "demo/tests", "logs": [{ "kind": "step", "step": 1, "tool": "shell/run", "command": "node --test math.test.mjs", "exitCode": 1, "discardedBy": null }] }
      """

  Scenario: A failing test invariant names the failed test
    Given a plan file "guarded.yaml":
      """
      name: demo/guarded
      goal: Change something while the tests must pass
      automation: review
      invariants:
        - id: tests-pass
          check: command
          run: node --test math.test.mjs
      strategy:
        steps:
          - title: Write a note
            tool: fs/write-file
            input: { path: note.txt, content: "hi\n" }
      """
    When I run `troupe plan run guarded.yaml`
    Then the exit code is 1
    And stdout shows `INVARIANT_VIOLATED`
    When I run `troupe plan status demo/guarded`
    Then stdout shows `✗ tests-pass (plan, command): exit code 1: not ok 2 - adds numbers`
    And stdout shows `│ # fail 1`
    When I run `troupe plan logs demo/guarded --phase strategize`
    Then stdout shows `── check tests-pass in strategize · exit 1`
    And stdout shows `not ok 2 - adds numbers`

  Scenario: Asking for a step the plan does not have
    Given I have run `troupe plan run tests.yaml` expecting exit 1
    When I run `troupe plan logs demo/tests --step 3`
    Then the exit code is 4
    And it fails with NOT_FOUND
    And stderr shows `--step 3: demo/tests has no step 3; it has 2 steps`
    And there is a hint mentioning "troupe plan status demo/tests"
    When I run `troupe plan logs demo/tests --step 0`
    Then the exit code is 2
    And it fails with VALIDATION_ERROR
    And stderr shows `--step: must be a step number from 1`
    When I run `troupe plan logs demo/tests --phase apply`
    Then the exit code is 2
    And it fails with VALIDATION_ERROR
    And stderr shows `--phase`
