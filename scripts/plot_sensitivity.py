#!/usr/bin/python3
"""Draws the sensitivity indices of a Morris or Sobol sweep as a tornado chart (PNG).

Sobol: per indicator, horizontal bars of the first-order (S1) and total (ST) indices with
their bootstrap 95% intervals, the parameters sorted by ST. Morris: bars of mu* (the mean
absolute elementary effect) and sigma, sorted by mu*.

  gpumarket sweep-analyse results/mmc_sobol.h5 --csv > sobol.csv
  /usr/bin/python3 scripts/plot_sensitivity.py sobol.csv -o sobol.png
  /usr/bin/python3 scripts/plot_sensitivity.py results/mmc_sobol.h5 --only mean_wait_h -o wait.png
  gpumarket sweep-analyse results/mmc_sobol.h5 -o mmc_sobol.analysis.h5
  /usr/bin/python3 scripts/plot_sensitivity.py mmc_sobol.analysis.h5 -o sobol.png

Given a result file (.h5), it runs `gpumarket sweep-analyse --csv` on it (--gpumarket names the
binary; default: gpumarket on PATH), so that the indices have one implementation, the C++
one; given the analysis file of `gpumarket sweep-analyse RESULT.h5 -o ANALYSIS.h5`, it reads
that (with python3-h5py). Needs Debian's python3-matplotlib (/usr/bin/python3).
"""
import argparse
import csv
import io
import math
import shutil
import subprocess
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

MEASURES = {"sobol": ("S1", "ST"), "morris": ("mu_star", "sigma")}
LABELS = {"S1": "first order S1", "ST": "total ST", "mu_star": "mu*", "sigma": "sigma"}


def number(text):
    return float(text) if text else math.nan


def read_csv(text, source):
    """{indicator: (design, {parameter: {measure: (value, low, high)}})} from sweep-analyse's
    CSV, in the order of the file."""
    rows = list(csv.DictReader(io.StringIO(text)))
    expected = {"indicator", "design", "parameter", "measure", "value", "ci_low", "ci_high"}
    if not rows or not expected <= set(rows[0]):
        sys.exit(f"plot_sensitivity.py: error: {source}: not the CSV of `gpumarket sweep-analyse "
                 f"--csv` (columns {', '.join(sorted(expected))})")
    out = {}
    for row in rows:
        if not row["parameter"]:
            continue  # the noise share
        design, parameters = out.setdefault(row["indicator"], (row["design"], defaultdict(dict)))
        parameters[row["parameter"]][row["measure"]] = (
            number(row["value"]), number(row["ci_low"]), number(row["ci_high"]))
    return out


ANALYSIS_FORMAT = "gpumarket-sensitivity"


def read_analysis_file(path):
    """The same structure as read_csv from an analysis file, or None when `path` is not one
    (a sweep result) or h5py is missing."""
    try:
        import h5py
    except ImportError:
        return None
    with h5py.File(path, "r") as f:
        if not str(f.attrs.get("gpumarket_format", "")).startswith(ANALYSIS_FORMAT):
            return None
        design = str(f.attrs["design"])
        inputs = [name.decode() if isinstance(name, bytes) else name for name in f["input"][()]]
        out = {}
        for i, raw in enumerate(f["indicator"][()]):
            indicator = raw.decode() if isinstance(raw, bytes) else raw
            parameters = defaultdict(dict)
            for j, name in enumerate(inputs):
                for measure in MEASURES[design]:
                    low, high = f[f"{measure}_ci"][i, j]
                    parameters[name][measure] = (float(f[measure][i, j]), float(low), float(high))
            out[indicator] = (design, parameters)
        return out


def analyse(result, binary):
    found = binary or shutil.which("gpumarket")
    if not found:
        sys.exit("plot_sensitivity.py: error: no gpumarket on PATH to analyse "
                 f"{result}; pass --gpumarket or give sweep-analyse's CSV")
    run = subprocess.run([found, "sweep-analyse", result, "--csv"], capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(f"plot_sensitivity.py: error: {run.stderr.strip()}")
    return run.stdout


def draw(axis, indicator, design, parameters):
    first, second = MEASURES[design]
    names = sorted(parameters, key=lambda p: parameters[p].get(first if design == "morris"
                                                               else second, (0,))[0])
    height = 0.38
    for offset, measure in ((height / 2, first), (-height / 2, second)):
        values = [parameters[p].get(measure, (math.nan,) * 3) for p in names]
        centre = [v[0] for v in values]
        # Error bars where there are intervals (none with --bootstrap 0).
        error = None
        if any(not math.isnan(v[1]) for v in values):
            error = [[max(v[0] - v[1], 0) if not math.isnan(v[1]) else 0 for v in values],
                     [max(v[2] - v[0], 0) if not math.isnan(v[2]) else 0 for v in values]]
        axis.barh([i + offset for i in range(len(names))], centre, height, xerr=error,
                  capsize=3, label=LABELS[measure])
    axis.set_yticks(range(len(names)))
    axis.set_yticklabels(names)
    axis.axvline(0, color="black", linewidth=0.8)
    axis.set_title(f"{indicator} ({design})")
    axis.legend(loc="lower right", fontsize="small")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("input", help="sweep-analyse --csv output, or a sweep result (.h5)")
    parser.add_argument("--only", help="indicators to draw: name1,name2,... (default: all)")
    parser.add_argument("--gpumarket", help="the gpumarket binary for a .h5 input")
    parser.add_argument("-o", "--output", default="sensitivity.png", help="PNG file")
    args = parser.parse_args()
    analysis = read_analysis_file(args.input) if args.input.endswith(".h5") else None
    if analysis is not None:
        text = None
    elif args.input.endswith(".h5"):
        text = analyse(args.input, args.gpumarket)
    else:
        try:
            with open(args.input, encoding="utf-8") as f:
                text = f.read()
        except OSError as error:
            sys.exit(f"plot_sensitivity.py: error: {error}")
    if analysis is None:
        analysis = read_csv(text, args.input)
    wanted = args.only.split(",") if args.only else list(analysis)
    missing = [name for name in wanted if name not in analysis]
    if missing:
        sys.exit(f"plot_sensitivity.py: error: no indicator {', '.join(missing)} in "
                 f"{args.input} (indicators: {', '.join(analysis)})")
    figure, axes = plt.subplots(len(wanted), 1, squeeze=False,
                                figsize=(7, 1.2 + 0.6 * sum(len(analysis[n][1]) for n in wanted)))
    for axis, name in zip(axes[:, 0], wanted):
        draw(axis, name, *analysis[name])
    figure.tight_layout()
    figure.savefig(args.output, dpi=120)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
