Feature: Merges follow a renamed file
  Agents rename files all the time. When a plan renamed a file the user
  edited in the meantime, troupe follows the rename like git and the edit
  lands in the new file. When both renamed it to different names, the plan
  waits and the user picks one.

  Background:
    Given a git project with notes.txt
    And I have run `troupe init`
    And I commit a change of "guide.txt" to the project:
      """
      install
      configure
      run
      test
      ship
      """
    And a plan file "move.yaml":
      """
      name: demo/move
      goal: Rename the guide to a manual
      strategy:
        steps:
          - title: Rename it
            tool: shell/run
            input: { command: "mv guide.txt manual.txt" }
          - title: Reword the last step
            tool: fs/write-file
            input: { path: manual.txt, content: "install\nconfigure\nrun\ntest\nship it\n" }
      """
    And I have run `troupe plan run move.yaml`

  Scenario: The user edited the file the plan renamed: the edit follows the rename
    Given I commit a change of "guide.txt" to the project:
      """
      install
      configure it
      run
      test
      ship
      """
    When I run `troupe plan apply demo/move`
    Then the exit code is 0
    And the project has no file "guide.txt"
    And the project file "manual.txt" contains:
      """
      install
      configure it
      run
      test
      ship it
      """

  Scenario: Both renamed it differently: the plan waits, and the user keeps the plan's name
    Given I rename "guide.txt" to "handbook.txt" in the project and commit it
    And I have run `troupe plan apply demo/move` expecting exit 3
    When I run `troupe plan conflicts demo/move`
    Then stdout shows `renamed: guide.txt → ours handbook.txt, theirs manual.txt`
    And the open conflicts are "handbook.txt (rename-rename)"
    When I run `troupe plan resolve demo/move guide.txt --theirs`
    And I run `troupe plan apply demo/move`
    Then the exit code is 0
    And the project has no file "guide.txt"
    And the project has no file "handbook.txt"
    And the project file "manual.txt" contains:
      """
      install
      configure
      run
      test
      ship it
      """
