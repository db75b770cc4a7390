Feature: Invariants keep holding while agents work
  An invariant is a rule the plan must not break: a file must exist, a
  secret must never be written, a check command must pass. Invariants come
  from the plan file and from the project's .troupe/config.json. troupe
  checks them after strategize, after every step and after validate; the
  moment one breaks, the phase fails with INVARIANT_VIOLATED, nothing more
  runs, and the project stays as it was.

  Scenario: A rule the project already breaks stops the plan before anything runs
    Given a git project
    And a plan file "plan.yaml":
      """
      name: demo/licensed
      goal: Ship a licensed module
      invariants:
        - id: license
          check: file-exists
          path: LICENSE
      strategy:
        steps:
          - title: Write the module
            tool: fs/write-file
            input: { path: mod.txt, content: "module\n" }
      """
    When I run `troupe plan run plan.yaml`
    Then the exit code is 1
    And stderr shows `✗ 1 of 1 invariant violated after strategize`
    And stderr shows `    ✗ license (plan): LICENSE does not exist`
    And there is a hint mentioning "troupe plan strategize demo/licensed"
    And the plan is at (strategize, failed)
    And the plan record includes:
      """
      {
        "toolCalls": 0,
        "lastCompletedStep": null,
        "error": {
          "code": "INVARIANT_VIOLATED",
          "phase": "strategize",
          "message": "invariant \"license\" (plan) does not hold after strategize: LICENSE does not exist",
          "details": { "trigger": "post-strategize", "violations": [{ "id": "license", "tier": "plan", "check": "file-exists" }] }
        }
      }
      """
    When I run `troupe plan execute demo/licensed`
    Then the exit code is 2
    And stderr starts with `error[PHASE_GUARD]: cannot execute demo/licensed: strategize failed (needs complete)`
    And the plan is at (strategize, failed)
    And the sandbox has no file "mod.txt"
    And the project is untouched

  Scenario: Fixing the project and restarting strategize lets the plan go on
    Given a git project
    And a plan file "plan.yaml":
      """
      name: demo/relicensed
      goal: Ship a licensed module
      invariants:
        - id: license
          check: file-exists
          path: LICENSE
      strategy:
        steps:
          - title: Write the module
            tool: fs/write-file
            input: { path: mod.txt, content: "module\n" }
      """
    When I run `troupe plan run plan.yaml`
    Then the plan is at (strategize, failed)
    When I commit "LICENSE" to the project
    And I run `troupe plan strategize demo/relicensed`
    Then the exit code is 0
    And stderr shows `✓ 1 invariant holds after strategize`
    And the plan is at (strategize, complete)
    When I run `troupe plan run demo/relicensed`
    Then the exit code is 0
    And the plan is at (validate, complete)

  Scenario: The step that writes a forbidden file is the last step that runs
    Given a git project
    And a plan file "plan.yaml":
      """
      name: demo/secret
      goal: Write the config, never the secret
      invariants:
        - id: no-secret
          check: file-absent
          path: secret.txt
        - id: readme
          check: file-exists
          path: README.md
      strategy:
        steps:
          - title: Write the config
            tool: fs/write-file
            input: { path: config.txt, content: "config\n" }
          - title: Write the secret
            tool: fs/write-file
            input: { path: secret.txt, content: "hunter2\n" }
          - title: Write the notes
            tool: fs/write-file
            input: { path: notes.txt, content: "notes\n" }
      """
    When I run `troupe plan run plan.yaml`
    Then the exit code is 1
    And stderr shows `✓ 2 invariants hold after step 1`
    And stderr shows `✗ 1 of 2 invariants violated after step 2`
    And stderr shows `    ✗ no-secret (plan): secret.txt exists`
    And the plan is at (execute, failed)
    And the plan record includes:
      """
      { "lastCompletedStep": 1, "toolCalls": 2, "error": { "code": "INVARIANT_VIOLATED", "phase": "execute", "step": 1, "retryable": false } }
      """
    And the sandbox file "secret.txt" contains:
      """
      hunter2
      """
    And the sandbox has no file "notes.txt"
    And the project is untouched
    When I run `troupe plan status demo/secret`
    Then stdout shows `INVARIANT_VIOLATED: invariant "no-secret" (plan) does not hold after step 2: secret.txt exists`
    And stdout shows `✗ no-secret (plan, file-absent): secret.txt exists`
    When I run `troupe plan validate demo/secret`
    Then the exit code is 2
    And it fails with PHASE_GUARD
    When I run `troupe plan execute demo/secret`
    Then the exit code is 2
    And stderr starts with `error[PHASE_GUARD]: cannot execute demo/secret: execute failed (INVARIANT_VIOLATED) and cannot simply be run again`
    When I run `troupe events demo/secret`
    Then the last event printed is "phase.failed" in execute
    And the "invariant.violated" event printed includes:
      """
      {
        "phase": "execute",
        "data": {
          "trigger": "post-step",
          "step": 1,
          "results": [
            { "id": "no-secret", "tier": "plan", "check": "file-absent", "passed": false, "message": "secret.txt exists" },
            { "id": "readme", "tier": "plan", "check": "file-exists", "passed": true }
          ]
        }
      }
      """

  Scenario: A rule that only breaks during validate blocks apply
    Given a git project
    And a plan file "plan.yaml":
      """
      name: demo/checked
      goal: Validate without leaving a marker behind
      invariants:
        - id: no-marker
          check: command
          run: test ! -e .validated
      validate:
        - run: touch .validated
      strategy:
        steps:
          - title: Write the module
            tool: fs/write-file
            input: { path: mod.txt, content: "module\n" }
      """
    When I run `troupe plan run plan.yaml`
    Then the exit code is 1
    And stderr shows `✓ 1 invariant holds after step 1`
    And stderr shows `✗ 1 of 1 invariant violated after validate`
    And the plan is at (validate, failed)
    And the plan record includes:
      """
      { "error": { "code": "INVARIANT_VIOLATED", "phase": "validate", "details": { "trigger": "post-validate", "violations": [{ "id": "no-marker", "tier": "plan", "check": "command", "message": "exit code 1" }] } } }
      """
    When I run `troupe plan apply demo/checked`
    Then the exit code is 2
    And stderr starts with `error[PHASE_GUARD]: cannot apply demo/checked: validate failed (needs complete)`
    And the plan is at (validate, failed)
    And the project is untouched
    And the project has no file "mod.txt"
    And the project has no file ".validated"

  Scenario: A plan that keeps its rules records a check after strategize, every step and validate
    Given a git project
    And a plan file "plan.yaml":
      """
      name: demo/tidy
      goal: Write two files and keep the readme
      invariants:
        - id: readme
          check: file-exists
          path: README.md
      validate:
        - run: test -f b.txt
      strategy:
        steps:
          - title: Write a
            tool: fs/write-file
            input: { path: a.txt, content: "a\n" }
          - title: Write b
            tool: fs/write-file
            input: { path: b.txt, content: "b\n" }
      """
    When I run `troupe plan run plan.yaml`
    Then the exit code is 0
    And stderr shows `✓ 1 invariant holds after strategize`
    And stderr shows `✓ 1 invariant holds after step 2`
    And stderr shows `✓ 1 invariant holds after validate`
    And the plan is at (validate, complete)
    When I run `troupe events demo/tidy`
    Then the events printed are, in order:
      | event                | phase      | about                     |
      | plan.created         |            |                           |
      | phase.started        | strategize |                           |
      | invariant.reconciled | strategize | after strategize          |
      | phase.completed      | strategize |                           |
      | checkpoint.created   | strategize | phase checkpoint          |
      | phase.started        | execute    |                           |
      | checkpoint.created   | execute    | pre-execute checkpoint    |
      | step.started         | execute    | step 1                    |
      | tool.called          | execute    | step 1                    |
      | step.completed       | execute    | step 1                    |
      | invariant.reconciled | execute    | after step 1              |
      | checkpoint.created   | execute    | step checkpoint           |
      | step.started         | execute    | step 2                    |
      | tool.called          | execute    | step 2                    |
      | step.completed       | execute    | step 2                    |
      | invariant.reconciled | execute    | after step 2              |
      | checkpoint.created   | execute    | step checkpoint           |
      | phase.completed      | execute    |                           |
      | checkpoint.created   | execute    | post-execute checkpoint   |
      | phase.started        | validate   |                           |
      | invariant.reconciled | validate   | after validate            |
      | phase.completed      | validate   |                           |
      | checkpoint.created   | validate   | phase checkpoint          |
    And plan explain shows these decisions under their parents:
      | decision                                          | under                                        |
      | invariant_enforcement Respect readme (plan)       | strategy Write two files and keep the readme |
      | reconciliation 1 invariant holds after strategize | strategy Write two files and keep the readme |
      | reconciliation 1 invariant holds after step 1     | step Write a                                 |
      | reconciliation 1 invariant holds after step 2     | step Write b                                 |
      | reconciliation 1 invariant holds after validate   | strategy Write two files and keep the readme |

  Scenario: The project's own rules apply to every plan and are named as project rules
    Given a git project
    And the project's .troupe/config.json says:
      """
      { "invariants": [{ "id": "no-env", "check": "file-absent", "path": ".env" }] }
      """
    And a plan file "plan.yaml":
      """
      name: demo/env
      goal: Configure the app
      strategy:
        steps:
          - title: Write the env file
            tool: fs/write-file
            input: { path: .env, content: "TOKEN=1\n" }
      """
    When I run `troupe plan run plan.yaml`
    Then the exit code is 1
    And stderr shows `    ✗ no-env (project): .env exists`
    And the plan is at (execute, failed)
    When I run `troupe plan status demo/env`
    Then stdout shows `INVARIANT_VIOLATED: invariant "no-env" (project) does not hold after step 1: .env exists`
    And stdout shows `✗ no-env (project, file-absent): .env exists`
    And plan explain shows these decisions under their parents:
      | decision                                       | under                      |
      | invariant_enforcement Respect no-env (project) | strategy Configure the app |
    And the project has no file ".env"

  Scenario: A plan with reconciliation off runs through and says its checks were off
    Given a git project
    And a plan file "plan.yaml":
      """
      name: demo/unchecked
      goal: Write a secret on purpose
      reconciliation: false
      invariants:
        - id: no-secret
          check: file-absent
          path: secret.txt
      strategy:
        steps:
          - title: Write the secret
            tool: fs/write-file
            input: { path: secret.txt, content: "hunter2\n" }
      """
    When I run `troupe plan run plan.yaml`
    Then the exit code is 0
    And the plan is at (validate, complete)
    And the sandbox file "secret.txt" contains:
      """
      hunter2
      """
    When I run `troupe plan explain demo/unchecked`
    Then stdout shows `reconciliation Invariant checks are off for this plan`
    And stdout shows `reconciliation: false; 1 invariant(s) will not be checked: no-secret`
    When I run `troupe events demo/unchecked`
    Then no event printed is "invariant.reconciled"
    And no event printed is "invariant.violated"

  Scenario: A check command that hangs is stopped at its timeout and counts as broken
    Given a git project
    And a plan file "plan.yaml":
      """
      name: demo/hang
      goal: Depend on a check that hangs
      invariants:
        - id: hangs
          check: command
          run: sleep 30
          timeoutMs: 300
      """
    When I start `troupe plan run plan.yaml` in the background
    And the background run finishes within 10 seconds
    Then the exit code is 1
    And stderr shows `    ✗ hangs (plan): TIMEOUT after 300 ms`
    And the plan is at (strategize, failed)
    When I run `troupe plan status demo/hang`
    Then stdout shows `✗ hangs (plan, command): TIMEOUT after 300 ms: sleep 30`

  Scenario Outline: A plan file with <problem> is refused and nothing is created
    Given a git project
    And a plan file "bad.yaml":
      """
      name: demo/bad
      goal: Keep a rule
      invariants: <invariants>
      """
    When I run `troupe plan new bad.yaml`
    Then the exit code is 2
    And stderr starts with `error[VALIDATION_ERROR]: bad.yaml: <error>`
    And stderr has no stack trace
    And no plan was created
    And no sandbox was created

    Examples:
      | problem                       | invariants                                                                   | error                                                              |
      | an unknown check              | [{id: magic, check: magic}]                                                  | invariants[0].check: must name a known check                       |
      | a file check without its path | [{id: license, check: file-exists}]                                          | invariants[0].path: is required                                    |
      | a command check without run   | [{id: tests, check: command}]                                                | invariants[0].run: is required                                     |
      | an invariant without an id    | [{check: file-absent, path: secret.txt}]                                     | invariants[0].id: is required                                      |
      | a zero timeout                | [{id: tests, check: command, run: "true", timeoutMs: 0}]                     | invariants[0].timeoutMs: must be a positive number of milliseconds |
      | a negative timeout            | [{id: tests, check: command, run: "true", timeoutMs: -5}]                    | invariants[0].timeoutMs: must be a positive number of milliseconds |
      | the same id twice             | [{id: a, check: file-exists, path: x}, {id: a, check: file-absent, path: y}] | invariants[1].id: duplicate id "a" (also invariants[0])            |
      | a check nobody registered     | [{id: lint, check: acme/lint}]                                               | invariants[0].check: no check named "acme/lint" is registered      |

  Scenario: A broken project rule is refused before any plan is created
    Given a git project
    And the project's .troupe/config.json says:
      """
      { "invariants": [{ "id": "no-env", "check": "file-absent" }] }
      """
    And a plan file "plan.yaml":
      """
      name: demo/any
      goal: Anything
      """
    When I run `troupe plan new plan.yaml`
    Then the exit code is 2
    And stderr starts with `error[VALIDATION_ERROR]: .troupe/config.json: invariants[0].path: is required`
    And stderr has no stack trace
    And no sandbox was created
