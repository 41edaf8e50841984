#!/usr/bin/env bash
# Builds the .deb with CPack and checks what it holds.
# Usage: deb_test.sh BUILD_DIR
set -euo pipefail
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$1" && cpack -G DEB -B "$work" >"$work/cpack.log") || { cat "$work/cpack.log"; exit 1; }
deb=$(ls "$work"/deploysim_*.deb)
info=$(dpkg-deb --info "$deb")
grep -q "Package: deploysim" <<<"$info"
# The CLI opens libcurl at run time (--export influx=URL), which dpkg-shlibdeps cannot see.
grep -q "Depends:.*libcurl4" <<<"$info" || { echo "the .deb does not depend on libcurl4"; exit 1; }
dpkg-deb --contents "$deb" >"$work/contents"
for path in ./usr/bin/deploysim ./usr/lib/.*cmake/deploysim/deploysimConfig.cmake \
  ./usr/include/deploysim/simulation/simulation.hpp \
  ./usr/share/deploysim/scenarios/knight_capital_2012.json \
  ./usr/share/man/man1/deploysim-run.1 ./usr/share/bash-completion/completions/deploysim; do
  grep -q " $path\$" "$work/contents" || { echo "the .deb lacks $path"; exit 1; }
done
echo "deb: $(basename "$deb") OK"
