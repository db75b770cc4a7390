Feature: Phase guards
  A phase runs only when the plan is ready for it. A refused command fails
  with PHASE_GUARD, says what is missing and what to run instead, and
  changes nothing.

  Background:
    Given a plan file "plan.yaml":
      """
      name: demo/x
      goal: Write b
      resourceScopes: ["src/**"]
      strategy:
        steps:
          - title: Write b
            tool: fs/write-file
            input: { path: src/b.ts, content: "export const b = 2;\n" }
      """

  Scenario: Execute is refused before strategize is complete
    Given a git project with src/a.ts
    And I have run `troupe plan new plan.yaml`
    When I run `troupe plan execute demo/x`
    Then the exit code is 2
    And stderr starts with `error[PHASE_GUARD]: cannot execute demo/x: strategize is queued (needs complete)`
    And there is a hint mentioning "troupe plan strategize demo/x"
    And the plan is at (strategize, queued)

  Scenario: Apply is refused before validate is complete
    Given a git project with src/a.ts
    And I have run `troupe plan run plan.yaml --until execute`
    When I run `troupe plan apply demo/x`
    Then the exit code is 2
    And stderr starts with `error[PHASE_GUARD]: cannot apply demo/x: execute is complete; apply needs validate complete`
    And there is a hint mentioning "troupe plan run demo/x --until validate"
    And the plan is at (execute, complete)
    And the project is untouched

  Scenario Outline: A done plan refuses every phase command
    Given a git project with src/a.ts
    And I have run `troupe plan run plan.yaml`
    And I have run `troupe plan apply demo/x`
    When I run `troupe plan <phase> demo/x`
    Then the exit code is 2
    And stderr starts with `error[PHASE_GUARD]: cannot <phase> demo/x: the plan is done`
    And the plan is at (apply, done)

    Examples:
      | phase      |
      | strategize |
      | execute    |
      | validate   |
      | apply      |

  Scenario: A repository without commits is refused before the plan's name is taken
    Given a git project with no commits
    When I run `troupe plan run plan.yaml`
    Then the exit code is 2
    And stderr starts with `error[VALIDATION_ERROR]: the project has no commits yet`
    And there is a hint mentioning "make a first commit"
    When I make the first commit of the project
    And I run `troupe plan run plan.yaml --until strategize`
    Then the exit code is 0
    And the plan is at (strategize, complete)

  Scenario: A failed strategize may be started again
    Given a git project with src/a.ts
    And I have run `troupe plan new plan.yaml`
    And the project is on a new branch without commits
    When I run `troupe plan run demo/x`
    Then the exit code is 1
    And stderr shows `the project has no commits yet`
    And the plan is at (strategize, failed)
    When I make the first commit of the project
    And I run `troupe plan strategize demo/x`
    Then the exit code is 0
    And the plan is at (strategize, complete)
    And the plan has no error

  Scenario: Apply, like git merge, refuses uncommitted work in a file the plan writes and keeps the rest
    Given a git project with src/a.ts
    And I have run `troupe plan run plan.yaml`
    And I changed "src/a.ts" in the project without committing
    And the project has an untracked file "src/b.ts" containing "my own b"
    When I run `troupe plan apply demo/x`
    Then the exit code is 1
    And stderr shows `DIRTY_WORKTREE`
    And the plan is at (apply, failed)
    And the plan record includes:
      """
      { "error": { "code": "DIRTY_WORKTREE", "phase": "apply", "retryable": true, "details": { "files": ["src/b.ts"] } } }
      """
    And there is a hint mentioning "troupe plan apply"
    When I remove "src/b.ts" from the project
    And I run `troupe plan apply demo/x`
    Then the exit code is 0
    And the plan is at (apply, done)
    And the project has one new commit, authored and committed by "troupe <troupe@localhost>"
    And the new commit changes "A src/b.ts"
    And "src/a.ts" in the project still has my uncommitted change
