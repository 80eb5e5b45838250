#!/usr/bin/env bash
# Times `edlc check`, `edlc plan` and `edlc fmt --check` on a generated
# 10,000-line project (bench/gen_large_project.py), best and median of N
# runs, against the 0.5 s budget for `edlc check` (issue: compiler spine).
# Usage: bench/check_time.sh [LINES] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
lines="${1:-10000}"
runs="${2:-15}"
edlc=build/tools/edlc/edlc
out=bench/out
mkdir -p "$out/data"
python3 bench/gen_large_project.py "$lines" "$out/large.edl"
"$edlc" fmt "$out/large.edl"   # time fmt --check on already formatted text

time_cmd() {  # prints best and median wall seconds of $runs runs
  local samples=()
  for _ in $(seq "$runs"); do
    local start end
    start=$(date +%s.%N)
    "$@" >/dev/null 2>&1 || true
    end=$(date +%s.%N)
    samples+=("$(echo "$end - $start" | bc -l)")
  done
  printf '%s\n' "${samples[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.3f %.3f\n", a[1], a[int((NR+1)/2)]}'
}

budget=0.5
printf '%-18s %8s %8s %14s %10s\n' "command" "best s" "median s" "lines/s" "budget"
for cmd in check plan "fmt --check"; do
  read -r best median < <(time_cmd "$edlc" $cmd "$out/large.edl")
  rate=$(echo "$lines / $median" | bc -l)
  if [ "$cmd" = check ]; then ratio=$(printf '%.2fx' "$(echo "$median / $budget" | bc -l)"); else ratio="-"; fi
  printf '%-18s %8s %8s %14.0f %10s\n' "edlc $cmd" "$best" "$median" "$rate" "$ratio"
done
echo "budget column: median of 'edlc check' as a fraction of the 0.5 s target (below 1.00x meets it)"
