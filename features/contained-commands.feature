Feature: Every command a plan runs is contained by the operating system
  A plan's commands — shell/run steps, validate commands, command checks —
  run in a sandbox of their own: they may write only their worktree and a
  private /tmp, cannot see my project's working tree, troupe's store or the
  secrets in my home directory, get no network unless the plan asks for it
  (all of it, or the hosts it names),
  and leave nothing running behind them. So "my project is untouched until
  apply" and "everything is undoable" hold even when an agent's command is
  hostile.

  Background:
    Given a git project with src/a.ts
    And a file "target.txt" outside the project containing "original"

  Scenario: A command that writes outside its worktree fails with its own words, and nothing outside changes
    Given a plan file "escape.yaml":
      """
      name: demo/escape
      goal: Try to get out
      resourceScopes: ["x.txt"]
      strategy:
        steps:
          - title: Escape
            tool: shell/run
            input: { command: "echo pwned > /tmp/out.txt; echo pwned > ../ESCAPED.txt; echo pwned > ../outside/target.txt" }
      """
    When I run `troupe plan run escape.yaml`
    Then the exit code is 1
    And the plan is at (execute, failed)
    And stdout shows `TOOL_FAILED`
    When I run `troupe plan status demo/escape --json`
    Then the JSON output includes:
      """
      { "error": { "code": "TOOL_FAILED", "details": { "stderrTail": "/bin/sh: 1: cannot create ../ESCAPED.txt: Read-only file system\n/bin/sh: 1: cannot create ../outside/target.txt: Read-only file system\n" } } }
      """
    And the project has no file "ESCAPED.txt"
    And the file "target.txt" outside the project still contains "original"
    And the project is untouched

  Scenario: A command cannot read my project's untracked files or my SSH keys
    Given the project has an untracked file ".env" containing "API_TOKEN=project-secret"
    And my home directory has a file ".ssh/id_ed25519" containing "home-secret-key"
    And a plan file "peek.yaml":
      """
      name: demo/peek
      goal: Look around
      strategy:
        steps:
          - title: Peek
            tool: shell/run
            input: { command: "cat .env ~/.ssh/id_ed25519 > seen.txt 2>&1; ls -a . .troupe >> seen.txt 2>&1; true" }
      """
    When I run `troupe plan run peek.yaml`
    Then the exit code is 0
    And the sandbox file "seen.txt" does not contain "project-secret"
    And the sandbox file "seen.txt" does not contain "home-secret-key"
    And the sandbox file "seen.txt" does not contain "db"

  Scenario: No network unless the plan says network: true, and then plan explain says so
    Given a service outside the sandbox that counts calls, reached with "$HOME/count-call <tag>"
    And a plan file "offline.yaml":
      """
      name: demo/offline
      goal: Call a service
      strategy:
        steps:
          - title: Call
            tool: shell/run
            input: { command: "$HOME/count-call hello" }
      """
    And a plan file "online.yaml":
      """
      name: demo/online
      goal: Call a service
      network: true
      strategy:
        steps:
          - title: Call
            tool: shell/run
            input: { command: "$HOME/count-call hello > calls.txt" }
      """
    When I run `troupe plan run offline.yaml`
    Then the exit code is 1
    And the plan "demo/offline" is at (execute, failed)
    When I run `troupe plan run online.yaml`
    Then the exit code is 0
    And the sandbox file "calls.txt" contains:
      """
      1
      """
    When I run `troupe plan explain demo/online`
    Then stdout shows `Commands may use the network`

  Scenario: A plan that names its hosts reaches no other, and says what it refused
    Given a plan file "named.yaml":
      """
      name: demo/named
      goal: Reach out
      network:
        allow: [registry.npmjs.org]
      strategy:
        steps:
          - title: Reach out
            tool: shell/run
            input: { command: "curl -s -o /dev/null -w '%{http_code}' http://evil.example/ > answer.txt; curl -s --noproxy '*' --max-time 5 http://evil.example/ > /dev/null && echo ' reached' >> answer.txt || echo ' no route' >> answer.txt" }
      """
    When I run `troupe plan run named.yaml`
    Then the exit code is 0
    And the sandbox file "answer.txt" contains:
      """
      403 no route
      """
    And stdout shows `evil.example:80 (step 1) — not on the network allow-list`
    When I run `troupe plan explain demo/named`
    Then stdout shows `refused evil.example:80 in step 1`

  Scenario: Nothing a step starts keeps running after it
    Given a plan file "linger.yaml":
      """
      name: demo/linger
      goal: Leave something behind
      strategy:
        steps:
          - title: Linger
            tool: shell/run
            input: { command: "setsid sleep 30.0913 > /dev/null 2>&1 & nohup sleep 30.0913 > /dev/null 2>&1 &" }
      """
    When I run `troupe plan run linger.yaml`
    Then the exit code is 0
    And no process runs "sleep 30.0913" any more

  Scenario: Validate runs the project's tests with its installed dependencies and no network
    Given the project has an untracked file "node_modules/greeting/index.js" containing "module.exports = 'hello';"
    And the project's .troupe/config.json says:
      """
      { "sandbox": { "share": ["node_modules"] } }
      """
    And a plan file "tests.yaml":
      """
      name: demo/tests
      goal: Run the tests
      strategy: { steps: [] }
      validate:
        - run: node -e "if (require('greeting') !== 'hello') process.exit(1)"
      """
    When I run `troupe plan run tests.yaml`
    Then the exit code is 0
    And the plan is at (validate, complete)

  Scenario: troupe init shares the installed dependencies, and the plan's tests find them
    Given the project has an untracked file "node_modules/greeting/index.js" containing "module.exports = 'hello';"
    When I run `troupe init`
    Then the exit code is 0
    And stdout shows `sharing node_modules read-only with plans (sandbox.share in .troupe/config.json)`
    Given a plan file "tests.yaml":
      """
      name: demo/tests
      goal: Run the tests
      strategy: { steps: [] }
      validate:
        - run: node -e "if (require('greeting') !== 'hello') process.exit(1)"
      """
    When I run `troupe plan run tests.yaml`
    Then the exit code is 0
    And the plan is at (validate, complete)

  Scenario: A validate command that cannot find a package says how to share the project's dependencies
    Given the project has an untracked file "node_modules/greeting/index.js" containing "module.exports = 'hello';"
    And the project's .troupe/config.json says:
      """
      {}
      """
    And a plan file "tests.yaml":
      """
      name: demo/tests
      goal: Run the tests
      strategy: { steps: [] }
      validate:
        - run: node -e "require('greeting')"
      """
    When I run `troupe plan run tests.yaml`
    Then the plan is at (validate, failed)
    And there is a hint mentioning "'greeting' was not found: node_modules is not shared with the sandbox — add it to sandbox.share in .troupe/config.json"
    When I run `troupe doctor`
    Then the exit code is 0
    And stdout shows `! dependencies     node_modules is installed at the project root but not shared with plans`

  Scenario: Without bubblewrap a command fails SANDBOX_UNAVAILABLE, and troupe doctor says how to fix it
    Given the project's .troupe/config.json says:
      """
      { "sandbox": { "bwrap": "/nonexistent/bwrap" } }
      """
    And a plan file "step.yaml":
      """
      name: demo/step
      goal: Run one command
      strategy:
        steps:
          - title: Run
            tool: shell/run
            input: { command: "echo hi > hi.txt" }
      """
    When I run `troupe plan run step.yaml`
    Then the exit code is 1
    And the plan is at (execute, failed)
    And stdout shows `SANDBOX_UNAVAILABLE`
    And stdout shows `sudo apt-get install bubblewrap`
    When I run `troupe doctor`
    Then the exit code is 1
    And stdout shows `✗ bubblewrap`
    And stdout shows `fix: install bubblewrap`

  Scenario: troupe doctor checks what troupe needs
    When I run `troupe doctor --json`
    Then the exit code is 0
    And the JSON output includes:
      """
      { "ok": true }
      """
    When I run `troupe doctor`
    Then stdout shows `✓ bubblewrap`
    And stdout shows `✓ user namespaces`

  Scenario: Opting out runs commands unconfined, and every run says so
    Given the project's .troupe/config.json says:
      """
      { "sandbox": { "mode": "off" } }
      """
    And a plan file "off.yaml":
      """
      name: demo/off
      goal: Run unconfined
      strategy:
        steps:
          - title: Reach out
            tool: shell/run
            input: { command: "echo out > ../../../../outside/unconfined.txt" }
      """
    When I run `troupe plan run off.yaml`
    Then the exit code is 0
    And stderr shows `warning: commands run unconfined`
    And a file "unconfined.txt" was written outside the project
    When I run `troupe events demo/off`
    Then stdout shows `"type":"sandbox.unconfined"`
    When I run `troupe plan explain demo/off`
    Then stdout shows `Commands run unconfined`

  Scenario Outline: A sandbox setting it cannot use is refused, naming the field, and nothing is created
    Given the project's .troupe/config.json says:
      """
      <config>
      """
    And a plan file "plan.yaml":
      """
      name: demo/plan
      goal: Anything
      """
    When I run `troupe plan run plan.yaml`
    Then the exit code is 2
    And stderr shows `<message>`
    And troupe has no store in the project yet

    Examples:
      | config                                         | message                                                     |
      | { "sandbox": { "mode": "sometimes" } }         | sandbox.mode: must be "contained" (the default) or "off"     |
      | { "sandbox": { "hide": ["secrets"] } }         | sandbox.hide[0]: must be an absolute path or start with ~/  |
      | { "sandbox": { "share": ["../elsewhere"] } }   | sandbox.share[0]: must not contain ".." segments             |
      | { "sandbox": { "share": ["/usr/lib"] } }       | sandbox.share[0]: must be relative to the project root       |
      | { "sandbox": { "share": ["src"] } }            | sandbox.share[0]: "src" is tracked by git                    |
      | { "network": "yes" }                           | network: must be true, false, or { allow: [host names] }     |
      | { "network": { "allow": ["api.*.com"] } }      | network.allow[0]: "api.*.com": a wildcard may only come first |

  Scenario: A plan file whose network is not true, false or an allow-list is refused
    Given a plan file "net.yaml":
      """
      name: demo/net
      goal: Anything
      network: sometimes
      """
    When I run `troupe plan run net.yaml`
    Then the exit code is 2
    And stderr shows `network: must be true, false, or { allow: [host names] }`
    And no plan was created
