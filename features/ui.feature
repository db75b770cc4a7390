Feature: troupe ui where there is no terminal
  In a terminal, `troupe ui` is a live view of the plans. In a pipe, a log or
  CI there is nobody to press keys: it prints the same model once — the plan
  tree and the details of one plan — and exits, as text or as JSON.

  Background:
    Given a git project
    And a plan file "hello.yaml":
      """
      name: demo/hello
      goal: Add a greeting file
      automation: review
      strategy:
        steps:
          - title: Write the greeting
            tool: fs/write-file
            input: { path: HELLO.md, content: "# Hello\n" }
      """

  Scenario: the tree with progress and the plan's details, as text
    Given I have run `troupe plan run hello.yaml`
    When I run `troupe ui`
    Then the exit code is 0
    And stdout shows `demo/hello  validate · complete  steps 1/1`
    And stdout shows `phases  strategize ✓  execute ✓  validate ✓`
    And stdout shows `conflicts  none`
    And stdout shows `post-execute  (execute, complete)`

  Scenario: the same model as one JSON document
    Given I have run `troupe plan run hello.yaml`
    When I run `troupe ui demo/hello --json`
    Then stdout is exactly one JSON document
    And the JSON output includes:
      """
      {
        "plans": [{ "name": "demo/hello", "depth": 0, "phase": "validate", "status": "complete", "steps": { "done": 1, "total": 1 } }],
        "details": { "name": "demo/hello", "conflicts": [], "timeline": [{ "phase": "strategize", "state": "completed" }, { "phase": "execute", "state": "completed" }, { "phase": "validate", "state": "completed" }] }
      }
      """

  Scenario: a project without plans
    Given I have run `troupe init`
    When I run `troupe ui`
    Then the exit code is 0
    And stdout shows `no plans yet`

  Scenario: an unknown plan is refused before anything is shown
    Given I have run `troupe plan new hello.yaml`
    When I run `troupe ui demo/nope`
    Then it fails with NOT_FOUND
    And stdout is empty
    And stderr has no stack trace
