Feature: A model drives a plan
  A plan file with an agent block and no steps is driven by its own model:
  troupe calls the model, runs the tools it asks for as an MCP agent's calls
  are run — each write one step, each command contained, a refused call an
  answer the model reads — and calls it again, until the model answers
  without a tool call. Every model call is recorded with what it cost, and
  what the model said is the reason of the steps it asked for.

  Background:
    Given a git project with src/a.ts

  Scenario: The model writes a file, reads it back, and finishes; I see why and what it cost
    Given a model server on 127.0.0.1 that answers, in turn:
      | text                          | tool        | input                                        |
      | I will write the notes.       | write_file  | {"path": "notes.txt", "content": "notes\\n"}  |
      | Let me read them back.        | run_command | {"command": "cat notes.txt"}                 |
      | Done: the notes are written.  |             |                                              |
    And a plan file "notes.yaml" driven by the model server:
      """
      name: demo/notes
      goal: Write notes
      resourceScopes: ["notes.txt"]
      validate:
        - run: test -s notes.txt
      """
    When I run `troupe plan run notes.yaml`
    Then the exit code is 0
    And the plan "demo/notes" is at (validate, complete)
    And the sandbox file "notes.txt" contains:
      """
      notes
      """
    When I run `troupe plan explain demo/notes`
    Then stdout shows `why: I will write the notes. (openai-compatible:scenario-coder)`
    And stdout shows `model calls: 3 calls`
    When I run `troupe plan status demo/notes`
    Then stdout shows `3 calls · 150 in / 30 out tokens`

  Scenario: A write outside the plan's scopes is refused and told to the model, which does it another way
    Given a model server on 127.0.0.1 that answers, in turn:
      | text                       | tool       | input                                          |
      | Put it in the README.      | write_file | {"path": "README.md", "content": "notes\\n"}    |
      | Refused: notes.txt then.   | write_file | {"path": "notes.txt", "content": "notes\\n"}    |
      | Done.                      |            |                                                |
    And a plan file "notes.yaml" driven by the model server:
      """
      name: demo/scoped
      goal: Write notes
      resourceScopes: ["notes.txt"]
      """
    When I run `troupe plan run notes.yaml`
    Then the exit code is 0
    And the plan "demo/scoped" is at (validate, complete)
    And the sandbox file "README.md" does not contain "notes"
    When I run `troupe plan explain demo/scoped`
    Then stdout shows `refused: fs/write-file README.md`

  Scenario: A provider that keeps failing fails the plan with MODEL_UNAVAILABLE, and a later run goes on
    Given a model server on 127.0.0.1 that answers, in turn:
      | text            | tool       | input                                        | status |
      | Writing.        | write_file | {"path": "notes.txt", "content": "notes\\n"}  |        |
      |                 |            |                                              | 503    |
      |                 |            |                                              | 503    |
      |                 |            |                                              | 503    |
      |                 |            |                                              | 503    |
      | Back, and done. |            |                                              |        |
    And a plan file "notes.yaml" driven by the model server:
      """
      name: demo/outage
      goal: Write notes
      resourceScopes: ["notes.txt"]
      """
    When I run `troupe plan run notes.yaml`
    Then the exit code is 1
    And the plan "demo/outage" is at (execute, failed)
    When I run `troupe plan status demo/outage`
    Then stdout shows `MODEL_UNAVAILABLE`
    When I run `troupe plan run demo/outage`
    Then the exit code is 0
    And the plan "demo/outage" is at (validate, complete)
