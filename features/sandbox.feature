Feature: The sandbox keeps a plan inside its project and its scopes
  Every step runs in the plan's own git worktree. A path that leaves it,
  a write outside the plan's resourceScopes and a change in strategize are
  refused, and the project stays as it was.

  Scenario Outline: A step that writes <path> is refused before anything is created
    Given a git project
    And a plan file "escape.yaml":
      """
      name: demo/escape
      goal: Write where I should not
      strategy:
        steps:
          - title: Write
            tool: fs/write-file
            input: { path: "<path>", content: "escaped\n" }
      """
    When I run `troupe plan run escape.yaml`
    Then the exit code is 2
    And stderr starts with `error[SANDBOX_ESCAPE]: escape.yaml: strategy.steps[0].input.path: <reason>`
    And stderr has no stack trace
    And no plan was created
    And no sandbox was created
    And the project is untouched

    Examples:
      | path        | reason                               |
      | ../outside  | must not contain ".." segments       |
      | /etc/x      | must be relative to the sandbox root |
      | .git/config | must not point into .git             |

  Scenario: A step that writes outside resourceScopes is refused before anything is created
    Given a git project with src/a.ts
    And a plan file "scoped.yaml":
      """
      name: demo/scoped
      goal: Write next to src
      resourceScopes: ["src/**"]
      strategy:
        steps:
          - title: Write lib
            tool: fs/write-file
            input: { path: lib/x.ts, content: "export {};\n" }
      """
    When I run `troupe plan run scoped.yaml`
    Then the exit code is 2
    And stderr starts with `error[SCOPE_VIOLATION]: scoped.yaml: strategy.steps[0].input.path: is outside the plan's resourceScopes (src/**)`
    And no plan was created
    And no sandbox was created

  Scenario: Writing through a symlink that leads outside the project is refused
    Given a git project
    And a file "target.txt" outside the project containing "original"
    And the project has a committed symlink "shared" to the folder outside the project
    And a plan file "link.yaml":
      """
      name: demo/link
      goal: Write through the link
      strategy:
        steps:
          - title: Overwrite the target
            tool: fs/write-file
            input: { path: shared/target.txt, content: "overwritten" }
      """
    When I run `troupe plan run link.yaml`
    Then the exit code is 1
    And the plan is at (execute, failed)
    And the plan record includes:
      """
      { "error": { "code": "SANDBOX_ESCAPE", "phase": "execute", "step": 0 } }
      """
    And the file "target.txt" outside the project still contains "original"
    And the project is untouched

  Scenario: A shell step that writes outside resourceScopes fails execute with SCOPE_VIOLATION
    Given a git project with src/a.ts
    And a plan file "stray.yaml":
      """
      name: demo/stray
      goal: Write in src, then stray
      automation: auto
      resourceScopes: ["src/**"]
      strategy:
        steps:
          - title: Write in scope
            tool: shell/run
            input: { command: "echo 'export const ok = 1;' > src/ok.ts" }
          - title: Stray
            tool: shell/run
            input: { command: "echo stray > stray.txt" }
      """
    When I run `troupe plan run stray.yaml`
    Then the exit code is 1
    And stderr shows `SCOPE_VIOLATION`
    And stderr shows `stray.txt`
    And the plan is at (execute, failed)
    And the plan record includes:
      """
      { "lastCompletedStep": 0, "error": { "code": "SCOPE_VIOLATION", "phase": "execute", "step": 1, "details": { "files": ["stray.txt"] } } }
      """
    And the project is untouched
    And the project has no file "stray.txt"

  Scenario: A strategist's call to a write tool is answered with READ_ONLY_PHASE
    Given a git project
    And a plan file "plan.yaml":
      """
      name: demo/reader
      goal: Only look around
      """
    And an app embedding troupe whose strategist asks the fs/write-file tool to write "note.txt"
    When the app creates the plan from "plan.yaml" and runs it until strategize
    Then the strategist's tool call was answered with READ_ONLY_PHASE, not carried out
    And the app's run stopped at (strategize, complete)
    When the app closes troupe
    Then the plan is at (strategize, complete)
    And the sandbox has no file "note.txt"

  Scenario: A strategist that writes with node's fs makes strategize fail with READ_ONLY_PHASE
    Given a git project
    And a plan file "plan.yaml":
      """
      name: demo/sneaky
      goal: Only look around
      """
    And an app embedding troupe whose strategist writes "sneaky.txt" into the sandbox with node's fs
    When the app creates the plan from "plan.yaml" and runs it
    Then the app's run stopped at (strategize, failed) with READ_ONLY_PHASE naming "sneaky.txt"
    When the app closes troupe
    Then the plan is at (strategize, failed)
    And the plan record includes:
      """
      { "error": { "code": "READ_ONLY_PHASE", "phase": "strategize" } }
      """
    And the sandbox has no file "sneaky.txt"
    And the project is untouched

  Scenario: The sandbox is a git worktree of its own, with one commit per step that changed files
    Given a git project with src/a.ts
    And a plan file "plan.yaml":
      """
      name: demo/sandboxed-work
      goal: Change src step by step
      resourceScopes: ["src/**"]
      strategy:
        steps:
          - title: Write b
            tool: fs/write-file
            input: { path: src/b.ts, content: "export const b = 2;\n" }
          - title: Read a
            tool: fs/read-file
            input: { path: src/a.ts }
          - title: Extend a
            tool: shell/run
            input: { command: "echo 'export const a = 1;' >> src/a.ts" }
      """
    When I run `troupe plan run plan.yaml --until execute`
    Then the exit code is 0
    And the plan's sandbox is the git worktree ".troupe/worktrees/<id>" on branch "troupe/demo-sandboxed-work-<id6>"
    And the sandbox has one commit per step that changed files, each by "troupe <troupe@localhost>":
      | src/b.ts |
      | src/a.ts |
    And the project is untouched
