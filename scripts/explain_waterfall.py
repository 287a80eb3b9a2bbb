#!/usr/bin/python3
"""Draws the attribution of `gpumarket explain` as waterfalls to PNG.

One panel per indicator: a bar from 0 to A's mean, one floating bar per group from the running
sum to the running sum plus its Shapley contribution (green up, red down) with its 95%
interval as an error bar, and a bar to B's mean; the contributions add up to B - A.

  /usr/bin/python3 scripts/explain_waterfall.py results/a-vs-b.explain/explain.h5 -o why.png
  /usr/bin/python3 scripts/explain_waterfall.py explain.h5 -o why.png --indicator utilisation

Reads the file with the gpumarket Python package (python/ in the source tree, or installed);
needs Debian's python3-h5py, python3-h5netcdf, python3-xarray and python3-matplotlib
(/usr/bin/python3).
"""
import argparse
import sys
from pathlib import Path

# The package beside the scripts: python/ in the source tree, share/gpumarket/python installed.
_PACKAGE = Path(__file__).resolve().parent.parent / "python"
if (_PACKAGE / "gpumarket").is_dir():
    sys.path.insert(0, str(_PACKAGE))

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import gpumarket as gm  # noqa: E402


def draw(axis, ds, indicator):
    """One indicator's waterfall on `axis`."""
    row = ds.sel(indicator=indicator)
    groups = [str(g) for g in ds["group"].values]
    a, b = float(row["a_mean"]), float(row["b_mean"])
    # The levels A, A + φ_1, ..., B, with the intervals' ends: the axis spans these (not 0),
    # so that contributions small against the level stay visible; A and B stand on its floor.
    levels = [a]
    for group in groups:
        step = row.sel(group=group)
        levels += [levels[-1] + float(step["contribution"]),
                   levels[-1] + float(step["ci_low"]), levels[-1] + float(step["ci_high"])]
    levels = [x for x in levels + [b] if np.isfinite(x)]
    span = max(levels) - min(levels)
    pad = 0.15 * span if span > 0 else max(abs(a), 1.0) * 0.05
    floor = min(levels) - pad
    labels, bottoms, heights, colours, errors = ["A"], [floor], [a - floor], ["0.5"], [None]
    level = a
    for group in groups:
        step = row.sel(group=group)
        value = float(step["contribution"])
        labels.append(group)
        bottoms.append(level)
        heights.append(value)
        colours.append("tab:green" if value >= 0 else "tab:red")
        errors.append((value - float(step["ci_low"]), float(step["ci_high"]) - value))
        level += value
    labels.append("B")
    bottoms.append(floor)
    heights.append(b - floor)
    colours.append("0.3")
    errors.append(None)
    positions = range(len(labels))
    axis.bar(positions, heights, bottom=bottoms, color=colours, width=0.7)
    for x, bottom, height, error in zip(positions, bottoms, heights, errors):
        if error is not None:
            top = bottom + height
            axis.errorbar(x, top, yerr=[[error[0]], [error[1]]], color="black", capsize=3,
                          linewidth=1)
    # Connectors from each bar's end to the next bar's start.
    ends = [bottom + height for bottom, height in zip(bottoms, heights)]
    for x in range(len(labels) - 1):
        axis.plot([x + 0.35, x + 0.65], [ends[x], ends[x]], color="0.6", linewidth=0.8)
    axis.set_ylim(floor, max(levels) + pad)
    axis.set_xticks(list(positions))
    axis.set_xticklabels(labels, rotation=30, ha="right", fontsize=8)
    unit = str(row["units"].values)
    axis.set_ylabel(f"{indicator} [{unit}]" if unit else indicator)
    axis.set_title(f"{indicator}: A {a:.4g} -> B {b:.4g} "
                   f"({int(row['replications'])} replications)", fontsize=9)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", help="explain.h5, as gpumarket explain writes it")
    parser.add_argument("-o", "--output", required=True, help="PNG to write")
    parser.add_argument("--indicator", action="append", default=[],
                        help="an indicator to draw (repeatable; default: every one in the file)")
    args = parser.parse_args()
    try:
        ds = gm.open_explain(args.file)
    except (OSError, gm.FormatError) as error:
        sys.exit(f"explain_waterfall.py: error: {error}")
    present = [str(i) for i in ds["indicator"].values]
    chosen = args.indicator or present
    missing = [name for name in chosen if name not in present]
    if missing:
        sys.exit(f"explain_waterfall.py: error: --indicator {', '.join(missing)}: not in "
                 f"{args.file} (it has: {', '.join(present) or 'none'})")
    if not chosen:
        sys.exit(f"explain_waterfall.py: error: {args.file} attributes no indicator")
    figure, axes = plt.subplots(len(chosen), 1, figsize=(max(6, 1.1 * (ds.sizes["group"] + 2)),
                                                         3.6 * len(chosen)), squeeze=False)
    for axis, indicator in zip(axes[:, 0], chosen):
        draw(axis, ds, indicator)
        print(f"indicator: {indicator}")
    method = ds.attrs.get("method", "")
    if method == "sampled":
        method += f", {ds.attrs.get('permutations')} orders"
    figure.suptitle(f"{ds.attrs.get('scenario_a')} -> {ds.attrs.get('scenario_b')}: Shapley "
                    f"contributions ({method}), 95% intervals", fontsize=10)
    figure.tight_layout()
    figure.savefig(args.output, dpi=110)


if __name__ == "__main__":
    main()
