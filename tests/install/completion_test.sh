#!/usr/bin/env bash
# Completes a few command lines with the bash completion script and the built CLI.
# Usage: completion_test.sh DEPLOYSIM_BINARY SOURCE_DIR
set -euo pipefail
PATH=$(dirname "$1"):$PATH
# shellcheck source=/dev/null
source "$2/cli/completion/deploysim.bash"

complete_line() {
  COMP_WORDS=("$@")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMPREPLY=()
  _deploysim
  printf '%s\n' "${COMPREPLY[@]}"
}

expect() {
  local want=$1
  shift
  # Captured first: grep -q stops reading at the first match, and under pipefail the
  # writer's SIGPIPE would fail the check at random.
  local offered
  offered=$(complete_line "$@")
  if ! grep -qx -- "$want" <<<"$offered"; then
    echo "completing '$*' does not offer $want; got:"
    echo "$offered"
    exit 1
  fi
}

expect run deploysim r
expect grafana deploysim gr
expect --export deploysim run scenario.json --exp
expect --export-per-host deploysim run scenario.json --export-
expect --seed deploysim sweep x.json --se
expect prometheus deploysim grafana x.json --datasource pro
expect verify deploysim ver
expect --slow-quantile deploysim verify x.json --slow
expect skip_host deploysim verify x.json --fault-kind sk
if grep -qx validate <<<"$(complete_line deploysim r)"; then
  echo "'deploysim r' offers validate"
  exit 1
fi
echo "completion: OK"
