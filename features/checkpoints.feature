Feature: A plan goes back to a checkpoint, is corrected, and resumes
  A plan takes checkpoints as it runs. Rolling back to one puts its sandbox
  files and its position back, asks first, and can itself be undone. A
  correction appends the step a plan was missing and runs it; resume picks
  a plan up where it rests.

  Background:
    Given a git project
    And a plan file "three.yaml":
      """
      name: demo/three
      goal: Write a and b, with a checkpoint between them
      automation: review
      strategy:
        steps:
          - title: Write a
            tool: fs/write-file
            input: { path: a.txt, content: "a\n" }
          - title: Mark the spot
            tool: system/create-checkpoint
            input: { label: after-a }
          - title: Write b
            tool: fs/write-file
            input: { path: b.txt, content: "b\n" }
      """

  Scenario: Checkpoints are taken as the plan runs
    Given I have run `troupe plan run three.yaml`
    When I run `troupe checkpoint list demo/three --json`
    Then the exit code is 0
    And the checkpoints printed are, oldest first:
      | trigger      | label   | step      | restores to         | writes/calls |
      | phase        | -       | -         | strategize complete | 0/0          |
      | pre-execute  | -       | -         | execute queued      | 0/0          |
      | step         | -       | 1 Write a | execute queued      | 1/1          |
      | manual       | after-a | 1 Write a | execute queued      | 1/1          |
      | step         | -       | 3 Write b | execute queued      | 2/3          |
      | post-execute | -       | 3 Write b | execute complete    | 2/3          |
      | phase        | -       | -         | validate complete   | 2/3          |
    When I run `troupe checkpoint list demo/three`
    Then stdout shows `after-a  manual        1     execute · after step 1 "Write a"`
    And stdout shows `go back to one: troupe plan rollback demo/three --to <id|label|step:N|last-clean>`

  Scenario: Without a terminal to ask, a rollback needs --yes and changes nothing
    Given I have run `troupe plan run three.yaml`
    And I note the state of the plan
    When I run `troupe plan rollback demo/three --to after-a`
    Then the exit code is 3
    And it fails with CONFIRMATION_REQUIRED
    And stderr shows `needs a yes (1 file reverted, 0 decisions discarded, 0 child plans invalidated) and there is no terminal to ask`
    And there is a hint mentioning "nothing changed; to go ahead: troupe plan rollback demo/three --to after-a --yes"
    And nothing about the plan changed
    And the plan is at (validate, complete)

  Scenario: Rolling back to a checkpoint reverts the files after it, and the plan runs the rest again
    Given I have run `troupe plan run three.yaml`
    When I run `troupe plan rollback demo/three --to after-a --yes`
    Then the exit code is 0
    And stdout shows `✓ rolled back demo/three to checkpoint`
    And stdout shows `"after-a" (manual, created`
    And stdout shows `1 reverted: b.txt (deleted)`
    And stdout shows `next: troupe plan run demo/three`
    And the sandbox has no file "b.txt"
    And the plan is at (execute, queued)
    When I run `troupe plan run demo/three`
    Then the exit code is 0
    And stderr shows `step 2: Mark the spot`
    And stderr shows `step 3: Write b`
    And stderr does not show `step 1: Write a`
    And the plan is at (validate, complete)
    And the sandbox file "b.txt" contains:
      """
      b
      """

  Scenario: A rollback is undone by rolling back to its undo checkpoint
    Given I have run `troupe plan run three.yaml`
    And I have run `troupe plan rollback demo/three --to after-a --yes --json`
    Then the JSON output includes:
      """
      {
        "checkpoint": { "label": "after-a", "trigger": "manual" },
        "restored": { "phase": "execute", "status": "queued" },
        "changesReverted": [{ "file": "b.txt", "action": "deleted" }],
        "childPlansInvalidated": [],
        "reversionCount": 1
      }
      """
    When I run `troupe plan rollback demo/three --to {undoCheckpointId} --yes --json` with {undoCheckpointId} from the last JSON output
    Then the exit code is 0
    And the JSON output includes:
      """
      {
        "checkpoint": { "trigger": "pre-rollback" },
        "restored": { "phase": "validate", "status": "complete" },
        "changesReverted": [{ "file": "b.txt", "action": "recreated" }],
        "reversionCount": 0
      }
      """
    And the plan is at (validate, complete)
    And the sandbox file "b.txt" contains:
      """
      b
      """

  Scenario: A correction appends the missing step, and the plan validates
    Given a plan file "fix.yaml":
      """
      name: demo/fix
      goal: Leave a fixed.txt behind
      automation: review
      validate:
        - run: test -f fixed.txt
      strategy:
        steps:
          - title: Write a
            tool: fs/write-file
            input: { path: a.txt, content: "a\n" }
          - title: Write b
            tool: fs/write-file
            input: { path: b.txt, content: "b\n" }
      """
    And I have run `troupe plan run fix.yaml` expecting exit 1
    And stdout shows `validate · failed`
    When I run `troupe plan correct demo/fix --mode append --step '{"title":"Fix","tool":"fs/write-file","input":{"path":"fixed.txt","content":"ok\n"}}' --reason "fixed.txt was missing"`
    Then the exit code is 0
    And stderr shows `step 3: Fix`
    And stdout shows `✓ corrected demo/fix: appended 1 step`
    And stdout shows `undo: troupe plan rollback demo/fix --to `
    And the plan is at (validate, complete)
    And the sandbox file "fixed.txt" contains:
      """
      ok
      """

  Scenario Outline: A bad checkpoint, rollback or correction command is refused and changes nothing
    Given I have run `troupe plan run three.yaml`
    And I note the state of the plan
    When I run `<command>`
    Then the exit code is <exit>
    And stderr starts with `error[<code>]: <message>`
    And there is a hint mentioning "<hint>"
    And stderr has no stack trace
    And nothing about the plan changed

    Examples:
      | command                                                                                                | exit | code             | message                                                | hint                              |
      | troupe checkpoint prune demo/three --keep -1                                                           | 2    | VALIDATION_ERROR | --keep: must be a whole number, 0 or more (got "-1")   | --keep 5                          |
      | troupe plan correct demo/three                                                                         | 2    | VALIDATION_ERROR | --mode: is required: revert or append                  | troupe plan correct <plan> --mode |
      | troupe plan correct demo/three --mode sideways                                                         | 2    | VALIDATION_ERROR | --mode: must be revert or append (got "sideways")      | troupe plan correct <plan> --mode |
      | troupe plan correct demo/three --mode append --step '{"title": "Fix"'                                  | 2    | VALIDATION_ERROR | --step: the value is not valid JSON                    | @steps.json                       |
      | troupe plan correct demo/three --mode append --step '{"title": "Fix", "tool": "no/such", "input": {}}' | 2    | VALIDATION_ERROR | --step: strategy.steps[0].tool: unknown tool "no/such" | docs/reference/plan-file.md                 |
      | troupe plan rollback demo/three --to nope --yes                                                        | 4    | NOT_FOUND        | no checkpoint matches "nope"                           | troupe checkpoint list demo/three |

  Scenario: A plan that was cancelled cannot be rolled back
    Given I have run `troupe plan run three.yaml --until strategize`
    And I have run `troupe plan cancel demo/three`
    And I note the state of the plan
    When I run `troupe plan rollback demo/three --yes`
    Then the exit code is 2
    And stderr starts with `error[PHASE_GUARD]: cannot roll back demo/three: the plan is cancelled`
    And stderr has no stack trace
    And nothing about the plan changed

  Scenario: Resuming a plan at rest prints where it is and changes nothing
    Given I have run `troupe plan run three.yaml`
    And I note the state of the plan
    When I run `troupe plan resume demo/three`
    Then the exit code is 0
    And stdout shows `demo/three  `
    And stdout shows `validate · complete`
    And stdout shows `next: troupe plan apply demo/three`
    And nothing about the plan changed
