# Sourced by the cluster sweep tests. same_points A B: whether two sweep result files hold the
# same points table bit for bit: every variable at the root (docs/sweeps.md, "The result"),
# /timing (wall times) and /provenance (paths) left out. The row dimension scale is compared
# by its values: its REFERENCE_LIST attribute holds file addresses, which differ between two
# equal tables.
same_points() {
  local name
  for name in $(h5ls "$1" | awk '$2 == "Dataset" {print $1}'); do
    if [[ $name == row ]]; then
      cmp -s <(h5dump -A 0 -d /row "$1" | tail -n +2) <(h5dump -A 0 -d /row "$2" | tail -n +2) ||
        { echo "/row differs between $1 and $2"; return 1; }
    else
      h5diff -q "$1" "$2" "/$name" "/$name" || { echo "/$name differs between $1 and $2"; return 1; }
    fi
  done
}
