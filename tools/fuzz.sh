#!/usr/bin/env bash
# libFuzzer runs of the targets in tests/fuzz (clang, ASan + UBSan), in their own tree build/fuzz.
#   tools/fuzz.sh build                 configure and build build/fuzz
#   tools/fuzz.sh seeds                 rewrite the committed seed corpora tests/fuzz/corpus/<target>/
#   tools/fuzz.sh <target> [seconds]    fuzz one target (default 60 s): model_file, ranker_load, rank_request,
#                                       stored_events, item_index, json_value, catalog_index
#   tools/fuzz.sh all [seconds]         every target for that long each, VITRINE_JOBS (2) at a time (default 25 s)
# The committed corpus is only read: new inputs go to build/fuzz/work/<target>/. A crash is copied to
# tests/fuzz/regressions/<target>/ (commit it; tests/core/fuzz_regressions_test.cc replays it) and fails the run.
# Prints per target "fuzz <target>: <executions> executions, clean|CRASH" and last "fuzz: N passed, M failed,
# E executions".
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
dir=${VITRINE_FUZZ_BUILD:-$root/build/fuzz}
jobs=${VITRINE_JOBS:-2}
targets=(model_file ranker_load rank_request stored_events item_index json_value catalog_index)

build() {
  CXX=clang++ CC=clang cmake -S . -B "$dir" -DVITRINE_FUZZ=ON -DVITRINE_WERROR=ON -DVITRINE_USE_XNNPACK=OFF \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$dir.configure.log" 2>&1 || { cat "$dir.configure.log"; return 1; }
  cmake --build "$dir" -j "$jobs"
}

# fuzz_one <target> <seconds>: prints the executions on the last line of its output; returns 1 on a crash.
fuzz_one() {
  local target=$1 seconds=$2
  local exe="$dir/tests/fuzz/fuzz_$target" work="$dir/work/$target" artifacts="$dir/artifacts/$target/"
  local log="$dir/$target.log" dict=()
  mkdir -p "$work" "$artifacts"
  case $target in stored_events) dict=(-dict=tests/fuzz/json.dict) ;; esac
  # Leaks are bugs too (detect_leaks); -rss_limit_mb keeps a runaway allocation from taking the shared machine.
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
    "$exe" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$artifacts" "${dict[@]}" "$work" "tests/fuzz/corpus/$target" >"$log" 2>&1
  local rc=$?
  local execs
  execs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+).*/\1/p' "$log" | tail -1)
  local found=0
  for crash in "$artifacts"*; do
    [ -f "$crash" ] || continue
    found=1
    mkdir -p "tests/fuzz/regressions/$target"
    local name
    name="$(basename "$crash" | cut -d- -f1)-$(sha1sum "$crash" | cut -c1-12)"
    mv "$crash" "tests/fuzz/regressions/$target/$name"
    echo "!! fuzz $target: new crash input tests/fuzz/regressions/$target/$name"
  done
  if [ "$rc" -ne 0 ] || [ "$found" = 1 ]; then
    grep -E 'ERROR|SUMMARY|runtime error|#[0-9]+ 0x' "$log" | head -30
    echo "fuzz $target: ${execs:-0} executions, CRASH (log: $log)"
    return 1
  fi
  echo "fuzz $target: ${execs:-0} executions, clean"
  echo "${execs:-0}" >"$dir/$target.execs"
}

case "${1:-}" in
  build) build ;;
  seeds)
    build >/dev/null || exit 1
    for t in "${targets[@]}"; do mkdir -p "tests/fuzz/corpus/$t"; done
    "$dir/tests/fuzz/fuzz_seed_writer" tests/fuzz/corpus && ls tests/fuzz/corpus/*
    ;;
  all)
    seconds=${2:-25}
    build >"$dir.build.log" 2>&1 || { tail -40 "$dir.build.log"; echo "fuzz: 0 passed, ${#targets[@]} failed, 0 executions"; exit 1; }
    # Each fuzzer is one process on one core, so $jobs of them run side by side, each for its full time; their
    # reports print in the targets' order once all have ended. A target passed when it wrote its executions.
    for t in "${targets[@]}"; do
      rm -f "$dir/$t.execs"
      while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
      fuzz_one "$t" "$seconds" >"$dir/$t.report" 2>&1 &
    done
    wait
    p=0; f=0; total=0
    for t in "${targets[@]}"; do
      cat "$dir/$t.report"
      if [ -f "$dir/$t.execs" ]; then p=$((p + 1)); total=$((total + $(cat "$dir/$t.execs"))); else f=$((f + 1)); fi
    done
    echo "fuzz: $p passed, $f failed, $total executions"
    [ "$f" -eq 0 ]
    ;;
  model_file | ranker_load | rank_request | stored_events | item_index | json_value | catalog_index)
    build >"$dir.build.log" 2>&1 || { tail -40 "$dir.build.log"; exit 1; }
    fuzz_one "$1" "${2:-60}"
    ;;
  *)
    sed -n '2,11p' "$0"
    exit 2
    ;;
esac
