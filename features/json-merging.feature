Feature: JSON files merge key by key and keep the project's layout
  When both the user and a plan changed a JSON file, apply merges it key by
  key: a key the plan added lands where the plan put it, the file keeps the
  user's layout, and a list both sides added to merges line by line like
  git when that is clean.

  Background:
    Given a git project
    And I have run `troupe init`

  Scenario: A word each side added to a cspell.json list merges cleanly
    Given I commit a change of "cspell.json" to the project:
      """
      {
        "version": "0.2",
        "words": [
          "autofix",
          "codemod",
          "esbuild",
          "memfs",
          "vitest"
        ]
      }
      """
    And a plan file "words.yaml":
      """
      name: demo/words
      goal: Teach the spell checker a word
      strategy:
        steps:
          - title: Add a word
            tool: fs/write-file
            input:
              path: cspell.json
              content: |
                {
                  "version": "0.2",
                  "words": [
                    "autofix",
                    "codemod",
                    "esbuild",
                    "memfs",
                    "typedoc",
                    "vitest"
                  ]
                }
      """
    And I have run `troupe plan run words.yaml`
    And I commit a change of "cspell.json" to the project:
      """
      {
        "version": "0.2",
        "words": [
          "autofix",
          "chokidar",
          "codemod",
          "esbuild",
          "memfs",
          "vitest"
        ]
      }
      """
    When I run `troupe plan apply demo/words`
    Then the exit code is 0
    And the project has one new commit, authored and committed by "troupe <troupe@localhost>"
    And the project file "cspell.json" contains:
      """
      {
        "version": "0.2",
        "words": [
          "autofix",
          "chokidar",
          "codemod",
          "esbuild",
          "memfs",
          "typedoc",
          "vitest"
        ]
      }
      """

  Scenario: A dependency the plan added keeps a comma-first package.json sorted and comma-first
    Given I commit a change of "package.json" to the project:
      """
      { "name": "app"
      , "version": "1.0.0"
      , "dependencies":
        { "abbrev": "~1.0.4"
        , "semver": "~1.1.2"
        }
      }
      """
    And a plan file "deps.yaml":
      """
      name: demo/deps
      goal: Add ini
      strategy:
        steps:
          - title: Add the dependency
            tool: fs/write-file
            input:
              path: package.json
              content: |
                { "name": "app"
                , "version": "1.0.0"
                , "dependencies":
                  { "abbrev": "~1.0.4"
                  , "ini": "~1.1.0"
                  , "semver": "~1.1.2"
                  }
                }
      """
    And I have run `troupe plan run deps.yaml`
    And I commit a change of "package.json" to the project:
      """
      { "name": "app"
      , "version": "1.1.0"
      , "dependencies":
        { "abbrev": "~1.0.4"
        , "semver": "~1.1.2"
        }
      }
      """
    When I run `troupe plan apply demo/deps`
    Then the exit code is 0
    And the project file "package.json" contains:
      """
      { "name": "app"
      , "version": "1.1.0"
      , "dependencies":
        { "abbrev": "~1.0.4"
        , "ini": "~1.1.0"
        , "semver": "~1.1.2"
        }
      }
      """
