Feature: Bad input gets a clear error and changes nothing
  A plan file is checked field by field before anything is written. Every
  mistake names the field, exits 2 and leaves no plan and no sandbox
  behind. No input crashes troupe with a stack trace.

  Scenario Outline: A plan file with <problem> is refused and nothing is written
    Given a git project
    And a plan file "bad.yaml":
      """
      <plan file>
      """
    When I run `troupe plan run bad.yaml`
    Then the exit code is 2
    And stderr starts with `error[VALIDATION_ERROR]: bad.yaml: <error>`
    And stderr has no stack trace
    And no plan was created
    And no sandbox was created

    Examples:
      | problem                          | plan file                                                                                                                                           | error                                                            |
      | a name that is not ns/name       | {name: Demo/X, goal: Fix it}                                                                                                                        | name: each part must start with a lowercase letter               |
      | no goal                          | {name: demo/x}                                                                                                                                      | goal: is required                                                |
      | an unknown key                   | {name: demo/x, goal: Fix it, colour: red}                                                                                                           | colour: is not a known field                                     |
      | maxParallel 90                   | {name: demo/x, goal: Fix it, strategy: {steps: [{title: Fan out, subplans: {maxParallel: 90, entries: [{goal: Part, resourceScopes: ["a/**"]}]}}]}} | strategy.steps[0].subplans.maxParallel: must be between 1 and 50 |
      | an unknown invariant check       | {name: demo/x, goal: Fix it, invariants: [{id: magic, check: magic}]}                                                                               | invariants[0].check: must name a known check                     |
      | a YAML syntax error              | {name: demo/x, goal: [unclosed}                                                                                                                     | is not valid YAML or JSON at line 1                              |
      | a list instead of a mapping      | [name, goal]                                                                                                                                        | must be a mapping with at least name and goal                    |
      | an unknown tool                  | {name: demo/x, goal: Fix it, strategy: {steps: [{title: Guess, tool: fs/nope, input: {}}]}}                                                         | strategy.steps[0].tool: unknown tool "fs/nope"                   |
      | a tool input without its content | {name: demo/x, goal: Fix it, strategy: {steps: [{title: Write, tool: fs/write-file, input: {path: a.txt}}]}}                                        | strategy.steps[0].input.content: is required                     |

  Scenario: With --json the validation error lists the field paths
    Given a git project
    And a plan file "bad.yaml":
      """
      name: demo/x
      goal: ""
      automation: sometimes
      """
    When I run `troupe plan new bad.yaml --json`
    Then the exit code is 2
    And stdout is exactly one JSON document
    And the JSON output includes:
      """
      {
        "error": {
          "code": "VALIDATION_ERROR",
          "details": { "issues": [{ "path": "goal" }, { "path": "automation" }] }
        }
      }
      """
    And no plan was created

  Scenario: Every mistake of a plan file is named at once, with the field that was meant
    Given a git project
    And a plan file "bad.yaml":
      """
      name: demo/x
      goal: Fix it
      automation: fast
      resourceScopes: ["src/**"]
      invariants:
        - { id: readme, check: file-exist, path: README.md }
      strategy:
        steps:
          - { title: Write, tool: fs/write-file, input: { path: src/a.txt, contnet: hello } }
      """
    When I run `troupe plan new bad.yaml`
    Then the exit code is 2
    And stderr starts with `error[VALIDATION_ERROR]: bad.yaml: 4 problems`
    And stderr shows `automation: must be manual, review or auto (got "fast")`
    And stderr shows `invariants[0].check: must name a known check`
    And stderr shows `did you mean `file-exists`?`
    And stderr shows `strategy.steps[0].input.contnet: is not a known field; did you mean `content`?`
    And no plan was created

  Scenario: A plan file path that does not exist is no such file, not an unknown plan
    Given a git project
    When I run `troupe plan run ./plans/typo.yml`
    Then the exit code is 4
    And stderr starts with `error[NOT_FOUND]: no such file: ./plans/typo.yml`
    And no plan was created

  Scenario: An unknown plan is not found
    Given a git project
    And I have run `troupe init`
    When I run `troupe plan status demo/nope`
    Then the exit code is 4
    And stderr starts with `error[NOT_FOUND]: no plan matches "demo/nope"`
    And there is a hint mentioning "troupe plan list"

  Scenario: A read in a repository troupe was never set up in says where it looked, and sets nothing up
    Given a git project
    When I run `troupe plan list`
    Then the exit code is 4
    And stderr starts with `error[NOT_FOUND]: no troupe project in `
    And there is a hint mentioning "troupe init"
    And troupe set nothing up in the project

  Scenario Outline: An unknown flag is a usage error, reported once
    Given a git project
    When I run `troupe <command> --bogus`
    Then the exit code is 2
    And stderr starts with `error[VALIDATION_ERROR]: unknown option '--bogus'`
    And there is a hint mentioning "--help"
    And stderr has no stack trace

    Examples:
      | command               |
      | events demo/x         |
      | plan status demo/x    |
      | plan run plan.yaml    |

  Scenario: --until takes only a phase name, and nothing is created otherwise
    Given a git project
    And a plan file "plan.yaml":
      """
      name: demo/x
      goal: Fix it
      """
    When I run `troupe plan run plan.yaml --until nope`
    Then the exit code is 2
    And stderr starts with `error[VALIDATION_ERROR]: option '--until <phase>' argument 'nope' is invalid`
    And there is a hint mentioning "troupe plan run --help"
    And no plan was created

  Scenario: troupe init outside a git repository
    Given a directory that is not a git repository
    When I run `troupe init`
    Then the exit code is 2
    And stderr starts with `error[NOT_A_GIT_REPO]: `
    And there is a hint mentioning "git init"
    And stdout is empty

  Scenario: With --json an error is one JSON document on stdout
    Given a git project
    And I have run `troupe init`
    When I run `troupe plan status demo/nope --json`
    Then the exit code is 4
    And stdout is exactly one JSON document
    And the JSON output includes:
      """
      { "error": { "code": "NOT_FOUND", "hint": "troupe plan list --all shows the plans", "details": { "ref": "demo/nope", "suggestion": null } } }
      """
    And stderr is empty

  Scenario: A stack trace only with TROUPE_DEBUG=1
    Given a git project
    When I run `troupe plan status demo/nope`
    Then stderr has no stack trace
    When I run `troupe plan status demo/nope` with TROUPE_DEBUG=1
    Then the exit code is 4
    And it fails with NOT_FOUND
    And stderr has a stack trace
