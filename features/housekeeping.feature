Feature: Plans that are over make room: their sandboxes go, their names come back
  Every plan works in a git worktree on a branch of its own. An applied plan
  takes its worktree, branch and refs with it; once another plan is over I
  can free what it left with troupe gc, delete a plan
  for good, and run a plan file again under the name of a plan that ended.
  A plan that has not ended is never touched.

  Background:
    Given a git project
    And a plan file "notes.yaml":
      """
      name: demo/notes
      goal: Write the notes
      automation: auto
      strategy:
        steps:
          - title: Write the notes
            tool: fs/write-file
            input: { path: NOTES.md, content: "# Notes\n" }
      """
    And a plan file "draft.yaml":
      """
      name: demo/draft
      goal: Draft something
      strategy:
        steps:
          - title: Draft it
            tool: fs/write-file
            input: { path: DRAFT.md, content: "draft\n" }
      """

  Scenario: An applied plan leaves nothing behind; troupe gc frees the plans that ended otherwise, and keeps the live ones
    Given I have run `troupe plan run notes.yaml`
    And I have run `troupe plan run draft.yaml`
    Then plan "demo/notes" has no worktree or branch left
    When I run `troupe gc --dry-run --json`
    Then the exit code is 0
    And the JSON output includes:
      """
      { "dryRun": true, "worktrees": 0, "branches": 0, "plans": 0, "refs": 0 }
      """
    And plan "demo/draft" still has its worktree and branch
    When I run `troupe plan cancel demo/draft`
    And I run `troupe gc`
    Then the exit code is 0
    And stdout shows `freed 1 worktree and 1 branch of 1 ended plan`
    And stdout shows `pruned 1 ref of ended plans under refs/troupe/`
    And plan "demo/draft" has no worktree or branch left
    When I run `troupe plan changes demo/notes --json`
    Then the exit code is 0

  Scenario: troupe gc refuses a duration it cannot read
    When I run `troupe gc --older-than 2weeks`
    Then the exit code is 2
    And stderr shows `error[VALIDATION_ERROR]: --older-than: must be a whole number and a unit`

  Scenario: troupe plan delete asks first, and with --yes removes the plan for good
    Given I have run `troupe plan run draft.yaml`
    When I run `troupe plan delete demo/draft`
    Then the exit code is 3
    And stderr shows `error[CONFIRMATION_REQUIRED]: deleting demo/draft needs a yes`
    And the plan "demo/draft" is at (validate, complete)
    When I run `troupe plan delete demo/draft --yes`
    Then the exit code is 0
    And stdout shows `deleted demo/draft`
    And plan "demo/draft" has no worktree or branch left
    When I run `troupe plan status demo/draft`
    Then the exit code is 4

  Scenario: A plan file runs again under the name of a plan that ended, with --replace
    Given I have run `troupe plan run notes.yaml`
    When I run `troupe plan run notes.yaml`
    Then the exit code is 2
    And stderr shows `troupe plan run notes.yaml --replace`
    When I run `troupe plan run notes.yaml --replace`
    Then the exit code is 0
    And the plan "demo/notes" is at (apply, done)

  Scenario: --replace of a plan that has not ended asks first, and with --yes cancels and replaces it in one command
    Given I have run `troupe plan run draft.yaml`
    When I run `troupe plan run draft.yaml --replace`
    Then the exit code is 3
    And stderr shows `error[CONFIRMATION_REQUIRED]: demo/draft is at (validate, complete): replacing it cancels and deletes demo/draft`
    And stderr shows `troupe plan run draft.yaml --replace --yes`
    When I run `troupe plan run draft.yaml --replace --yes`
    Then the exit code is 0
    And the plan "demo/draft" is at (validate, complete)
