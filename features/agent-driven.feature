Feature: A coding agent works in a plan through troupe mcp
  An agent that speaks the Model Context Protocol drives a plan one tool
  call at a time. Every write, and every command that changes files, is a
  step of the plan: contained, committed in the plan's sandbox,
  checkpointed and recorded with the agent's reasons. A command that
  changes no file is a read: recorded and logged, with no step number or
  checkpoint. A call troupe refuses changes nothing; a command that fails
  is a result for the agent to read. My project is untouched until I apply
  the plan.

  Background:
    Given a git project with src/a.ts
    And a coding agent connected to troupe mcp in the project

  Scenario: The agent creates a plan, writes, runs a failing command, and I see every call and apply it
    When the agent calls plan_create with:
      """
      { "spec": { "name": "agent/greeting", "goal": "Add a greeting", "resourceScopes": ["src/**"], "validate": [{ "run": "test -f src/greeting.ts" }] } }
      """
    Then the tool answers without an error
    And the tool’s answer includes:
      """
      { "plan": { "name": "agent/greeting", "phase": "execute", "status": "waiting", "agentDriven": true } }
      """
    When the agent calls write_file with:
      """
      { "plan": "agent/greeting", "path": "src/greeting.ts", "content": "export const greeting = 'hi';\n", "rationale": "the module the goal asks for" }
      """
    Then the tool answers without an error
    And the tool’s answer includes:
      """
      { "created": true, "step": 1, "wrote": true }
      """
    When the agent calls run_command with:
      """
      { "plan": "agent/greeting", "command": "grep -q hello src/greeting.ts", "rationale": "does it say hello?" }
      """
    Then the tool answers without an error
    And the tool’s answer includes:
      """
      { "exitCode": 1, "kind": "read", "step": null, "read": 1, "wrote": false }
      """
    And the project has no file "src/greeting.ts"
    When I run `troupe plan explain agent/greeting`
    Then stdout shows `the module the goal asks for`
    And stdout shows `does it say hello?`
    When I run `troupe plan logs agent/greeting --read 1`
    Then the exit code is 0
    And stdout shows `$ grep -q hello src/greeting.ts`
    When I run `troupe plan finish agent/greeting`
    Then the exit code is 0
    And the plan "agent/greeting" is at (validate, complete)
    When I run `troupe plan apply agent/greeting`
    Then the exit code is 0
    And the project file "src/greeting.ts" contains:
      """
      export const greeting = 'hi';
      """

  Scenario: A call outside the plan's scopes or sandbox is refused, changes nothing, and the plan stays open
    When the agent calls plan_create with:
      """
      { "spec": { "name": "agent/careful", "goal": "Stay in src", "resourceScopes": ["src/**"] } }
      """
    And the agent calls write_file with:
      """
      { "plan": "agent/careful", "path": "README.md", "content": "overwritten\n" }
      """
    Then the tool answers error SCOPE_VIOLATION
    And the tool’s text mentions "the plan may write only src/**"
    When the agent calls delete_file with:
      """
      { "plan": "agent/careful", "path": "../../README.md" }
      """
    Then the tool answers error SANDBOX_ESCAPE
    When the agent calls write_file with:
      """
      { "plan": "agent/careful", "content": "no path" }
      """
    Then the tool answers error VALIDATION_ERROR
    And the tool’s text mentions "path"
    And the plan "agent/careful" is at (execute, waiting)
    And the project is untouched
    When the agent calls write_file with:
      """
      { "plan": "agent/careful", "path": "src/b.ts", "content": "export const b = 2;\n" }
      """
    Then the tool answers without an error

  Scenario: A plan file without strategy is open for an agent once I run it
    Given a plan file "agent.yaml":
      """
      name: agent/open
      goal: Let an agent do it
      resourceScopes: ["src/**"]
      """
    When I run `troupe plan run agent.yaml`
    Then the exit code is 3
    And the plan is at (execute, waiting)
    And stdout shows `troupe plan finish agent/open`
    When the agent calls write_file with:
      """
      { "plan": "agent/open", "path": "src/c.ts", "content": "export const c = 3;\n" }
      """
    Then the tool answers without an error
    And the sandbox file "src/c.ts" contains:
      """
      export const c = 3;
      """
