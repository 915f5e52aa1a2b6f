#!/usr/bin/env bash
# Runs every Vitrine test suite: installs what is missing, builds native, sanitizer and wasm, then runs
#   native   Catch2 via ctest (Release, -O3, the portable CPU baseline x86-64-v2, warnings are errors)
#   targets  the library and the CLI compiled and linked, not run, for other CPUs, warnings are errors, so that a
#            warning only one -march shows fails here before it fails on a contributor's machine. On x86-64 hosts
#            (VITRINE_CHECK_TARGETS overrides): x86-64 (the oldest x86-64 CPUs), icelake-server (AVX-512) and
#            aarch64 (64-bit ARM, cross-compiled with Debian's g++-aarch64-linux-gnu, without XNNPACK)
#   asan     the same Catch2 suite under AddressSanitizer + UndefinedBehaviorSanitizer (Debug), leaks checked
#   fuzz     each libFuzzer target of tests/fuzz for VITRINE_FUZZ_SECONDS (default 20) with clang (tools/fuzz.sh)
#   wasm     the same Catch2 suite compiled to wasm, run under Node by ctest
#   js       Node's built-in test runner over tests/js (the package and the wasm engine under Node)
#   browser  headless Chromium driven by playwright-core over tests/browser
# Prints the pass and fail counts of every suite and exits non-zero if any suite fails or runs no test.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
jobs=${VITRINE_JOBS:-$(nproc)}
logdir="$root/build/test-logs"

tools/setup.sh || { echo "setup failed"; exit 1; }
# Ninja for new build trees (a tree keeps the generator it was made with): it compiles a library's dependents while
# the library is still building, where CMake's makefiles wait for it; on two cores that keeps both busy.
export CMAKE_GENERATOR=${CMAKE_GENERATOR:-Ninja}
mkdir -p "$logdir"

declare -a names=() passed=() failed=()
overall=0

say() { printf '\n==> [%4ds] %s\n' "$SECONDS" "$*"; }  # seconds since the start: where a run's time goes

record() {  # record <suite> <passed> <failed> <exit code>
  local suite=$1 p=${2:-0} f=${3:-0} rc=$4
  names+=("$suite"); passed+=("$p"); failed+=("$f")
  if [ "$rc" -ne 0 ] || [ "$f" -ne 0 ] || [ "$p" -eq 0 ]; then
    overall=1
    [ "$p" -eq 0 ] && echo "!! suite $suite ran no passing test"
    [ "$rc" -ne 0 ] && echo "!! suite $suite exited with $rc"
  fi
}

# ctest_suite <suite> <build dir>: runs ctest and records counts from its summary line
# "N% tests passed, F tests failed out of T".
ctest_suite() {
  local suite=$1 dir=$2 log="$logdir/$1.log"
  say "$suite: running ctest in $dir"
  ctest --test-dir "$dir" --output-on-failure -j "$jobs" 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  local line total f
  line=$(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -1)
  total=$(sed -E 's/.*out of ([0-9]+).*/\1/' <<<"$line")
  f=$(sed -E 's/.*passed, ([0-9]+) tests? failed.*/\1/' <<<"$line")
  record "$suite" "$(( ${total:-0} - ${f:-0} ))" "${f:-0}" "$rc"
}

# node_suite <suite> <dir> [node args...]: runs node --test and records "# pass N" / "# fail N".
node_suite() {
  local suite=$1 dir=$2; shift 2
  local log="$logdir/$suite.log"
  say "$suite: node --test $dir"
  VITRINE_WASM_BUILD="$root/build/wasm" node --test "$@" "$dir" 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  record "$suite" "$(sed -nE 's/^# pass ([0-9]+)$/\1/p' "$log" | tail -1)" \
    "$(sed -nE 's/^# fail ([0-9]+)$/\1/p' "$log" | tail -1)" "$rc"
}

build() {  # build <suite> <build dir> <configure command...>; $only: the CMake targets to build (default: all)
  local suite=$1 dir=$2; shift 2
  say "$suite: configure and build in $dir"
  if ! "$@" -S . -B "$dir" -DVITRINE_WERROR=ON -DVITRINE_BUILD_TESTS=ON >"$logdir/$suite-configure.log" 2>&1; then
    cat "$logdir/$suite-configure.log"; return 1
  fi
  cmake --build "$dir" -j "$jobs" ${only:+--target $only} >"$logdir/$suite-build.log" 2>&1
  local rc=$?
  grep -E 'error|warning' "$logdir/$suite-build.log" | head -50
  [ "$rc" -eq 0 ] || echo "!! $suite build failed (exit $rc); full log: $logdir/$suite-build.log"
  return "$rc"
}

if build native build/native cmake -DCMAKE_BUILD_TYPE=Release; then
  ctest_suite native build/native
else record native 0 1 1; fi

# targets: passed = targets that compiled clean. Only objects and links: the suite above runs the code. The CLI
# target pulls in every library a merchant builds (core, trainer, evaluator, image model); the test programs, which
# run in the native, asan and wasm suites, are left out to keep the whole run within its time budget.
default_targets=""
[ "$(uname -m)" = x86_64 ] && default_targets="x86-64 icelake-server aarch64"
target_ok=0; target_bad=0
for target in ${VITRINE_CHECK_TARGETS-$default_targets}; do
  if [ "$target" = aarch64 ]; then
    target_args=(-DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake -DVITRINE_USE_XNNPACK=OFF)
  else target_args=(-DVITRINE_ARCH="$target"); fi
  if only=vitrine build "target-$target" "build/target-$target" cmake -DCMAKE_BUILD_TYPE=Release "${target_args[@]}"; then
    target_ok=$((target_ok + 1))
  else target_bad=$((target_bad + 1)); fi
done
[ $((target_ok + target_bad)) -eq 0 ] || record targets "$target_ok" "$target_bad" 0

if build asan build/asan cmake -DCMAKE_BUILD_TYPE=Debug -DVITRINE_SANITIZE=ON -DVITRINE_BUILD_TOOLS=OFF; then
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 ctest_suite asan build/asan
else record asan 0 1 1; fi

# fuzz: passed = targets that ran clean; the executions go into the log and the summary.
say "fuzz: ${VITRINE_FUZZ_SECONDS:-20} s per target (tools/fuzz.sh all)"
tools/fuzz.sh all "${VITRINE_FUZZ_SECONDS:-20}" 2>&1 | tee "$logdir/fuzz.log"
fuzz_rc=${PIPESTATUS[0]}
fuzz_line=$(grep -E '^fuzz: [0-9]+ passed' "$logdir/fuzz.log" | tail -1)
fuzz_execs=$(sed -nE 's/.* ([0-9]+) executions$/\1/p' <<<"$fuzz_line")
record fuzz "$(sed -nE 's/^fuzz: ([0-9]+) passed.*/\1/p' <<<"$fuzz_line")" \
  "$(sed -nE 's/.* ([0-9]+) failed.*/\1/p' <<<"$fuzz_line")" "$fuzz_rc"

if build wasm build/wasm emcmake cmake -DCMAKE_BUILD_TYPE=Release; then
  ctest_suite wasm build/wasm
  wasm_ok=1
else record wasm 0 1 1; wasm_ok=0; fi

node_suite js tests/js/
if [ "$wasm_ok" = 1 ]; then
  node_suite browser tests/browser/ --test-concurrency=1
else record browser 0 1 1; fi

say "summary"
total_p=0; total_f=0
printf '%-10s %8s %8s\n' suite passed failed
for i in "${!names[@]}"; do
  printf '%-10s %8s %8s\n' "${names[$i]}" "${passed[$i]}" "${failed[$i]}"
  total_p=$((total_p + passed[i])); total_f=$((total_f + failed[i]))
done
echo "fuzz executions: ${fuzz_execs:-0}"
echo "$total_p passed, $total_f failed"
exit "$overall"
