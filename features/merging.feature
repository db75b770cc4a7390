Feature: Conflicts wait for the user, who resolves them file by file
  When the project moved on since a plan started, apply merges the plan's
  changes with troupe's merge engine. A conflict is never swallowed: the
  plan waits in (apply, waiting) with the project untouched, the user
  resolves each file, and the next apply commits the merge.

  Background:
    Given a git project with notes.txt
    And I have run `troupe init`
    And I commit a change of "greeting.txt" to the project:
      """
      hello
      from
      the
      project
      """
    And a plan file "clash.yaml":
      """
      name: demo/clash
      goal: Reword the greeting
      strategy:
        steps:
          - title: Reword it
            tool: fs/write-file
            input: { path: greeting.txt, content: "HELLO\nfrom\nthe\nplan\n" }
          - title: Add a file
            tool: fs/write-file
            input: { path: added.txt, content: "added by the plan\n" }
      """
    And I have run `troupe plan run clash.yaml`
    And I commit a change of "greeting.txt" to the project:
      """
      hello
      from
      the
      user
      """

  Scenario: Apply waits on a conflict and leaves the project untouched
    When I run `troupe plan apply demo/clash`
    Then the exit code is 3
    And stdout shows `apply · waiting`
    And stdout shows `next: troupe plan conflicts demo/clash, then troupe plan resolve demo/clash <file> --ours|--theirs|--use <path>`
    And the project is untouched
    And the open conflicts are "greeting.txt (content)"
    And the copy of "greeting.txt" with conflict markers contains:
      """
      HELLO
      from
      the
      <<<<<<< ours
      user
      ||||||| base
      project
      =======
      plan
      >>>>>>> theirs
      """

  Scenario: A command that needs the plan to move on says which files still conflict
    Given I have run `troupe plan apply demo/clash` expecting exit 3
    When I run `troupe plan apply demo/clash`
    Then the exit code is 3
    And stderr starts with `error[MERGE_CONFLICT]: cannot apply demo/clash: 1 file has unresolved conflicts: greeting.txt`
    And there is a hint mentioning "troupe plan conflicts demo/clash"

  Scenario: The user resolves the conflict with a file they edited, and the next apply commits the merge
    Given I have run `troupe plan apply demo/clash` expecting exit 3
    When I edit the copy of "greeting.txt" with conflict markers to:
      """
      HELLO
      from
      the
      user and the plan
      """
    And I resolve "greeting.txt" with the copy I edited
    Then the exit code is 0
    And stdout shows `no conflicts left: the merge is ready to apply`
    And the plan has no open conflicts
    And the plan record includes:
      """
      { "phase": "apply", "status": "queued" }
      """
    When I run `troupe plan apply demo/clash`
    Then the exit code is 0
    And the project has one new commit, authored and committed by "troupe <troupe@localhost>"
    And the project file "greeting.txt" contains:
      """
      HELLO
      from
      the
      user and the plan
      """
    And the project file "added.txt" contains:
      """
      added by the plan
      """

  Scenario Outline: Resolving to one side keeps what merged cleanly
    Given I have run `troupe plan apply demo/clash` expecting exit 3
    When I run `troupe plan resolve demo/clash greeting.txt --<side>`
    And I run `troupe plan apply demo/clash`
    Then the exit code is 0
    And the project file "greeting.txt" contains:
      """
      HELLO
      from
      the
      <last line>
      """

    Examples:
      | side   | last line |
      | ours   | user      |
      | theirs | plan      |

  Scenario: Apply can settle conflicts by a strategy instead, and says what it settled
    When I run `troupe plan apply demo/clash --strategy theirs`
    Then the exit code is 0
    And stdout shows `apply · done`
    And the project file "greeting.txt" contains:
      """
      HELLO
      from
      the
      plan
      """
    When I run `troupe plan explain demo/clash`
    Then stdout shows `conflict_resolution Resolve greeting.txt to theirs (strategy theirs)`

  Scenario: fail-on-conflict applies nothing
    When I run `troupe plan apply demo/clash --strategy fail-on-conflict`
    Then the exit code is 1
    And stdout shows `MERGE_CONFLICT: cannot apply plan`
    And the project is untouched

  Scenario Outline: A bad resolution is refused with a coded error and changes nothing
    Given I have run `troupe plan apply demo/clash` expecting exit 3
    And a file "theirs.txt" outside the project containing "mine"
    When I run `<command>`
    Then the exit code is <exit>
    And stderr starts with `error[<code>]: <message>`
    And stderr has no stack trace
    And the open conflicts are "greeting.txt (content)"
    And the project is untouched

    Examples:
      | command                                                         | exit | code             | message                                                                              |
      | troupe plan resolve demo/clash notes.txt --ours                  | 2    | VALIDATION_ERROR | file: notes.txt has no open conflict in plan demo/clash; open: greeting.txt          |
      | troupe plan resolve demo/nope greeting.txt --ours                | 4    | NOT_FOUND        | no plan matches "demo/nope"                                                          |
      | troupe plan resolve demo/clash greeting.txt --use missing.txt    | 2    | VALIDATION_ERROR | --use: no file at missing.txt                                                        |
      | troupe plan resolve demo/clash greeting.txt --use ../outside/theirs.txt | 2 | VALIDATION_ERROR | --use: ../outside/theirs.txt is outside the project                             |
      | troupe plan resolve demo/clash greeting.txt --ours --theirs      | 2    | VALIDATION_ERROR | resolution: choose one of --ours, --theirs, not 2                                    |
      | troupe plan resolve demo/clash greeting.txt                      | 2    | VALIDATION_ERROR | resolution: say how to resolve it: one of --ours, --theirs, --use <path>             |
