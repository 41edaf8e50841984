#!/usr/bin/env bash
# Experiment throughput (docs/performance.md, "Experiments"):
#   1. 10,000 replicas of the Knight Capital replay on 2 threads (target: under 5 s);
#   2. the same 2,000 replicas on 1 and on 2 threads: the scaling ratio (target: at least 1.8);
#   3. a sweep of 100 grid points x 1,000 replicas of a 100-host rolling deploy: runs/s, and peak
#      memory at 100 and at 1,000 replicas per point (flat in the number of replicas).
# Usage: bench/experiment_bench.sh [path/to/deploysim]   (default: build/release/cli/deploysim)
set -euo pipefail
cd "$(dirname "$0")/.."
deploysim=${1:-build/release/cli/deploysim}
knight=scenarios/knight_capital_2012.json
rolling=bench/scenarios/rolling_100.json

# Wall seconds of a command, from a monotonic clock.
seconds() {
  local start end
  start=$(date +%s.%N)
  "$@" >/dev/null
  end=$(date +%s.%N)
  echo "$end - $start" | bc -l
}
# Peak resident memory of a command, in MiB (GNU time).
peak_mib() {
  /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -n 1 | awk '{printf "%.1f", $1 / 1024}'
}

knight_10k=$(seconds "$deploysim" sweep "$knight" --replicas 10000 --threads 2 --quiet)
printf 'knight replay, 10,000 replicas, 2 threads: %.2f s (%.0f runs/s)\n' \
  "$knight_10k" "$(echo "10000 / $knight_10k" | bc -l)"

one=$(seconds "$deploysim" sweep "$knight" --replicas 2000 --threads 1 --quiet)
two=$(seconds "$deploysim" sweep "$knight" --replicas 2000 --threads 2 --quiet)
printf 'knight replay, 2,000 replicas: 1 thread %.2f s, 2 threads %.2f s\n' "$one" "$two"

grid=(--param 'business.requests_per_host_per_s=1:1:100')
sweep=$(seconds "$deploysim" sweep "$rolling" "${grid[@]}" --replicas 1000 --threads 2 --quiet)
printf 'rolling_100 sweep, 100 points x 1,000 replicas, 2 threads: %.2f s (%.0f runs/s)\n' \
  "$sweep" "$(echo "100000 / $sweep" | bc -l)"
small=$(peak_mib "$deploysim" sweep "$rolling" "${grid[@]}" --replicas 100 --threads 2 --quiet)
large=$(peak_mib "$deploysim" sweep "$rolling" "${grid[@]}" --replicas 1000 --threads 2 --quiet)
printf 'peak memory: %s MiB at 100 replicas per point, %s MiB at 1,000\n' "$small" "$large"

printf 'ratio threads2/threads1: %.2f\n' "$(echo "$one / $two" | bc -l)"
