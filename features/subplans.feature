Feature: A plan splits its work into child plans and merges their results back
  A `subplans` step spawns child plans. Each is a real plan in a sandbox of
  its own, branched from its parent's sandbox; they run one at a time, in
  parallel under a maxParallel cap, or in dependency order, and each result
  comes back into the parent by three-way merge.

  Background:
    Given a git project with src/core.ts and docs/guide.md

  Scenario: Children run in parallel and their results are merged into the parent
    Given a plan file "fan.yaml":
      """
      name: demo/fan
      goal: Add a header to every part
      strategy:
        steps:
          - title: One child per part
            subplans:
              mode: parallel
              maxParallel: 2
              entries:
                - goal: Header in core
                  resourceScopes: ["src/**"]
                  strategy: { steps: [ { title: Prepend, tool: shell/run, input: { command: "printf '// header\\n' | cat - src/core.ts > t && mv t src/core.ts" } } ] }
                - goal: Header in the guide
                  resourceScopes: ["docs/**"]
                  strategy: { steps: [ { title: Prepend, tool: shell/run, input: { command: "printf '<!-- header -->\\n' | cat - docs/guide.md > t && mv t docs/guide.md" } } ] }
      """
    When I run `troupe plan run fan.yaml`
    Then the exit code is 0
    And the plan is at (validate, complete)
    And the sandbox file "src/core.ts" contains:
      """
      // header
      // src/core.ts
      """
    And the sandbox file "docs/guide.md" contains:
      """
      <!-- header -->
      // docs/guide.md
      """
    When I run `troupe plan tree demo/fan`
    Then stdout shows `├─ demo/fan-1  apply · done  (complete, attempt 1)`
    And stdout shows `└─ demo/fan-2  apply · done  (complete, attempt 1)`
    When I run `troupe events demo/fan --tree`
    Then stdout has the events of demo/fan, demo/fan-1 and demo/fan-2 in time order, each naming its plan
    When I run `troupe plan logs demo/fan-1`
    Then stdout shows `── step 1 · shell/run · exit 0`
    And stdout shows `$ printf '// header\n' | cat - src/core.ts > t && mv t src/core.ts`
    When I run `troupe plan apply demo/fan`
    Then the exit code is 0
    And the project has one new commit, authored and committed by "troupe <troupe@localhost>"

  Scenario: A dependency-ordered child sees what the child it depends on wrote
    Given a plan file "ordered.yaml":
      """
      name: demo/ordered
      goal: Write then read
      strategy:
        steps:
          - title: In order
            subplans:
              mode: dependency-ordered
              entries:
                - name: demo/reader
                  goal: Copy the note
                  dependsOn: [demo/writer]
                  resourceScopes: ["copy.txt"]
                  strategy: { steps: [ { title: Copy, tool: shell/run, input: { command: "cp note.txt copy.txt" } } ] }
                - name: demo/writer
                  goal: Write the note
                  resourceScopes: ["note.txt"]
                  strategy: { steps: [ { title: Write, tool: fs/write-file, input: { path: note.txt, content: "hello\n" } } ] }
      """
    When I run `troupe plan run ordered.yaml`
    Then the exit code is 0
    And the sandbox file "copy.txt" contains:
      """
      hello
      """

  Scenario: A child that fails once is retried from the start and the plan goes on
    Given a service outside the sandbox that counts calls, reached with "$HOME/count-call <tag>"
    And a plan file "retry.yaml":
      """
      name: demo/retry
      goal: Survive a flaky step
      network: true
      strategy:
        steps:
          - title: Flaky child
            subplans:
              retries: 1
              entries:
                - goal: Fail the first time
                  resourceScopes: ["done.txt"]
                  strategy: { steps: [ { title: Flaky, tool: shell/run, input: { command: "test \"$($HOME/count-call flaky)\" -gt 1 || exit 1; echo ok > done.txt" } } ] }
      """
    When I run `troupe plan run retry.yaml`
    Then the exit code is 0
    And the plan is at (validate, complete)
    When I run `troupe plan tree demo/retry`
    Then stdout shows `demo/retry-1  apply · done  (complete, attempt 2)`

  Scenario: A child that runs past its timeout is stopped with its processes, and the plan fails
    Given a plan file "slow.yaml":
      """
      name: demo/slow
      goal: Take too long
      strategy:
        steps:
          - title: Slow child
            subplans:
              timeoutMs: 1000
              entries:
                - goal: Sleep
                  resourceScopes: ["x"]
                  strategy: { steps: [ { title: Sleep, tool: shell/run, input: { command: "exec sleep 30.0517" } } ] }
      """
    When I run `troupe plan run slow.yaml`
    Then the exit code is 1
    And the plan is at (execute, failed)
    And stdout shows `TIMEOUT`
    And no process runs "sleep 30.0517" any more

  Scenario Outline: With <policy>, a failing child <what happens to its sibling>
    Given a plan file "policy.yaml":
      """
      name: demo/policy
      goal: One child fails
      strategy:
        steps:
          - title: Two children
            subplans:
              mode: parallel
              failurePolicy: <policy>
              entries:
                - goal: Fail
                  resourceScopes: ["f"]
                  strategy: { steps: [ { title: Fail, tool: shell/run, input: { command: "sleep 1; exit 7" } } ] }
                - goal: Take a moment
                  resourceScopes: ["slow.txt"]
                  strategy: { steps: [ { title: Slow, tool: shell/run, input: { command: "sleep 2; echo slow > slow.txt" } } ] }
      """
    When I run `troupe plan run policy.yaml`
    Then the exit code is 1
    And the plan is at (execute, failed)
    When I run `troupe plan tree demo/policy`
    Then stdout shows `demo/policy-2  <sibling line>`

    Examples:
      | policy    | what happens to its sibling | sibling line                                     |
      | fail-fast | is cancelled                | execute · cancelled  (cancelled, attempt 1)      |
      | continue  | finishes and is merged      | apply · done  (complete, attempt 1)              |

  Scenario: Children that change the same lines wait for the user, who resolves and goes on
    Given a plan file "clash.yaml":
      """
      name: demo/clash
      goal: Two views of the core
      strategy:
        steps:
          - title: Two children
            subplans:
              mode: parallel
              entries:
                - goal: One way
                  resourceScopes: ["src/**"]
                  strategy: { steps: [ { title: Edit, tool: fs/write-file, input: { path: src/core.ts, content: "one way\n" } } ] }
                - goal: The other
                  resourceScopes: ["src/**"]
                  strategy: { steps: [ { title: Edit, tool: fs/write-file, input: { path: src/core.ts, content: "the other\n" } } ] }
      """
    When I run `troupe plan run clash.yaml`
    Then the exit code is 3
    And the plan is at (execute, waiting)
    And the open conflicts are "src/core.ts (content)"
    When I run `troupe plan resolve demo/clash src/core.ts --theirs`
    Then the exit code is 0
    When I run `troupe plan run demo/clash`
    Then the exit code is 0
    And the plan is at (validate, complete)
    And the sandbox file "src/core.ts" contains:
      """
      the other
      """

  Scenario: In a child plan's conflict, ours is the parent's sandbox and theirs the child, named
    Given a plan file "sides.yaml":
      """
      name: demo/sides
      goal: Two takes on the core
      strategy:
        steps:
          - title: Two children
            subplans:
              mode: parallel
              entries:
                - goal: First take
                  resourceScopes: ["src/**"]
                  strategy: { steps: [ { title: Edit, tool: fs/write-file, input: { path: src/core.ts, content: "first take\n" } } ] }
                - goal: Second take
                  resourceScopes: ["src/**"]
                  strategy: { steps: [ { title: Edit, tool: fs/write-file, input: { path: src/core.ts, content: "second take\n" } } ] }
      """
    When I run `troupe plan run sides.yaml`
    Then the exit code is 3
    And stderr shows `1 conflicting file merging demo/sides-2: src/core.ts`
    When I run `troupe plan conflicts demo/sides`
    Then stdout shows `demo/sides waits on 1 conflicting file in execute merging its child plan demo/sides-2:`
    And stdout shows `from demo/sides-2`
    And stdout shows `(ours: demo/sides's sandbox, theirs: the child plan demo/sides-2, --use: a file you edited)`
    When I run `troupe plan resolve demo/sides src/core.ts --theirs`
    Then stdout shows `resolved src/core.ts with theirs (the child plan demo/sides-2)`

  Scenario Outline: A malformed subplans block is refused before anything is written
    Given a plan file "bad.yaml":
      """
      <plan file>
      """
    When I run `troupe plan run bad.yaml`
    Then the exit code is 2
    And stderr starts with `error[VALIDATION_ERROR]: bad.yaml: <error>`
    And no plan was created
    And no sandbox was created

    Examples:
      | plan file                                                                                                                                                                                        | error                                                                                     |
      | {name: demo/x, goal: g, strategy: {steps: [{title: T, subplans: {entries: []}}]}}                                                                                                                | strategy.steps[0].subplans.entries: must list at least one child plan                    |
      | {name: demo/x, goal: g, strategy: {steps: [{title: T, subplans: {entries: [{goal: g}]}}]}}                                                                                                       | strategy.steps[0].subplans.entries[0].resourceScopes: a child plan needs resourceScopes or a project |
      | {name: demo/x, goal: g, strategy: {steps: [{title: T, subplans: {mode: dependency-ordered, entries: [{name: demo/a, goal: g, resourceScopes: [a], dependsOn: [demo/b]}]}}]}}                     | strategy.steps[0].subplans.entries[0].dependsOn[0]: "demo/b" is not the name of a sibling entry |
      | {name: demo/x, goal: g, strategy: {steps: [{title: T, subplans: {mode: dependency-ordered, entries: [{name: demo/a, goal: g, resourceScopes: [a], dependsOn: [demo/b]}, {name: demo/b, goal: g, resourceScopes: [b], dependsOn: [demo/a]}]}}]}} | strategy.steps[0].subplans.entries: dependency cycle: demo/a → demo/b → demo/a |
      | {name: demo/x, goal: g, strategy: {steps: [{title: T, subplans: {entries: [{goal: g, resourceScopes: ["../x"]}]}}]}}                                                                             | strategy.steps[0].subplans.entries[0].resourceScopes[0]: must not contain ".." segments |
      | {name: demo/x, goal: g, strategy: {steps: [{title: T, subplans: {retries: 11, entries: [{goal: g, resourceScopes: [a]}]}}]}}                                                                     | strategy.steps[0].subplans.retries: must be between 0 and 10                             |

  Scenario: A child of another registered project works there and is applied to it with the root plan
    Given a second git repository "docs-site" with README.md
    And I have run `troupe project add docs-site ../docs-site`
    And a plan file "multi.yaml":
      """
      name: demo/multi
      goal: Change the code and its documentation site
      strategy:
        steps:
          - title: Code and docs
            subplans:
              mode: parallel
              entries:
                - goal: Mark the core
                  resourceScopes: ["src/**"]
                  strategy: { steps: [ { title: Mark, tool: shell/run, input: { command: "echo '// marked' >> src/core.ts" } } ] }
                - goal: Write the release page
                  project: docs-site
                  strategy: { steps: [ { title: Page, tool: fs/write-file, input: { path: release.md, content: "# release\n" } } ] }
      """
    When I run `troupe plan run multi.yaml`
    Then the exit code is 0
    And the plan is at (validate, complete)
    And the sandbox has no file "release.md"
    And the repository "docs-site" has no file "release.md"
    When I run `troupe plan tree demo/multi`
    Then stdout shows `└─ demo/multi-2 [docs-site]  validate · complete  (complete, attempt 1)`
    When I run `troupe plan apply demo/multi`
    Then the exit code is 0
    And the project has one new commit, authored and committed by "troupe <troupe@localhost>"
    And the repository "docs-site" file "release.md" contains:
      """
      # release
      """

  Scenario: A child of a project nobody registered is refused before anything is written
    Given a plan file "unknown.yaml":
      """
      name: demo/unknown
      goal: Use a project that is not there
      strategy:
        steps:
          - title: Elsewhere
            subplans:
              entries:
                - goal: Write there
                  project: nowhere
      """
    When I run `troupe plan run unknown.yaml`
    Then the exit code is 2
    And stderr starts with `error[VALIDATION_ERROR]: unknown.yaml: strategy.steps[0].subplans.entries[0].project: no project named "nowhere" is registered`
    And there is a hint mentioning "troupe project add nowhere <path>"
    And no plan was created
