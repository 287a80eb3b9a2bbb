#!/usr/bin/python3
"""Draw a PNG dashboard of one or more gpumarket runs, overlaid.

Usage:
    /usr/bin/python3 scripts/dashboard.py out.png results/bull.h5 results/bear.h5 ...

Panels: price, capacity, daily active addresses, fee index and bridge volume over
calendar time, plus a table of the runs' provenance. Each run has one colour,
labelled by its file stem; within a panel, venues or bridges differ by line
style. A panel whose series a run does not record says so instead of failing,
so the script works on files from older and newer model versions alike (of the
file format it reads, FORMAT_VERSION).

Needs Debian's python3-h5py, python3-matplotlib and python3-numpy.

File layout (docs/output.md): root attributes gpumarket_format, start_date
("YYYY-MM-DD"), seed, scenario_file, program_version, complete; series
/<group>/<name> shaped [time] or [time x columns] with attributes units_label (the
unit as the model declares it), long_name and columns; /<group>/time is the time
axis of its group, in hours since start_date.
"""

import argparse
import sys
from pathlib import Path

import h5py
import matplotlib

matplotlib.use("Agg")  # files only: no display needed
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

# (title, candidate series in order of preference). The first candidate present
# in any run is drawn for all runs, so that one panel never mixes units.
PANELS = [
    ("Price", ["tick/price", "day/price"]),
    ("Capacity", ["tick/capacity_pf", "day/capacity_pf"]),
    ("Daily active addresses", ["day/daa", "tick/daa"]),
    ("Fee index", ["day/fee_index", "tick/fee_index"]),
    ("Bridge volume", ["day/bridge_volume_pfh", "tick/bridge_volume_pfh"]),
]

# Hourly series longer than this are drawn as daily means: over months, hourly
# noise turns each line into a band and hides the difference between runs.
DAILY_MEAN_AFTER_DAYS = 60

# The run-file format this script reads (root attribute gpumarket_format).
FORMAT_VERSION = "2"

LINE_STYLES = ["-", "--", ":", "-.", (0, (5, 1, 1, 1, 1, 1)), (0, (1, 3)), (0, (8, 2))]


class RunError(Exception):
    """A file that cannot be drawn; the message starts with its path."""


def decode(value):
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, np.ndarray) and value.shape == ():
        return decode(value[()])
    return value


class Run:
    """One results file: provenance and access to its series by "group/name"."""

    def __init__(self, path, label):
        self.path = Path(path)
        self.label = label
        if not self.path.exists():
            partial = Path(str(path) + ".partial")
            hint = f"; '{partial}' is the output of a run that did not finish" if partial.exists() else ""
            raise RunError(f"{path}: cannot open the results file: it does not exist{hint}.")
        try:
            self.file = h5py.File(self.path, "r")
        except OSError:
            raise RunError(f"{path}: cannot open the results file: it is not an HDF5 file.") from None
        attrs = self.file.attrs
        version = decode(attrs.get("gpumarket_format", "none"))
        if version != FORMAT_VERSION:
            raise RunError(
                f"{path}: cannot open the results file: its format version is '{version}', "
                f"but this script reads only format {FORMAT_VERSION}."
            )
        if int(attrs.get("complete", 0)) != 1:
            raise RunError(
                f"{path}: cannot open the results file: it is not marked complete, "
                "so the run that wrote it did not finish."
            )
        if "start_date" not in attrs:
            raise RunError(f"{path}: the file has no start_date attribute.")
        self.start = np.datetime64(decode(attrs["start_date"]), "s")

    def attribute(self, name, default="?"):
        return decode(self.file.attrs[name]) if name in self.file.attrs else default

    def has(self, key):
        group = key.split("/")[0]
        return key in self.file and f"{group}/time" in self.file

    def series(self, key):
        """Returns (dates, values [rows x columns], column names, units, description)."""
        group = key.split("/")[0]
        dataset = self.file[key]
        hours = np.asarray(self.file[f"{group}/time"][...], dtype=float).reshape(-1)
        values = np.asarray(dataset[...], dtype=float)
        if values.ndim == 1:
            values = values[:, None]
        rows = min(len(hours), values.shape[0])
        hours, values = hours[:rows], values[:rows]
        columns = [decode(c) for c in dataset.attrs.get("columns", [])]
        if len(columns) != values.shape[1]:
            columns = [f"column {i}" for i in range(values.shape[1])] if values.shape[1] > 1 else [""]
        units = decode(dataset.attrs.get("units_label", ""))
        description = decode(dataset.attrs.get("long_name", ""))
        return hours, values, columns, units, description

    def dates(self, hours):
        return self.start + (np.asarray(hours) * 3600.0).astype("timedelta64[s]")


def daily_means(hours, values):
    """Means over calendar days of hourly rows; NaN rows are ignored."""
    days = np.floor(hours / 24.0)
    unique, index = np.unique(days, return_inverse=True)
    sums = np.zeros((len(unique), values.shape[1]))
    counts = np.zeros_like(sums)
    finite = np.isfinite(values)
    np.add.at(sums, index, np.where(finite, values, 0.0))
    np.add.at(counts, index, finite)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = sums / counts
    return unique * 24.0 + 12.0, means


def labels_for(paths):
    """File stems; the paths themselves when two files share a stem."""
    stems = [Path(p).stem for p in paths]
    return stems if len(set(stems)) == len(stems) else [str(p) for p in paths]


def draw_panel(ax, title, candidates, runs, colors, raw):
    key = next((k for k in candidates if any(r.has(k) for r in runs)), None)
    if key is None:
        ax.set_title(title, loc="left", fontweight="bold")
        ax.text(0.5, 0.5, f"not in {'this run' if len(runs) == 1 else 'these runs'}\n"
                f"({' or '.join(candidates)})", ha="center", va="center", color="0.45",
                transform=ax.transAxes)
        ax.set_xticks([])
        ax.set_yticks([])
        return

    all_columns = []
    units = ""
    description = ""
    averaged = False
    absent = []
    positive = []  # positive values drawn, to choose a log scale for wide ranges
    for run, color in zip(runs, colors):
        if not run.has(key):
            absent.append(run.label)
            continue
        hours, values, columns, units, description = run.series(key)
        if not raw and key.startswith("tick/") and len(hours) and hours[-1] - hours[0] > 24 * DAILY_MEAN_AFTER_DAYS:
            hours, values = daily_means(hours, values)
            averaged = True
        dates = run.dates(hours)
        for j, column in enumerate(columns):
            if column not in all_columns:
                all_columns.append(column)
            style = LINE_STYLES[all_columns.index(column) % len(LINE_STYLES)]
            ax.plot(dates, values[:, j], color=color, linestyle=style, linewidth=1.4, alpha=0.85)
            column_values = values[:, j]
            positive.extend(column_values[np.isfinite(column_values) & (column_values > 0)])

    # A 150 PF pool beside 5 PF of marketplaces: spread over decades, a log scale keeps
    # every venue visible.
    if positive and max(positive) > 100 * min(positive):
        ax.set_yscale("log")
    subtitle = key + (" (daily mean)" if averaged else "")
    ax.set_title(title, loc="left", fontweight="bold")
    ax.set_title(subtitle, loc="right", fontsize=8, color="0.4")
    ax.set_ylabel(units or "(no unit)")
    ax.grid(True, color="0.9")
    locator = mdates.AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    if len(all_columns) > 1 or (all_columns and all_columns[0]):
        handles = [Line2D([], [], color="0.2", linestyle=LINE_STYLES[i % len(LINE_STYLES)], label=c)
                   for i, c in enumerate(all_columns)]
        ax.legend(handles=handles, fontsize=8, loc="best", title=None, framealpha=0.8)
    if absent:
        ax.text(0.5, 0.97, "not in: " + ", ".join(absent), transform=ax.transAxes, ha="center",
                va="top", fontsize=9, color="0.35",
                bbox=dict(boxstyle="round", facecolor="white", edgecolor="0.8"))
    if description:
        ax.set_xlabel(description, fontsize=8, color="0.4")


def draw_info(ax, runs, colors):
    ax.axis("off")
    ax.set_title("Runs", loc="left", fontweight="bold")
    rows = []
    for run in runs:
        rows.append([run.label, run.attribute("scenario_file"), str(run.attribute("seed")),
                     run.attribute("start_date"), run.attribute("program_version")])
    table = ax.table(cellText=rows, colLabels=["run", "scenario", "seed", "start", "version"],
                     loc="upper left", cellLoc="left", colLoc="left")
    table.auto_set_font_size(False)
    table.set_fontsize(8)
    table.auto_set_column_width(list(range(5)))
    for i, color in enumerate(colors):
        table[i + 1, 0].get_text().set_color(color)
        table[i + 1, 0].get_text().set_fontweight("bold")
    # The legend of the whole figure: one colour per run.
    ax.legend(handles=[Line2D([], [], color=c, linewidth=3, label=r.label) for r, c in zip(runs, colors)],
              loc="center left", fontsize=11, title="run (colour)", title_fontsize=10,
              ncol=1 + (len(runs) - 1) // 6, frameon=False)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("output", help="PNG file to write")
    parser.add_argument("runs", nargs="+", help="results files written by `gpumarket run`")
    parser.add_argument("--title", help="figure title (default: the run labels)")
    parser.add_argument("--raw", action="store_true",
                        help=f"draw hourly series as recorded, even over more than {DAILY_MEAN_AFTER_DAYS} days")
    args = parser.parse_args(argv)

    try:
        runs = [Run(path, label) for path, label in zip(args.runs, labels_for(args.runs))]
    except RunError as error:
        print(f"dashboard.py: error: {error}", file=sys.stderr)
        return 1

    colors = [plt.get_cmap("tab10")(i % 10) for i in range(len(runs))]
    fig, axes = plt.subplots(3, 2, figsize=(15, 11), constrained_layout=True)
    for ax, (title, candidates) in zip(axes.flat, PANELS):
        draw_panel(ax, title, candidates, runs, colors, args.raw)
    draw_info(axes.flat[len(PANELS)], runs, colors)

    fig.suptitle(args.title or "gpumarket: " + " vs ".join(r.label for r in runs), fontsize=14,
                 fontweight="bold")
    try:
        fig.savefig(args.output, dpi=110)
    except OSError as error:
        print(f"dashboard.py: error: {args.output}: cannot write the picture: {error.strerror}.",
              file=sys.stderr)
        return 1
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
