#!/usr/bin/env bash
# Installs the build to a temporary prefix, builds a consumer project against it with
# find_package(deploysim CONFIG), runs it, and runs the installed CLI on an installed scenario;
# then checks the man pages, bash completion and Python package are where docs/install.md says.
# Usage: install_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1
source=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix

cmake --install "$build" --prefix "$prefix" >"$work/install.log"

# The consumer project, built against the prefix only.
cmake -S "$source/tests/install/consumer" -B "$work/consumer" -G Ninja \
  -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$prefix" >"$work/configure.log" ||
  { cat "$work/configure.log"; exit 1; }
cmake --build "$work/consumer" >"$work/build.log" || { cat "$work/build.log"; exit 1; }
scenario=$prefix/share/deploysim/scenarios/knight_capital_2012.json
from_library=$("$work/consumer/consumer" "$scenario")
from_cli=$("$prefix/bin/deploysim" run "$scenario" --json)
echo "consumer: $from_library"

# The library and the installed CLI agree on the installed scenario.
/usr/bin/python3 - "$from_library" "$from_cli" <<'PY'
import json, sys
library = json.loads(sys.argv[1])
cli = json.loads(sys.argv[2])["summary"]
assert library == cli, (library, cli)
assert library["loss_usd"] > 4e8, library
PY

for page in deploysim deploysim-run deploysim-grafana deploysim-check; do
  test -s "$prefix/share/man/man1/$page.1" || { echo "missing man page $page.1"; exit 1; }
done
grep -qF -- '\-\-export' "$prefix/share/man/man1/deploysim-run.1" ||
  { echo "deploysim-run.1 lacks --export"; exit 1; }
test -s "$prefix/share/bash-completion/completions/deploysim" ||
  { echo "missing bash completion"; exit 1; }
if [[ -d $prefix/lib/python3/dist-packages/deploysim ]]; then
  PYTHONPATH=$prefix/lib/python3/dist-packages /usr/bin/python3 -c "
import deploysim, sys
r = deploysim.Scenario.load(sys.argv[1]).run()
assert r.summary['loss_usd'] > 4e8
print('python: loss', r.summary['loss_usd'])" "$scenario"
fi
echo "install: OK"
