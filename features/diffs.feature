Feature: I read what a plan changed as a diff, and see what apply would commit before it does
  A plan's changes live in its sandbox until apply commits them to my
  branch. I want to read them as a diff — a child plan's too — and before I
  apply, see the commit apply would make without anything changing.

  Background:
    Given a git project
    And a plan file "notes.yaml":
      """
      name: demo/notes
      goal: Write the notes and retitle the README
      strategy:
        steps:
          - title: Write the notes
            tool: fs/write-file
            input: { path: NOTES.md, content: "# Notes\n" }
          - title: Retitle the README
            tool: fs/write-file
            input: { path: README.md, content: "# The project\n" }
      """

  Scenario: troupe plan changes --patch prints the plan's diff
    Given I have run `troupe plan run notes.yaml`
    When I run `troupe plan changes demo/notes --patch`
    Then the exit code is 0
    And stdout is:
      """
      diff --git a/NOTES.md b/NOTES.md
      new file mode 100644
      index 0000000..17e0f0d
      --- /dev/null
      +++ b/NOTES.md
      @@ -0,0 +1 @@
      +# Notes
      diff --git a/README.md b/README.md
      index 75dea93..2a4300c 100644
      --- a/README.md
      +++ b/README.md
      @@ -1 +1 @@
      -# project
      +# The project

      """
    And the project is untouched

  Scenario: a child plan's diff is there after its parent merged it
    Given a plan file "fan.yaml":
      """
      name: demo/fan
      goal: Fan out
      strategy:
        steps:
          - title: Two children
            subplans:
              mode: parallel
              entries:
                - goal: Write x
                  resourceScopes: [x.txt]
                  strategy: { steps: [{ title: Write x, tool: fs/write-file, input: { path: x.txt, content: "x\n" } }] }
                - goal: Write y
                  resourceScopes: [y.txt]
                  strategy: { steps: [{ title: Write y, tool: fs/write-file, input: { path: y.txt, content: "y\n" } }] }
      """
    And I have run `troupe plan run fan.yaml`
    When I run `troupe plan changes demo/fan-2 --patch`
    Then the exit code is 0
    And stdout shows `+++ b/y.txt`
    And stdout does not show `x.txt`

  Scenario: plan apply --dry-run shows the commit apply would make and changes nothing
    Given I have run `troupe plan run notes.yaml`
    When I run `troupe plan apply demo/notes --dry-run --patch`
    Then the exit code is 0
    And stdout shows `apply would commit 2 files onto`
    And stdout shows `  A NOTES.md  +1 -0`
    And stdout shows `  M README.md  +1 -1`
    And stdout shows `+# The project`
    And stdout shows `dry run: nothing changed (troupe plan apply demo/notes makes the commit)`
    And the project is untouched
    And the plan "demo/notes" is at (validate, complete)
    When I run `troupe plan apply demo/notes`
    Then the exit code is 0
    And the new commit changes "A NOTES.md, M README.md"

  Scenario: plan apply --dry-run in a project with uncommitted changes says what would stop apply
    Given I have run `troupe plan run notes.yaml`
    And I changed "README.md" in the project without committing
    When I run `troupe plan apply demo/notes --dry-run --json`
    Then the exit code is 1
    And the JSON output includes:
      """
      { "outcome": "refused", "error": { "code": "DIRTY_WORKTREE", "details": { "files": ["README.md"] } } }
      """
    And the plan "demo/notes" is at (validate, complete)

  Scenario: --patch without --dry-run is refused, naming the flag
    Given I have run `troupe plan run notes.yaml`
    When I run `troupe plan apply demo/notes --patch`
    Then the exit code is 2
    And stderr shows `error[VALIDATION_ERROR]: --patch: shows the diff of a dry run: use it with --dry-run`
    And the plan "demo/notes" is at (validate, complete)
