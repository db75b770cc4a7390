Feature: A script the plan deleted while the user made it executable waits for the user
  Making a file executable is a change. When the project made a script
  executable after the plan started, and the plan deleted that script, apply
  does not delete it silently: like git, it waits on a modify-delete
  conflict that says what the project changed, and the user decides.

  Background:
    Given a git project with notes.txt
    And I have run `troupe init`
    And I commit a change of "build.sh" to the project:
      """
      #!/bin/sh
      echo build
      """
    And a plan file "drop.yaml":
      """
      name: demo/drop
      goal: Drop the build script
      strategy:
        steps:
          - title: Drop it
            tool: fs/delete-file
            input: { path: build.sh }
      """
    And I have run `troupe plan run drop.yaml`
    And I make "build.sh" executable in the project and commit it

  Scenario: Apply waits on a modify-delete conflict naming the mode change
    When I run `troupe plan apply demo/drop`
    Then the exit code is 3
    And the project is untouched
    And the open conflicts are "build.sh (modify-delete)"
    When I run `troupe plan conflicts demo/drop`
    Then stdout shows `ours   │ mode 100644 → 100755, content unchanged`

  Scenario Outline: Resolving to one side keeps the executable script or deletes it
    Given I have run `troupe plan apply demo/drop` expecting exit 3
    When I run `troupe plan resolve demo/drop build.sh --<side>`
    And I run `troupe plan apply demo/drop`
    Then the exit code is 0
    And the project file "build.sh" is <outcome>

    Examples:
      | side   | outcome    |
      | ours   | executable |
      | theirs | gone       |
