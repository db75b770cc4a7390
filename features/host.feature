Feature: One process owns the project, every command can ask it
  While one troupe process runs a plan it owns the project's store. Other
  troupe commands in the same project talk to it instead of failing on the
  store's lock; once it has ended, the next command opens the store itself.

  The plans below have a step that waits until the scenario gives the
  go-ahead, so the plan is processing for exactly as long as needed.

  Background:
    Given a git project
    And a plan file "slow.yaml":
      """
      name: demo/slow
      goal: Take a while
      strategy:
        steps:
          - title: Wait for the go-ahead
            tool: shell/run
            input:
              command: until test -e "$HOME/go-ahead"; do sleep 0.1; done; echo waited > waited.txt
          - title: Write after
            tool: fs/write-file
            input: { path: after.txt, content: "after\n" }
      """

  Scenario: status and events answer while another process runs the plan
    When I start `troupe plan run slow.yaml` in the background
    And the background run has printed "step 1: Wait for the go-ahead" on stderr
    And I run `troupe plan status demo/slow --json`
    Then the exit code is 0
    And the JSON output includes:
      """
      { "name": "demo/slow", "phase": "execute", "status": "processing", "lastCompletedStep": null }
      """
    When I run `troupe events demo/slow`
    Then the exit code is 0
    And the last event printed is "step.started" in execute
    And no event printed is "phase.completed" in execute
    And the background run is still running
    When I give the go-ahead
    And the background run finishes
    Then the exit code is 0
    When I run `troupe plan status demo/slow --json`
    Then the exit code is 0
    And the JSON output includes:
      """
      { "name": "demo/slow", "phase": "validate", "status": "complete", "lastCompletedStep": 1 }
      """
    And an app embedding troupe can open the project and sees the plan at (validate, complete)

  Scenario: A phase command from another process is refused while the plan is processing
    When I start `troupe plan run slow.yaml` in the background
    And the background run has printed "step 1: Wait for the go-ahead" on stderr
    And I run `troupe plan validate demo/slow`
    Then the exit code is 2
    And stderr starts with `error[PHASE_GUARD]: cannot validate demo/slow: execute is processing (needs complete)`
    And there is a hint mentioning "troupe plan status demo/slow --watch"
    When I give the go-ahead
    And the background run finishes
    Then the exit code is 0
    And the plan is at (validate, complete)

  Scenario: plan cancel from another process stops the running step
    When I start `troupe plan run slow.yaml` in the background
    And the background run has printed "step 1: Wait for the go-ahead" on stderr
    And I run `troupe plan cancel demo/slow`
    Then the exit code is 0
    When the background run finishes within 10 seconds
    Then the plan is at (execute, cancelled)
    When I give the go-ahead
    And a second has passed
    Then the sandbox has no file "waited.txt"
    And the sandbox has no file "after.txt"
    And the project is untouched
