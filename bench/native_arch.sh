#!/usr/bin/env bash
# What a -march=native build of the merchant CLI buys over the portable default, measured side by side:
# `vitrine eval` of the committed Diginetica model on the whole test split, and one epoch of `vitrine train` on the
# first 40,000 Diginetica training sessions, each run ROUNDS times (default 3), the builds taking turns.
#   portable            the default build (x86-64-v2), dense kernels chosen at run time (the widest this CPU runs)
#   portable, baseline  the same binary with VITRINE_DENSE_ISA=baseline: what a CPU without AVX2 gets
#   native              -DVITRINE_ARCH=native (build/native-march), runs only on CPUs like this one
# Prints the median seconds of each and the ratios to native. Needs ../shared/data/diginetica (says so if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
data=../shared/data/diginetica
rounds=${ROUNDS:-3}
if [ ! -f "$data/train_sessions.txt" ]; then
  echo "bench/native_arch.sh: $data is missing (the Diginetica sessions, see its PROVENANCE.md); nothing measured" >&2
  exit 1
fi
jobs=$(nproc)
cmake -S . -B build/native -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/native -j "$jobs" --target vitrine >/dev/null
cmake -S . -B build/native-march -DCMAKE_BUILD_TYPE=Release -DVITRINE_ARCH=native -DVITRINE_BUILD_TESTS=OFF >/dev/null
cmake --build build/native-march -j "$jobs" --target vitrine >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
head -n 40000 "$data/train_sessions.txt" >"$work/train40k.txt"

# run <env assignment or ""> <binary> <task>: prints the wall-clock seconds of one run
run() {
  local env_set=$1 bin=$2 task=$3 start end
  start=$(date +%s.%N)
  if [ "$task" = eval ]; then
    env $env_set "$bin" eval --train "$data/train_sessions.txt" --test "$data/test_examples.tsv" \
      --model models/diginetica/model.vtm --baselines none --json >"$work/out.json" 2>/dev/null
  else
    env $env_set "$bin" train --train "$work/train40k.txt" --out "$work/m.vtm" --epochs 1 --quiet
  fi
  end=$(date +%s.%N)
  echo "$end - $start" | bc
}

declare -A times
metrics=()
configs=("portable||build/native/models/vitrine" "portable, baseline|VITRINE_DENSE_ISA=baseline|build/native/models/vitrine"
         "native||build/native-march/models/vitrine")
for task in eval train; do
  for ((r = 0; r < rounds; ++r)); do
    for c in "${configs[@]}"; do
      IFS='|' read -r label env_set bin <<<"$c"
      seconds=$(run "$env_set" "$bin" "$task")
      times["$task|$label"]+="$seconds "
      [ "$task" = eval ] && metrics+=("$(node -e 'const m = Object.values(JSON.parse(
        require("fs").readFileSync(process.argv[1])).methods)[0]; console.log(`HR@20 ${m["hr@20"]} MRR@20 ${m["mrr@20"]}`)' \
        "$work/out.json")")
    done
  done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); rounds: $rounds; $(date -u +%FT%TZ)"
echo "portable build: $(build/native/models/vitrine --version)"
echo "native build:   $(build/native-march/models/vitrine --version)"
printf '%-22s %12s %12s\n' "" "eval (s)" "train (s)"
for c in "${configs[@]}"; do
  IFS='|' read -r label _ _ <<<"$c"
  printf '%-22s %12.2f %12.2f\n' "$label" "$(median <<<"${times["eval|$label"]}")" "$(median <<<"${times["train|$label"]}")"
done
for c in "${configs[@]:0:2}"; do
  IFS='|' read -r label _ _ <<<"$c"
  e=$(echo "$(median <<<"${times["eval|$label"]}") / $(median <<<"${times["eval|native"]}")" | bc -l)
  t=$(echo "$(median <<<"${times["train|$label"]}") / $(median <<<"${times["train|native"]}")" | bc -l)
  printf '%-22s eval %.2fx, train %.2fx the time of native\n' "$label" "$e" "$t"
done
echo "eval metrics of every run (a different summation order may change the last digits):"
printf '%s\n' "${metrics[@]}" | sort | uniq -c
