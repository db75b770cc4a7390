Feature: A plan's lifecycle
  A plan moves through strategize, execute, validate and apply. Its
  automation says how far `troupe plan run` takes it. The project itself
  changes only when the plan is applied, as one commit made by troupe.

  Background:
    Given a git project with src/a.ts and src/old.ts
    And a plan file "plan.yaml":
      """
      name: demo/lifecycle
      goal: Add b, extend a and drop old
      resourceScopes: ["src/**"]
      validate:
        - run: test -f src/b.ts
      strategy:
        steps:
          - title: Write b
            tool: fs/write-file
            input: { path: src/b.ts, content: "export const b = 2;\n" }
          - title: Extend a
            tool: shell/run
            input: { command: "echo 'export const a = 1;' >> src/a.ts" }
          - title: Drop old
            tool: fs/delete-file
            input: { path: src/old.ts }
      """

  Scenario: Review automation stops before apply and leaves the project untouched
    When I run `troupe plan run plan.yaml`
    Then the exit code is 0
    And the plan is at (validate, complete)
    And stdout shows `next: troupe plan apply demo/lifecycle`
    And the sandbox file "src/b.ts" contains:
      """
      export const b = 2;
      """
    And the project is untouched

  Scenario: Applying a reviewed plan lands one commit made by troupe
    Given I have run `troupe plan run plan.yaml`
    When I run `troupe plan apply demo/lifecycle`
    Then the exit code is 0
    And the plan is at (apply, done)
    And the project has one new commit, authored and committed by "troupe <troupe@localhost>"
    And the new commit changes "M src/a.ts, A src/b.ts, D src/old.ts"
    And the project file "src/a.ts" contains:
      """
      // src/a.ts
      export const a = 1;
      """
    And the project has no file "src/old.ts"

  Scenario: Auto automation runs all four phases to done
    Given a plan file "auto.yaml":
      """
      name: demo/auto
      goal: Write b on my own
      automation: auto
      strategy:
        steps:
          - title: Write b
            tool: fs/write-file
            input: { path: src/b.ts, content: "export const b = 2;\n" }
      """
    When I run `troupe plan run auto.yaml`
    Then the exit code is 0
    And the plan is at (apply, done)
    And the project has one new commit, authored and committed by "troupe <troupe@localhost>"
    And the new commit changes "A src/b.ts"

  Scenario: Manual automation runs one phase per plan run
    Given a plan file "manual.yaml":
      """
      name: demo/manual
      goal: Write b one phase at a time
      automation: manual
      strategy:
        steps:
          - title: Write b
            tool: fs/write-file
            input: { path: src/b.ts, content: "export const b = 2;\n" }
      """
    When I run `troupe plan run manual.yaml`
    Then the exit code is 0
    And the plan is at (strategize, complete)
    When I run `troupe plan run demo/manual`
    Then the exit code is 0
    And the plan is at (execute, complete)
    When I run `troupe plan run demo/manual`
    Then the plan is at (validate, complete)
    And the project is untouched
    When I run `troupe plan run demo/manual`
    Then the exit code is 0
    And the plan is at (apply, done)
    And the new commit changes "A src/b.ts"

  Scenario: --until stops a plan after the phase it names
    When I run `troupe plan run plan.yaml --until execute`
    Then the exit code is 0
    And the plan is at (execute, complete)
    And the project is untouched

  Scenario: A phase command runs only that phase, whatever the automation
    Given a plan file "auto.yaml":
      """
      name: demo/auto
      goal: Write b on my own
      automation: auto
      strategy:
        steps:
          - title: Write b
            tool: fs/write-file
            input: { path: src/b.ts, content: "export const b = 2;\n" }
      """
    And I have run `troupe plan new auto.yaml`
    When I run `troupe plan strategize demo/auto`
    Then the exit code is 0
    And the plan is at (strategize, complete)
    When I run `troupe plan execute demo/auto`
    Then the exit code is 0
    And the plan is at (execute, complete)
    And the project is untouched

  Scenario: A failing shell step fails execute with TOOL_FAILED and the later steps do not run
    Given a plan file "failing.yaml":
      """
      name: demo/failing
      goal: Break on the second step
      automation: auto
      strategy:
        steps:
          - title: Write first
            tool: fs/write-file
            input: { path: first.txt, content: "first\n" }
          - title: Break
            tool: shell/run
            input: { command: "echo working; echo 'disk on fire' >&2; exit 3" }
          - title: Never
            tool: fs/write-file
            input: { path: never.txt, content: "never\n" }
      """
    When I run `troupe plan run failing.yaml`
    Then the exit code is 1
    And stderr shows `TOOL_FAILED`
    And the plan is at (execute, failed)
    And the plan record includes:
      """
      {
        "lastCompletedStep": 0,
        "toolCalls": 2,
        "error": {
          "code": "TOOL_FAILED",
          "phase": "execute",
          "step": 1,
          "details": { "exitCode": 3, "stdoutTail": "working\n", "stderrTail": "disk on fire\n" }
        }
      }
      """
    And the sandbox has no file "never.txt"
    And the project is untouched

  Scenario: A failing validate command fails validate
    Given a plan file "checked.yaml":
      """
      name: demo/checked
      goal: Write b and check it badly
      validate:
        - run: "echo checking; echo 'b is wrong' >&2; exit 4"
      strategy:
        steps:
          - title: Write b
            tool: fs/write-file
            input: { path: src/b.ts, content: "export const b = 2;\n" }
      """
    When I run `troupe plan run checked.yaml`
    Then the exit code is 1
    And the plan is at (validate, failed)
    And the plan record includes:
      """
      { "error": { "code": "TOOL_FAILED", "phase": "validate", "details": { "exitCode": 4, "stderrTail": "b is wrong\n" } } }
      """
    And the project is untouched

  Scenario: Running the same plan file twice points to running the plan by name
    Given I have run `troupe plan run plan.yaml`
    When I run `troupe plan run plan.yaml`
    Then the exit code is 2
    And it fails with VALIDATION_ERROR
    And stderr shows `a plan named "demo/lifecycle" already exists`
    And there is a hint mentioning "troupe plan run demo/lifecycle"
    And the plan is at (validate, complete)

  Scenario: plan explain shows the strategy with one decision per step
    Given I have run `troupe plan run plan.yaml --until strategize`
    When I run `troupe plan explain demo/lifecycle --json`
    Then the exit code is 0
    And the JSON output includes:
      """
      {
        "root": {
          "type": "strategy",
          "title": "Add b, extend a and drop old",
          "parentId": null,
          "status": "active",
          "children": [
            { "type": "step", "title": "Write b", "payload": { "index": 0, "tool": "fs/write-file" }, "children": [] },
            { "type": "step", "title": "Extend a", "payload": { "index": 1, "tool": "shell/run" }, "children": [] },
            { "type": "step", "title": "Drop old", "payload": { "index": 2, "tool": "fs/delete-file" }, "children": [] }
          ]
        }
      }
      """

  Scenario: plan changes lists every changed file with its action and line counts
    Given I have run `troupe plan run plan.yaml --until execute`
    When I run `troupe plan changes demo/lifecycle --json`
    Then the exit code is 0
    And the JSON output includes:
      """
      {
        "files": [
          { "path": "src/a.ts", "action": "modified", "linesAdded": 1, "linesRemoved": 0 },
          { "path": "src/b.ts", "action": "added", "linesAdded": 1, "linesRemoved": 0 },
          { "path": "src/old.ts", "action": "deleted", "linesAdded": 0, "linesRemoved": 1 }
        ]
      }
      """

  Scenario: events prints the plan's journal as NDJSON
    Given I have run `troupe plan run plan.yaml`
    When I run `troupe events demo/lifecycle`
    Then the exit code is 0
    And stdout has one event of the plan per line, numbered 1 to 23 in order
    And the first event printed is "plan.created"
    And the last event printed is "checkpoint.created" in validate

  Scenario: --stream prints the events on stdout while the plan runs
    Given a plan file "slow.yaml":
      """
      name: demo/slow
      goal: Take a while
      strategy:
        steps:
          - title: Wait for the go-ahead
            tool: shell/run
            input:
              command: until test -e "$HOME/go-ahead"; do sleep 0.1; done
      """
    When I start `troupe plan run slow.yaml --stream` in the background
    And the background run has streamed a "step.started" event
    Then the background run is still running
    When I give the go-ahead
    And the background run finishes
    Then the exit code is 0
    And stdout has one event of the plan per line, numbered 1 to 14 in order
    And the first event printed is "plan.created"
    And the last event printed is "checkpoint.created" in validate

  Scenario: A cancelled plan has ended for good
    Given I have run `troupe plan run plan.yaml --until execute`
    When I run `troupe plan cancel demo/lifecycle`
    Then the exit code is 0
    And the plan is at (execute, cancelled)
    And the plan list without --all does not show the plan
    When I run `troupe plan validate demo/lifecycle`
    Then the exit code is 2
    And it fails with PHASE_GUARD
    And stderr shows `cannot validate demo/lifecycle: the plan is cancelled`
    And the plan is at (execute, cancelled)
    And the project is untouched

  Scenario: --json prints exactly one JSON document
    When I run `troupe plan run plan.yaml --json`
    Then the exit code is 0
    And stdout is exactly one JSON document
    And the JSON output includes:
      """
      { "name": "demo/lifecycle", "phase": "validate", "status": "complete", "automation": "review", "parentId": null, "toolCalls": 3, "error": null }
      """
