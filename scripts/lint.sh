#!/usr/bin/env bash
# Formatting (clang-format, .clang-format) and lint (clang-tidy, .clang-tidy) of the C++
# files under sim/, include/, tests/ and bench/. Prints every finding as file:line:col and
# exits non-zero if there is any.
#
#   scripts/lint.sh                 the files changed since a base (below)
#   scripts/lint.sh --all           every file
#   scripts/lint.sh FILE...         these files
#   options: --format-only, --tidy-only, -p BUILD_DIR (default build/ci), -j JOBS (default 2)
#
# The base of "changed": $LINT_BASE if set; else the merge-base of HEAD with origin/main
# (or main) when that is not HEAD itself, as on a branch; else, as on main in CI, the
# commit recorded in .ci/lint-base. Uncommitted and untracked files count as changed.
# clang-tidy runs on the changed .cpp files and on every .cpp that includes a changed
# header, and reports findings only in the changed files.
#
# clang-tidy needs a compilation database: BUILD_DIR/compile_commands.json (every preset
# writes one); the `ci` preset is configured if it is missing. Needs clang-format-14 and
# clang-tidy-14 (scripts/debian-packages.txt).
set -euo pipefail
from=$(pwd)
cd "$(dirname "$0")/.."
root=$(pwd -P)

mode=changed
do_format=1
do_tidy=1
build_dir=build/ci
jobs=2
explicit=()
while (($#)); do
  case $1 in
    --all) mode=all ;;
    --format-only) do_tidy=0 ;;
    --tidy-only) do_format=0 ;;
    -p) build_dir=$(cd "$from" && realpath -m "$2"); shift ;;
    -j) jobs=$2; shift ;;
    -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "lint: unknown option $1" >&2; exit 2 ;;
    *) mode=files; explicit+=("$1") ;;
  esac
  shift
done

pick() { for tool; do if command -v "$tool" >/dev/null; then echo "$tool"; return; fi; done
         echo "lint: none of $* found: run scripts/install-deps.sh" >&2; exit 2; }

is_cxx() { [[ $1 =~ ^(sim|include|tests|bench)/.*\.(cpp|hpp)$ ]]; }

# --- which files --------------------------------------------------------------------------
files=()
case $mode in
  all)
    mapfile -t files < <(git ls-files -- sim include tests bench) ;;
  files)
    for f in "${explicit[@]}"; do
      files+=("$(cd "$from" && realpath -m --relative-to="$root" "$f")")
    done ;;
  changed)
    base=${LINT_BASE:-}
    head=$(git rev-parse HEAD)
    if [[ -z $base ]]; then
      for ref in origin/main main; do
        if git rev-parse -q --verify "$ref^{commit}" >/dev/null; then
          mb=$(git merge-base HEAD "$ref" || true)
          if [[ -n $mb && $mb != "$head" ]]; then base=$mb; break; fi
        fi
      done
    fi
    if [[ -z $base && -f .ci/lint-base ]]; then
      base=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' .ci/lint-base | head -n1 | tr -d '[:space:]')
    fi
    if [[ -z $base ]] || ! git merge-base --is-ancestor "$base" HEAD 2>/dev/null; then
      echo "lint: no usable base commit (${base:-none}); linting every file" >&2
      mapfile -t files < <(git ls-files -- sim include tests bench)
      mode=all
    else
      echo "lint: files changed since $(git rev-parse --short "$base")"
      mapfile -t files < <({ git diff --name-only --diff-filter=d "$base" -- sim include tests bench
                             git ls-files --others --exclude-standard -- sim include tests bench
                           } | sort -u)
    fi ;;
esac
cxx=()
for f in "${files[@]}"; do if is_cxx "$f" && [[ -f $f ]]; then cxx+=("$f"); fi; done
if ((${#cxx[@]} == 0)); then echo "lint: no C++ files to check"; exit 0; fi
echo "lint: ${#cxx[@]} C++ file(s)"

status=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# --- clang-format -------------------------------------------------------------------------
if ((do_format)); then
  clang_format=$(pick clang-format-14 clang-format)
  if ! "$clang_format" --dry-run --Werror "${cxx[@]}" 2> "$tmp/format.log"; then
    grep -E '^[^ ].*: (error|warning):' "$tmp/format.log" | sed "s|^$root/||" ||
      cat "$tmp/format.log"
    echo "lint: clang-format: these lines need formatting: $clang_format -i FILE..."
    status=1
  else
    echo "lint: clang-format: clean"
  fi
fi

# --- clang-tidy ---------------------------------------------------------------------------
if ((do_tidy)); then
  clang_tidy=$(pick clang-tidy-14 clang-tidy)
  run_clang_tidy=$(pick run-clang-tidy-14 run-clang-tidy)
  if [[ ! -f $build_dir/compile_commands.json ]]; then
    echo "lint: no $build_dir/compile_commands.json; configuring the ci preset"
    cmake --preset ci >/dev/null
    build_dir=build/ci
  fi
  printf '%s\n' "${cxx[@]}" > "$tmp/selected"

  # Translation units: the selected .cpp files in the database, plus every .cpp that
  # includes a selected header directly or through other project headers.
  python3 - "$root" "$build_dir/compile_commands.json" "$tmp/selected" "$mode" \
    > "$tmp/units" <<'EOF'
import json, os, re, subprocess, sys
root, db, selected, mode = sys.argv[1:]
units = sorted({os.path.realpath(os.path.join(e["directory"], e["file"]))
                for e in json.load(open(db))})
# Not the generated build/*/sim/core/version.cpp.
units = [u for u in units
         if u.startswith(root + "/") and not u[len(root) + 1:].startswith("build/")]
rel = lambda p: os.path.relpath(p, root)
want = {l.strip() for l in open(selected) if l.strip()}
if mode == "all":
    print("\n".join(u for u in units if rel(u) in want)); sys.exit()
tracked = subprocess.run(["git", "ls-files", "sim", "include", "tests", "bench"], cwd=root,
                         capture_output=True, text=True, check=True).stdout.split()
sources = set(tracked) | {rel(u) for u in units} | want
includes = {}  # file -> project files it includes
for f in sources:
    if not f.endswith((".cpp", ".hpp")) or not os.path.exists(os.path.join(root, f)): continue
    deps = set()
    text = open(os.path.join(root, f)).read()
    for name in re.findall(r'^\s*#\s*include\s+"([^"]+)"', text, re.M):
        for d in (os.path.dirname(f), "include", "tests"):
            c = os.path.normpath(os.path.join(d, name))
            if os.path.exists(os.path.join(root, c)): deps.add(c); break
    includes[f] = deps
def reaches(f, seen):
    for d in includes.get(f, ()):
        if d in want: return True
        if d not in seen:
            seen.add(d)
            if reaches(d, seen): return True
    return False
print("\n".join(u for u in units if rel(u) in want or reaches(rel(u), set())))
EOF
  mapfile -t units < "$tmp/units"
  if ((${#units[@]} == 0)); then
    echo "lint: clang-tidy: no translation unit to check"
  else
    echo "lint: clang-tidy on ${#units[@]} translation unit(s) with $jobs job(s)"
    patterns=()
    # shellcheck disable=SC2016  # the sed expression is meant literally
    for u in "${units[@]}"; do
      patterns+=("^$(printf '%s' "$u" | sed 's/[.[\*^$()+?{|]/\\&/g')\$")
    done
    start=$SECONDS
    tidy_rc=0
    "$run_clang_tidy" -clang-tidy-binary "$(command -v "$clang_tidy")" -p "$build_dir" \
      -j "$jobs" -quiet -extra-arg=-Wno-unknown-warning-option "${patterns[@]}" \
      > "$tmp/tidy.log" 2>&1 || tidy_rc=$?
    echo "lint: clang-tidy took $((SECONDS - start)) s"
    # Deduplicate (a header's finding comes once per unit that includes it), keep the
    # findings in the selected files (all files with --all), print them with their code.
    python3 - "$root" "$tmp/tidy.log" "$tmp/selected" "$mode" "$tidy_rc" <<'EOF' || status=1
import collections, os, re, sys
root, log, selected, mode, rc = sys.argv[1:]
want = {l.strip() for l in open(selected) if l.strip()}
text = re.sub(r"\x1b\[[0-9;]*m", "", open(log, errors="replace").read())
head = re.compile(r"^(/[^:]+):(\d+):(\d+): (warning|error): (.*?)(?: \[([^\]]+)\])?$")
noise = re.compile(r"^(\S*clang-tidy\S* |\d+ (warning|error)s? .*generated|Suppressed \d+|"
                   r"Use -header-filter|Error while processing|Found compiler error)")
findings, current, raw = {}, None, 0
crashed = re.search(r"terminated by signal|Stack dump:|PLEASE submit a bug report", text)
for line in text.splitlines():
    m = head.match(line)
    if m:
        raw += 1
        path, ln, col, _, msg, check = m.groups()
        path = os.path.relpath(os.path.realpath(path), root)
        check = ",".join(c for c in (check or "clang-diagnostic-error").split(",")
                         if c != "-warnings-as-errors")
        keep = (path in want or (mode == "all" and not path.startswith(".."))
                or check == "clang-diagnostic-error")
        key = (path, int(ln), int(col), check, msg)
        current = None
        if keep and key not in findings: current = findings[key] = []
    elif noise.match(line):
        current = None
    elif current is not None and line.strip():
        current.append(line)  # its code and fix-it, and its notes with their code
for (path, ln, col, check, msg), lines in sorted(findings.items()):
    print(f"{path}:{ln}:{col}: error: {msg} [{check}]")
    for l in lines: print("    " + l)
if findings:
    print(f"\nlint: clang-tidy: {len(findings)} finding(s), by check:")
    for c, n in collections.Counter(k[3] for k in findings).most_common(): print(f"  {n:5d}  {c}")
    print("by directory:")
    for d, n in sorted(collections.Counter(os.path.dirname(k[0]) for k in findings).items()):
        print(f"  {n:5d}  {d}")
    sys.exit(1)
if crashed or (rc != "0" and (mode == "all" or raw == 0)):
    print(f"lint: clang-tidy failed (exit {rc}) with no finding to show:\n{text[-4000:]}")
    sys.exit(1)
print("lint: clang-tidy: clean")
EOF
  fi
fi

if ((status)); then echo "lint: FAILED" >&2; else echo "lint: passed"; fi
exit $status
