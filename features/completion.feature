Feature: Shell completion
  troupe prints a completion script for bash, zsh or fish, made from the
  commands of the version that prints it; another shell is a usage error.

  Scenario Outline: The completion script of <shell>
    Given a directory that is not a git repository
    When I run `troupe completion <shell>`
    Then the exit code is 0
    And stdout shows `<registers>`
    And stderr is empty

    Examples:
      | shell | registers                                     |
      | bash  | complete -F _troupe troupe                    |
      | zsh   | compdef _troupe troupe                        |
      | fish  | complete -c troupe -f -a '(__troupe_complete)' |

  Scenario: A shell troupe has no script for
    Given a directory that is not a git repository
    When I run `troupe completion tcsh`
    Then the exit code is 2
    And stderr starts with `error[VALIDATION_ERROR]: command-argument value 'tcsh' is invalid for argument 'shell'`
    And stdout is empty
