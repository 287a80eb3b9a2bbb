#!/usr/bin/env bash
# Regenerates the seed corpora in fuzz/corpus/ from the shipped and test scenarios, the sweep
# files and small result files written by a built gpumarket (default build/release). Seeds
# that a fuzzing run found (crash-*, regression inputs) live beside them and are kept.
#   fuzz/make_seed_corpus.sh [path/to/gpumarket]
set -euo pipefail
shopt -s nullglob
cd "$(dirname "$0")/.."
gpumarket=${1:-build/release/sim/cli/gpumarket}
corpus=fuzz/corpus

# scenario_loader_fuzzer: one input bundles a file and the parents it extends, each after a
# line "#--- <path relative to the main file>" (see the harness).
loader=$corpus/scenario_loader_fuzzer
mkdir -p "$loader"
bundle() {  # bundle <seed name> <main file> <dir of main> <parent paths relative to it...>
  local name=$1 main=$2 dir=$3
  shift 3
  {
    cat "$main"
    for parent in "$@"; do
      printf '#--- %s\n' "$parent"
      cat "$dir/$parent"
    done
  } >"$loader/$name"
}
bundle mmc scenarios/mmc.yaml scenarios
for policy in baseline bear bull; do
  parents=(world/central.yaml "policy/$policy.yaml")
  if [[ $policy != baseline ]]; then parents+=(policy/baseline.yaml); fi
  bundle "$policy" "scenarios/$policy.yaml" scenarios "${parents[@]}"
done
bundle optimistic scenarios/world/optimistic.yaml scenarios/world central.yaml
bundle chain tests/market/chain_scenario.yaml tests/market
bundle licence tests/market/licence_scenario.yaml tests/market
for bad in tests/corpus/bad_scenarios/*.yaml; do
  cp "$bad" "$loader/bad_$(basename "$bad" .yaml)"
done

# sweep_fuzzer: the harness places its input in scenarios/sweeps/.
sweep=$corpus/sweep_fuzzer
mkdir -p "$sweep"
cp scenarios/sweeps/mmc_grid.yaml scenarios/sweeps/policy_by_world.yaml "$sweep/"
sed 's#\.\./\.\./scenarios/#../#' tests/sweep/cluster_sweep.yaml >"$sweep/cluster_sweep.yaml"

# constraint_fuzzer: over the axes rate, servers (numeric) and policy (not).
constraint=$corpus/constraint_fuzzer
mkdir -p "$constraint"
printf '%s' 'rate < 1.0 * servers' >"$constraint/less"
printf '%s' '-(rate + 2) / servers >= 1e-3 * (servers - -rate)' >"$constraint/nested"
printf '%s' 'servers * 0.9 != rate' >"$constraint/not_equal"
printf '%s' 'policy == 1' >"$constraint/non_numeric"

# hdf5_reader_fuzzer: a short run's file and a small sweep's result.
hdf5=$corpus/hdf5_reader_fuzzer
mkdir -p "$hdf5"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$gpumarket" run scenarios/mmc.yaml -o "$work/run.h5" -q --seed 1 --set horizon=3h \
  --set warmup=1h --set tick=1h
cp "$work/run.h5" "$hdf5/run.h5"
cat >"$work/sweep.yaml" <<SWEEP
base: {extends: $PWD/scenarios/mmc.yaml, horizon: 3h, warmup: 1h, tick: 1h}
indicators: [mean_wait_h, utilisation]
axes:
  - {name: servers, path: venues.farm.servers, values: [3, 4]}
SWEEP
"$gpumarket" sweep "$work/sweep.yaml" -o "$work/sweep.h5" -q
cp "$work/sweep.h5" "$hdf5/sweep.h5"
du -sh "$corpus"/*

# Dictionaries: YAML punctuation and the key names of the shipped scenarios and sweeps.
yaml_tokens=(': ' '- ' '[' ']' '{' '}' ', ' '#' '&a ' '*a' '<<: ' '"' "'" '|' '>' '---' '~'
             'null' 'true' '.inf' '.nan' '1e308' '-1' '18446744073709551616' '2026-05-07'
             '15min' '1h' '30d' '#--- ')
dictionary() {  # dictionary <file> <yaml files...>
  local out=$1
  shift
  {
    printf '# YAML punctuation and values, then key names; fuzz/make_seed_corpus.sh writes it.\n'
    for token in "${yaml_tokens[@]}"; do printf '"%s"\n' "${token//\"/\\\"}"; done
    grep -ohE '^[[:space:]-]*[a-z_][a-z0-9_]*:|[{,] *[a-z_][a-z0-9_]*:' "$@" |
      sed -E 's/^[[:space:]{,-]*//; s/:$//' | sort -u | sed 's/.*/"&:"/'
  } >"$out"
}
dictionary fuzz/scenario_loader_fuzzer.dict scenarios/*.yaml scenarios/world/*.yaml \
  scenarios/policy/*.yaml tests/market/*.yaml
dictionary fuzz/sweep_fuzzer.dict scenarios/sweeps/*.yaml tests/sweep/*.yaml
# Sweep keys and values that no shipped sweep file uses.
printf '"%s"\n' common_random_numbers: keep_series: constraints: sample: latin_hypercube random \
  zip count: min: max: integer: venues.farm.servers segments.jobs.arrival_rate_per_hour \
  ../mmc.yaml ../world/central.yaml >>fuzz/sweep_fuzzer.dict
printf '"%s"\n' rate servers policy '<' '<=' '>' '>=' '==' '!=' '(' ')' '*' '/' '+' '-' \
  '1e-3' '0.5' >fuzz/constraint_fuzzer.dict
