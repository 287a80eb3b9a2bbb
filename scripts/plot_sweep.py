#!/usr/bin/python3
"""Draws an indicator of a sweep result to PNG.

One axis: a line per value of --by (or one line), with the mean over replications and a 95%
confidence band (Student t). Two axes: a heat map of the mean over replications.

  /usr/bin/python3 scripts/plot_sweep.py results/mmc_grid.h5 mean_wait_h --x rate --by servers -o wait.png
  /usr/bin/python3 scripts/plot_sweep.py results/mmc_grid.h5 utilisation --x rate --y servers -o util.png

Rows that are not done are left out; other axes than the ones named are averaged over, with a
warning. Reads the file with the gpumarket Python package (python/ in the source tree, or
installed); needs Debian's python3-h5py, python3-h5netcdf, python3-xarray, python3-pandas and
python3-matplotlib (/usr/bin/python3).
"""
import argparse
import sys
from collections import defaultdict
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

# Two-sided 95% Student t quantiles for 1..30 degrees of freedom; 1.96 beyond.
T95 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179,
       2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064,
       2.060, 2.056, 2.052, 2.048, 2.045, 2.042]


def t95(dof):
    return T95[dof - 1] if dof <= len(T95) else 1.96


def load(path):
    """The axes and indicators of a sweep file by name (in their own types), the units label of
    each indicator, and which rows are done."""
    try:
        ds = gm.open_sweep(path)
    except (OSError, gm.FormatError) as error:
        sys.exit(f"plot_sweep.py: error: {error}")
    axes = {name: ds[name].values for name in gm.sweep_axes(ds)}
    names = gm.sweep_indicators(ds)
    indicators = {name: ds[name].values for name in names}
    units = {name: str(ds[name].attrs.get("units_label", "")) for name in names}
    done = ds["status"].values == "done"
    return axes, indicators, units, done


def sort_key(v):
    return (0, float(v)) if not isinstance(v, str) else (1, v)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("result")
    p.add_argument("indicator")
    p.add_argument("--x", required=True, help="axis along x")
    p.add_argument("--y", help="second axis: draws a heat map")
    p.add_argument("--by", help="axis whose values get one line each (line plot only)")
    p.add_argument("-o", "--output", default="sweep.png")
    a = p.parse_args()

    axes, indicators, units, done = load(a.result)
    for name in [a.x, a.y, a.by]:
        if name is not None and name not in axes:
            sys.exit(f"{a.result}: no axis '{name}' (axes: {', '.join(axes)})")
    if a.indicator not in indicators:
        sys.exit(f"{a.result}: no indicator '{a.indicator}' (indicators: {', '.join(indicators)})")
    named = {a.x, a.y, a.by} - {None}
    if set(axes) - named:
        print(f"warning: averaging over axes {', '.join(sorted(set(axes) - named))}", file=sys.stderr)
    values = indicators[a.indicator]

    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=120)
    if a.y is None:
        groups = defaultdict(lambda: defaultdict(list))
        for i in np.flatnonzero(done):
            key = axes[a.by][i] if a.by else None
            groups[key][axes[a.x][i]].append(values[i])
        for key in sorted(groups, key=lambda k: sort_key(k) if k is not None else (0, 0)):
            xs = sorted(groups[key], key=sort_key)
            mean = np.array([np.mean(groups[key][x]) for x in xs])
            half = np.array([t95(len(groups[key][x]) - 1) * np.std(groups[key][x], ddof=1) /
                             np.sqrt(len(groups[key][x])) if len(groups[key][x]) > 1 else 0
                             for x in xs])
            shown = key if isinstance(key, str) else f"{key:g}" if key is not None else ""
            label = f"{a.by} = {shown}" if a.by else a.indicator
            line, = ax.plot(xs, mean, marker="o", ms=3, label=label)
            ax.fill_between(xs, mean - half, mean + half, color=line.get_color(), alpha=0.25)
        ax.set_xlabel(a.x)
        ax.set_ylabel(f"{a.indicator} ({units[a.indicator]})" if units[a.indicator] else a.indicator)
        ax.set_title(f"{a.indicator}: mean and 95% CI over replications")
        ax.legend(fontsize="small")
        ax.grid(alpha=0.3)
    else:
        cells = defaultdict(list)
        for i in np.flatnonzero(done):
            cells[(axes[a.x][i], axes[a.y][i])].append(values[i])
        xs = sorted({k[0] for k in cells}, key=sort_key)
        ys = sorted({k[1] for k in cells}, key=sort_key)
        grid = np.full((len(ys), len(xs)), np.nan)
        for (x, y), v in cells.items():
            grid[ys.index(y), xs.index(x)] = np.mean(v)
        im = ax.imshow(grid, origin="lower", aspect="auto", cmap="viridis")
        ax.set_xticks(range(len(xs)), [f"{x:g}" if not isinstance(x, str) else x for x in xs])
        ax.set_yticks(range(len(ys)), [f"{y:g}" if not isinstance(y, str) else y for y in ys])
        for r in range(len(ys)):
            for c in range(len(xs)):
                if not np.isnan(grid[r, c]):
                    ax.text(c, r, f"{grid[r, c]:.3g}", ha="center", va="center", fontsize=7,
                            color="white" if grid[r, c] < np.nanmean(grid) else "black")
        fig.colorbar(im, ax=ax, label=f"{a.indicator} ({units[a.indicator]})" if units[a.indicator] else a.indicator)
        ax.set_xlabel(a.x)
        ax.set_ylabel(a.y)
        ax.set_title(f"{a.indicator}: mean over replications")
    fig.tight_layout()
    fig.savefig(a.output)
    print(f"wrote {a.output}")


if __name__ == "__main__":
    main()
