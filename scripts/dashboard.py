#!/usr/bin/python3
"""Draw a PNG dashboard of gpumarket runs and ensembles for reading.

Usage:
    /usr/bin/python3 scripts/dashboard.py out.png results/bear.h5 [more runs or ensembles ...]
        [--panels prices,capacity,daa,bridges,fees,utilisation,headline] [--log-prices]
        [--quartiles]

Run files (`gpumarket run FILE`) of one scenario (same scenario file and overrides, different
seeds) are replications: each line is their mean and the shaded band their 5-95 % range.
An ensemble file (`gpumarket run FILE --replications N`, `compare A B --replications N`) is
drawn from its bands (/bands/tick, /bands/day): the median line and the 5-95 % band of the
replications (--quartiles: and a darker 25-75 % band). Ensembles have no daily bands of
hourly series, so a panel that draws a run's hourly series as daily means draws an
ensemble's hourly quantiles averaged per day, and says so; a daily sum (bridge volume) is
drawn as the mean of the replications' daily sums, without a band. Runs and ensembles may be
mixed; files of different scenarios are overlaid, one line style each. Colours are venues
(or bridges), fixed by the order of the venues in the files, the same in every panel. Every
time panel marks the scenario's timeline steps (numbered, listed under the figure) and
shades the DAA windows (indicators.daa_before/daa_after). Prices are clipped where they
spike, saying how many points lie above the axis; --log-prices draws them on a log axis
instead. Sums over a day are labelled "daily sum" and use the headline table's units
(PF*h/day for bridges).

Prints the title of each panel it drew, then the file it wrote. Reads the files with the
gpumarket Python package (python/ in the source tree, or installed); needs Debian's
python3-h5py, python3-h5netcdf, python3-xarray, python3-pandas and python3-matplotlib
(python3-yaml for an ensemble's timeline marks).
"""

import argparse
import sys
from pathlib import Path

# The package beside the scripts: python/ in the source tree, share/gpumarket/python installed.
_PACKAGE = Path(__file__).resolve().parent.parent / "python"
if (_PACKAGE / "gpumarket").is_dir():
    sys.path.insert(0, str(_PACKAGE))

import h5py  # noqa: E402
import matplotlib  # noqa: E402

matplotlib.use("Agg")  # files only: no display needed
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

import gpumarket as gm  # noqa: E402

# Hourly series over more than this are drawn as daily means: over months, hourly noise
# turns each line into a band and hides the differences that matter.
DAILY_AFTER_DAYS = 60
# A price axis ends at CLIP_FACTOR times the 99th percentile of the prices drawn when the
# highest one lies beyond that: a single spike would otherwise flatten every other venue.
CLIP_FACTOR = 1.5
CASE_STYLES = ["-", "--", ":", "-."]
VENUE_COLOURS = plt.get_cmap("tab10")
BRIDGE_COLOURS = plt.get_cmap("Dark2")
WINDOW_COLOURS = {"daa_before": "tab:blue", "daa_after": "tab:orange"}
# The outer and inner bands of an ensemble: quantiles of the file's `quantile` dimension
# (docs/output.md, "Ensemble bands").
OUTER_BAND, INNER_BAND, MEDIAN = (0.05, 0.95), (0.25, 0.75), 0.5
# The headline table `gpumarket run` prints (sim/cli/commands.cpp, print_headline); DAA
# names start with indicators.daa_venue.
HEADLINE = ["decentralized_price_index_usd_per_pfh", "fee_index_usd_per_pfh",
            "licensed_fee_index_usd_per_pfh", "{venue}_daa_before", "{venue}_daa_after",
            "{venue}_daa_change", "bridge_volume_before_pfh_per_day",
            "bridge_volume_after_pfh_per_day", "state_share", "decentralized_share",
            "public_chain_served_pfh", "priced_out_share", "jobs_completed", "mean_wait_h",
            "mean_queue_length", "utilisation"]


class Run:
    """One run file: its tick, day and summary groups and the dates it records."""

    kind = "run"

    def __init__(self, path):
        self.path = Path(path)
        self.tick = gm.open_run(path, "tick")
        self.day = gm.open_run(path, "day")
        self.summary = gm.open_run(path, "summary")
        self.windows = gm.indicator_windows(self.tick)
        self.timeline = gm.timeline(self.tick)
        overrides = self.tick.attrs.get("overrides", [])
        overrides = [overrides] if isinstance(overrides, str) else list(overrides)
        self.case = (str(self.tick.attrs.get("scenario_file", "")), tuple(overrides))
        self.label = case_label(self.case[0], overrides)
        self.replications = 1

    def has(self, group, name):
        return name in getattr(self, group)

    def has_summary(self, name):
        return name in self.summary

    def summary_values(self, name):
        return [float(self.summary[name])] if name in self.summary else []

    def summary_unit(self, name):
        return str(self.summary[name].attrs.get("units_label", "")) if name in self.summary else ""


class Ensemble:
    """One ensemble file: the bands of its tick and day groups, its points table (one row
    per replication, with every summary value) and the dates of its scenario."""

    kind = "ensemble"

    def __init__(self, path):
        self.path = Path(path)
        self.table = gm.open_sweep(path)
        groups, provenance = bands_and_provenance(path)
        self.tick = gm.open_bands(path, "tick") if "tick" in groups else xr.Dataset()
        self.day = gm.open_bands(path, "day") if "day" in groups else xr.Dataset()
        # /bands' `replications`: the replications that finished, which the bands are over.
        self.replications = int(self.tick.attrs.get("replications",
                                                     self.table.attrs.get("replications", 0)))
        # The ensemble file keeps the resolved scenario, not the run file's attributes: the
        # same dates as a run's, read from it.
        self.tick.attrs.update(scenario_dates(provenance.get("base_scenario", "")))
        self.windows = gm.indicator_windows(self.tick)
        self.timeline = gm.timeline(self.tick)
        overrides = overrides_of(provenance.get("sweep_file", ""))
        self.case = ("ensemble", str(self.path))
        self.label = case_label(provenance.get("sweep_path", self.path.name), overrides)

    def has(self, group, name):
        return f"{name}_mean" in getattr(self, group)

    def has_summary(self, name):
        return name in self.table

    def summary_values(self, name):
        """The replications' values of a summary indicator: the points table's rows that
        finished."""
        if name not in self.table:
            return []
        return self.table[name].values[self.table.status.values == "done"].astype(float).tolist()

    def summary_unit(self, name):
        return str(self.table[name].attrs.get("units_label", "")) if name in self.table else ""


def bands_and_provenance(path):
    """An ensemble file's band groups and its /provenance texts (base_scenario, sweep_file,
    sweep_path), which gm.open_sweep leaves out."""
    with h5py.File(path, "r") as f:
        groups = set(f["bands"].keys()) if "bands" in f else set()
        stored = f["provenance"] if "provenance" in f else {}
        texts = {k: stored[k][()] for k in ("base_scenario", "sweep_file", "sweep_path")
                 if k in stored}
    return groups, {k: v.decode("utf-8") if isinstance(v, bytes) else str(v)
                    for k, v in texts.items()}


def case_label(scenario_file, overrides):
    return Path(scenario_file).stem + "".join(f" {o}" for o in overrides)


def overrides_of(sweep_file):
    """The --set overrides of an ensemble: `gpumarket run --replications` appends them to the
    scenario's text as `# --set <override>` lines (sim/sweep/ensemble.cpp, ensemble_spec)."""
    return [line[len("# --set "):] for line in sweep_file.splitlines()
            if line.startswith("# --set ")]


def scenario_dates(text):
    """A resolved scenario's timeline steps and indicator dates as a run file's provenance
    attributes (timeline_dates, timeline_labels, indicators.*), for gm.timeline and
    gm.indicator_windows. Without python3-yaml: none (no marks, no DAA windows)."""
    try:
        import yaml
    except ImportError:
        print("dashboard.py: note: no python3-yaml: an ensemble's timeline steps and DAA "
              "windows are not drawn", file=sys.stderr)
        return {}
    tree = (yaml.safe_load(text) if text else None) or {}
    steps = [s for s in tree.get("timeline") or [] if isinstance(s, dict) and "date" in s]
    attributes = {"timeline_dates": [str(s["date"]) for s in steps],
                  "timeline_labels": [f"{s['date']} {s.get('name', '')}".strip() for s in steps]}
    indicators = tree.get("indicators") or {}
    if "daa_venue" in indicators:
        attributes["indicators.daa_venue"] = [str(indicators["daa_venue"])]
    for key in ("daa_before", "daa_after"):
        window = indicators.get(key)
        if isinstance(window, dict) and "from" in window and "to" in window:
            attributes[f"indicators.{key}"] = [str(window["from"]), str(window["to"])]
    if "bridge_split" in indicators:
        attributes["indicators.bridge_split"] = [str(indicators["bridge_split"])]
    return attributes


def open_source(path):
    """A Run or an Ensemble, told apart by the file's format attributes."""
    kind = gm.file_kind(path)
    if kind == "run":
        return Run(path)
    if kind == "ensemble":
        return Ensemble(path)
    points = gm.open_sweep(path).attrs.get("points_total", "?")
    raise gm.FormatError(
        f"{path}: is a sweep result of {points} point{'s' if points != 1 else ''} without "
        "ensemble bands (/bands): the dashboard draws run files and ensembles (`gpumarket run "
        "FILE --replications N`, without --no-bands); draw a sweep with scripts/plot_sweep.py, "
        "or read it with gpumarket.open_sweep")


class Case:
    """Runs of one scenario (replications of it when there are several), or one ensemble."""

    def __init__(self, sources, label, style):
        self.sources, self.label, self.style = sources, label, style
        self.ensemble = sources[0] if sources[0].kind == "ensemble" else None
        self.replications = self.ensemble.replications if self.ensemble else len(sources)

    def summary_values(self, name):
        return [v for source in self.sources for v in source.summary_values(name)]

    def describe(self, quartiles=False):
        """How its lines are drawn, for the legend and the printout."""
        if self.ensemble:
            inner = ", darker 25-75 %" if quartiles else ""
            return f"median, 5-95 %{inner} over {self.replications} replications"
        if self.replications > 1:
            return f"{self.replications} replications: mean, 5-95 % band"
        return f"seed {self.sources[0].tick.attrs.get('seed')}"


def cases_of(sources):
    grouped = {}
    for source in sources:
        grouped.setdefault(source.case, []).append(source)
    return [Case(members, members[0].label, CASE_STYLES[i % len(CASE_STYLES)])
            for i, members in enumerate(grouped.values())]


class Series:
    """A series as a panel draws it: group and name, and how a run's hourly series is
    resampled (None: as it is, daily means past DAILY_AFTER_DAYS; "mean": daily means;
    "sum": daily sums), summed over the column axis `total` first when given."""

    def __init__(self, group, name, how=None, total=None):
        self.group, self.name, self.how, self.total = group, name, how, total

    def resampled(self, ds):
        return self.group == "tick" and (self.how is not None or long_run(ds))


def interval_starts(ds):
    """The start of each row's interval: a run file's time_bnds; an ensemble's bands have no
    bounds, but the run's time (each interval's end) on its regular ticks."""
    if "time_bnds" in ds:
        return ds.time_bnds.isel(nv=0).values
    time = ds.time.values
    step = time[1] - time[0] if len(time) > 1 else np.timedelta64(1, "h")
    return time - step


def daily(da, starts, how):
    """`da` by days, each row counted in the day its interval starts. Read into memory first:
    resampling a lazy array reads the file once per day."""
    days = da.load().assign_coords(time=starts).resample(time="1D")
    return days.sum(min_count=1) if how == "sum" else days.mean()


def long_run(ds):
    time = ds.time.values
    return len(time) > 1 and (time[-1] - time[0]) > np.timedelta64(DAILY_AFTER_DAYS, "D")


def run_values(run, series):
    ds = getattr(run, series.group)
    if series.name not in ds:
        return None
    da = ds[series.name].load()
    if series.total:
        da = da.sum(series.total)
    if series.resampled(ds):
        return daily(da, interval_starts(ds), series.how or "mean")
    return da


def ensemble_values(ensemble, series):
    """(mean, quantiles) of an ensemble's series, resampled as a run's would be. Quantiles are
    None where the file's bands cannot give them: the replications' quantiles of a sum (over
    a column axis or over a day's hours) are not the sum of their quantiles. The mean is:
    the mean of a sum is the sum of the means."""
    ds = getattr(ensemble, series.group)
    if not ensemble.has(series.group, series.name):
        return None
    mean = ds[f"{series.name}_mean"].load()
    quantile = ds[f"{series.name}_quantile"].load()
    if series.total:
        mean, quantile = mean.sum(series.total, min_count=1), None
    if series.resampled(ds):
        how = series.how or "mean"
        starts = interval_starts(ds)
        mean = daily(mean, starts, how)
        # Averaged per day, the hourly quantiles stay quantiles of hours (the note says so).
        quantile = None if how == "sum" or quantile is None else daily(quantile, starts, "mean")
    return mean, quantile


def stacked(case, series):
    """The series of every run of the case along a new dimension `run`."""
    arrays = [a for a in (run_values(run, series) for run in case.sources) if a is not None]
    if not arrays:
        return None
    return xr.concat(arrays, dim="run", join="outer", coords="minimal", compat="override")


def band(ax, x, low, high, colour, alpha, gid):
    ax.fill_between(x, low, high, color=colour, alpha=alpha, linewidth=0, gid=gid)


def artist_id(case, series, label, statistic):
    """The gid of a line or band: "<case>|<series>|<label>|<statistic>", statistic one of
    mean, median, 5-95, 25-75; for reading the figure back (tests/python/dashboard_test.py)."""
    return f"{case.label}|{series.name}|{'' if label is None else label}|{statistic}"


def draw_ensemble(ax, case, series, dim, colour_of, quartiles, drawn, labels):
    """An ensemble's median and bands per label of `dim` (its mean where it has no band)."""
    values = ensemble_values(case.ensemble, series)
    if values is None:
        return
    mean, quantile = values
    for label in (mean[dim].values if dim else [None]):
        pick = (lambda a: a.sel({dim: label})) if dim else (lambda a: a)
        colour, gid = colour_of(label), artist_id(case, series, label, "")
        x = mean.time.values
        if quantile is None:
            ax.plot(x, pick(mean).values, color=colour, linestyle=case.style, linewidth=1.3,
                    gid=gid + "mean")
            drawn.append(pick(mean).values)
        else:
            at = lambda q: pick(quantile.sel(quantile=q)).values  # noqa: E731
            ax.plot(x, at(MEDIAN), color=colour, linestyle=case.style, linewidth=1.3,
                    gid=gid + "median")
            band(ax, x, at(OUTER_BAND[0]), at(OUTER_BAND[1]), colour, 0.2, gid + "5-95")
            if quartiles:
                band(ax, x, at(INNER_BAND[0]), at(INNER_BAND[1]), colour, 0.3, gid + "25-75")
            drawn += [at(MEDIAN), at(OUTER_BAND[1])]
        if label is not None and label not in labels:
            labels.append(label)


def draw_runs(ax, case, series, dim, colour_of, drawn, labels):
    """Runs' mean per label of `dim` and, for replications, their 5-95 % band."""
    da = stacked(case, series)
    if da is None:
        return
    mean = da.mean("run")
    replicated = da.sizes["run"] > 1
    if replicated:
        low, high = da.quantile(0.05, dim="run"), da.quantile(0.95, dim="run")
    for label in (mean[dim].values if dim else [None]):
        pick = (lambda a: a.sel({dim: label})) if dim else (lambda a: a)
        colour = colour_of(label)
        x = mean.time.values
        ax.plot(x, pick(mean).values, color=colour, linestyle=case.style, linewidth=1.3,
                gid=artist_id(case, series, label, "mean"))
        drawn.append(pick(mean).values)
        if replicated:
            band(ax, x, pick(low).values, pick(high).values, colour, 0.2,
                 artist_id(case, series, label, "5-95"))
            drawn.append(pick(high).values)
        if label is not None and label not in labels:
            labels.append(label)


def draw_lines(ax, ctx, series, dim, colour_of):
    """Draws every case's lines and bands of the series. Returns the values drawn (for the
    axis limits) and the labels in colour order."""
    drawn, labels = [], []
    for case in ctx.cases:
        if case.ensemble:
            draw_ensemble(ax, case, series, dim, colour_of, ctx.quartiles, drawn, labels)
        else:
            draw_runs(ax, case, series, dim, colour_of, drawn, labels)
    return drawn, labels


def ensemble_note(ctx, series):
    """What an ensemble's band in this panel is, when it is not the replications' quantiles of
    the values a run panel draws; "" without ensembles."""
    ensembles = [c.ensemble for c in ctx.cases if c.ensemble and c.ensemble.has(series.group,
                                                                               series.name)]
    if not ensembles:
        return ""
    if series.how == "sum" or series.total:
        return "ensembles: mean of the replications' daily sums; no band (quantiles do not add up)"
    if any(series.resampled(e.tick) for e in ensembles):
        return "ensembles: daily means of hourly quantiles (not quantiles of daily means)"
    if series.group == "tick":
        return "ensembles: hourly quantiles"
    return ""


def mark_ensemble_band(ax, ctx, series):
    """Says in the panel (bottom left, where the titles leave no room) what its ensemble bands
    are."""
    text = ensemble_note(ctx, series)
    if text:
        ax.text(0.01, 0.02, text, transform=ax.transAxes, ha="left", va="bottom", fontsize=7,
                color="0.25", bbox=dict(boxstyle="round", facecolor="white", edgecolor="0.8",
                                        alpha=0.85))


def clip_axis(ax, drawn):
    """Ends the y axis below spikes; returns how many points it left above the axis."""
    values = np.concatenate([np.ravel(v) for v in drawn]) if drawn else np.array([])
    values = values[np.isfinite(values)]
    if values.size == 0:
        return 0
    top = CLIP_FACTOR * np.percentile(values, 99)
    if values.max() <= top or top <= 0:
        return 0
    ax.set_ylim(bottom=min(0.0, values.min()), top=top)
    return int(np.count_nonzero(values > top))


def note(ax, text):
    ax.text(0.99, 0.97, text, transform=ax.transAxes, ha="right", va="top", fontsize=8,
            color="0.25", bbox=dict(boxstyle="round", facecolor="white", edgecolor="0.8"))


def mark_dates(ax, source):
    """Timeline steps as numbered vertical lines; DAA windows shaded."""
    for key, colour in WINDOW_COLOURS.items():
        if key in source.windows:
            start, end = source.windows[key]
            ax.axvspan(start, end, color=colour, alpha=0.08, linewidth=0)
    for i, (date, _) in enumerate(source.timeline, start=1):
        ax.axvline(date, color="0.35", linestyle="--", linewidth=0.8)
        ax.text(date, 1.0, f" {i}", transform=ax.get_xaxis_transform(), fontsize=7,
                color="0.35", va="top")


def headline_segments(ax, cases, segments):
    """Headline values as horizontal segments over the dates they cover: `segments` holds
    (summary name, start, end); replications (runs or an ensemble's) draw their mean."""
    for case in cases:
        for name, start, end in segments:
            values = finite(case.summary_values(name))
            if values.size:
                ax.hlines(values.mean(), start, end, colors="black", linestyles=case.style,
                          linewidth=1.6)


def venue_colour(palette_order):
    return lambda label: VENUE_COLOURS(palette_order.index(label) % 10)


def finish_time_axis(ax, title, subtitle, units):
    ax.set_title(title, loc="left", fontweight="bold")
    ax.set_title(subtitle, loc="right", fontsize=8, color="0.4")
    ax.set_ylabel(units)
    ax.grid(True, color="0.92")
    locator = mdates.AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def absent(ax, title, what):
    ax.set_title(title, loc="left", fontweight="bold")
    ax.text(0.5, 0.5, f"not in these runs ({what})", ha="center", va="center", color="0.45",
            transform=ax.transAxes)
    ax.set_xticks([])
    ax.set_yticks([])


def panel_prices(ax, ctx):
    title = "Prices"
    series = Series("tick", "price")
    if not ctx.has(series):
        return absent(ax, title, "tick/price") or title
    averaged = long_run(ctx.first.tick)
    drawn, _ = draw_lines(ax, ctx, series, "venue", ctx.venue_colour)
    if ctx.log_prices:
        ax.set_yscale("log")
    else:
        clipped = clip_axis(ax, drawn)
        if clipped:
            note(ax, f"{clipped} point{'s' if clipped > 1 else ''} above the axis (clipped at {ax.get_ylim()[1]:.3g})")
    mark_dates(ax, ctx.first)
    mark_ensemble_band(ax, ctx, series)
    finish_time_axis(ax, title, "tick/price" + (", daily mean" if averaged else ""), "USD/(PF*h)")
    return title


def panel_capacity(ax, ctx):
    title = "Capacity"
    series = Series("tick", "capacity_pf")
    if not ctx.has(series):
        return absent(ax, title, "tick/capacity_pf") or title
    draw_lines(ax, ctx, series, "venue", ctx.venue_colour)
    # A pool of 150 PF beside marketplaces of 5 PF: a log axis keeps every venue visible.
    ax.set_yscale("log")
    mark_dates(ax, ctx.first)
    mark_ensemble_band(ax, ctx, series)
    finish_time_axis(ax, title, "tick/capacity_pf, log axis", "PF")
    return title


def panel_daa(ax, ctx):
    title = "Daily active addresses"
    series = Series("day", "daa")
    if not ctx.has(series):
        return absent(ax, title, "day/daa") or title
    draw_lines(ax, ctx, series, "venue", ctx.venue_colour)
    windows = ctx.first.windows
    venue = windows.get("daa_venue")
    if venue and "daa_before" in windows and "daa_after" in windows:
        headline_segments(ax, ctx.cases, [(f"{venue}_daa_before", *windows["daa_before"]),
                                          (f"{venue}_daa_after", *windows["daa_after"])])
        note(ax, f"shaded: DAA windows; black: {venue}'s headline means")
    mark_dates(ax, ctx.first)
    mark_ensemble_band(ax, ctx, series)
    finish_time_axis(ax, title, "day/daa", "addresses")
    return title


def panel_bridges(ax, ctx):
    title = "Bridge volume (daily sum)"
    series = Series("tick", "bridge_volume_pfh", "sum")
    if not ctx.has(series):
        return absent(ax, title, "tick/bridge_volume_pfh") or title
    order = []
    for case in ctx.cases:
        for source in case.sources:
            if "bridge" in source.tick.dims:
                order += [b for b in source.tick.bridge.values.tolist() if b not in order]
    _, labels = draw_lines(ax, ctx, series, "bridge", lambda b: BRIDGE_COLOURS(order.index(b) % 8))
    total_series = Series("tick", "bridge_volume_pfh", "sum", total="bridge")
    first = ctx.cases[0]
    total = ensemble_values(first.ensemble, total_series)[0] if first.ensemble else \
        stacked(first, total_series).mean("run")
    ax.plot(total.time.values, total.values, color="0.5", linewidth=0.8, label="all bridges")
    split = ctx.first.windows.get("bridge_split")
    if split is not None:
        ax.axvline(split, color="black", linestyle=":", linewidth=1)
        time = ctx.first.tick.time.values
        headline_segments(ax, ctx.cases, [("bridge_volume_before_pfh_per_day", time[0], split),
                                          ("bridge_volume_after_pfh_per_day", split, time[-1])])
    ax.legend(handles=[Line2D([], [], color=BRIDGE_COLOURS(order.index(b) % 8), label=b)
                       for b in labels] + [Line2D([], [], color="0.5", label="all bridges"),
                                            Line2D([], [], color="black", label="headline")],
              fontsize=7, loc="upper left")
    mark_dates(ax, ctx.first)
    mark_ensemble_band(ax, ctx, series)
    finish_time_axis(ax, title, "tick/bridge_volume_pfh summed per day; dotted: bridge_split",
                     "PF*h/day")
    return title


def panel_fees(ax, ctx):
    title = "Fee and price indices"
    names = [n for n in ("fee_index", "decentralized_price_index")
             if ctx.has(Series("tick", n))]
    if not names:
        return absent(ax, title, "tick/fee_index") or title
    drawn = []
    for i, name in enumerate(names):
        d, _ = draw_lines(ax, ctx, Series("tick", name, "mean"), None,
                          lambda _, i=i: plt.get_cmap("Set1")(i))
        drawn += d
    clipped = clip_axis(ax, drawn)
    if clipped:
        note(ax, f"{clipped} point{'s' if clipped > 1 else ''} above the axis (clipped at {ax.get_ylim()[1]:.3g})")
    ax.legend(handles=[Line2D([], [], color=plt.get_cmap("Set1")(i), label=n)
                       for i, n in enumerate(names)], fontsize=7, loc="upper left")
    mark_dates(ax, ctx.first)
    mark_ensemble_band(ax, ctx, Series("tick", names[0], "mean"))
    finish_time_axis(ax, title, "daily mean", "USD/(PF*h)")
    return title


def panel_utilisation(ax, ctx):
    title = "Utilisation"
    series = Series("tick", "utilisation", "mean")
    if not ctx.has(series):
        return absent(ax, title, "tick/utilisation") or title
    draw_lines(ax, ctx, series, "venue", ctx.venue_colour)
    mark_dates(ax, ctx.first)
    mark_ensemble_band(ax, ctx, series)
    finish_time_axis(ax, title, "tick/utilisation, daily mean", "1")
    return title


def finite(values):
    """NaN values left out, as the headline table of `gpumarket run --replications` does (a
    DAA window after the run's end is NaN in every replication)."""
    values = np.asarray(values, dtype=float)
    return values[np.isfinite(values)]


def headline_value(case, name):
    given = case.summary_values(name)
    values = finite(given)
    if values.size == 0:
        return ("nan" if given else ""), values
    if values.size == 1:
        return f"{values[0]:.4g}", values
    low, high = np.percentile(values, [5, 95])
    return f"{values.mean():.4g} [{low:.3g}, {high:.3g}]", values


def headline_header(case):
    if case.ensemble:
        return f"{case.label} (ensemble of {case.replications}: mean [5-95 %])"
    return case.label + (f" (mean [5-95 %] of {case.replications})" if case.replications > 1
                         else "")


def panel_headline(ax, ctx):
    """The summary values: an ensemble has no bands of them, but its points table holds each
    replication's, so it gets the same mean and 5-95 % range as runs of one scenario."""
    title = "Headline indicators"
    ax.axis("off")
    ax.set_title(title, loc="left", fontweight="bold")
    if any(c.ensemble for c in ctx.cases):
        ax.set_title("ensembles: the replications' summary values in the points table",
                     loc="right", fontsize=8, color="0.4")
    venue = ctx.first.windows.get("daa_venue", "golem")
    names = [n.format(venue=venue) for n in HEADLINE]
    names = [n for n in names if any(s.has_summary(n) for c in ctx.cases for s in c.sources)]
    rows = []
    for name in names:
        unit = next((u for c in ctx.cases for s in c.sources for u in [s.summary_unit(name)] if u),
                    "")
        rows.append([name] + [headline_value(c, name)[0] for c in ctx.cases] + [unit])
    header = ["indicator"] + [headline_header(c) for c in ctx.cases] + ["unit"]
    if rows:
        table = ax.table(cellText=rows, colLabels=header, loc="upper left", cellLoc="left",
                         colLoc="left")
        table.auto_set_font_size(False)
        table.set_fontsize(7)
        table.auto_set_column_width(list(range(len(header))))
    return title


PANELS = {"prices": panel_prices, "capacity": panel_capacity, "daa": panel_daa,
          "bridges": panel_bridges, "fees": panel_fees, "utilisation": panel_utilisation,
          "headline": panel_headline}
DEFAULT_PANELS = "prices,capacity,daa,bridges,fees,headline"


class Context:
    def __init__(self, cases, log_prices=False, quartiles=False):
        self.cases = cases
        self.first = cases[0].sources[0]
        self.log_prices, self.quartiles = log_prices, quartiles
        self.venues = []
        for case in cases:
            for source in case.sources:
                if "venue" in source.tick.dims:
                    self.venues += [v for v in source.tick.venue.values.tolist()
                                    if v not in self.venues]
        self.venue_colour = venue_colour(self.venues)

    def has(self, series):
        return any(s.has(series.group, series.name) for c in self.cases for s in c.sources)


def footer(fig, ctx):
    """Venue colours, line styles of the cases and the numbered timeline steps."""
    handles = [Line2D([], [], color=ctx.venue_colour(v), linewidth=3, label=v)
               for v in ctx.venues]
    handles += [Line2D([], [], color="0.2", linestyle=c.style,
                       label=f"{c.label} ({c.describe(ctx.quartiles)})") for c in ctx.cases]
    fig.legend(handles=handles, loc="lower center", ncol=min(len(handles), 6), fontsize=8,
               frameon=False, bbox_to_anchor=(0.5, 0.0))
    steps = "   ".join(f"{i}: {label}" for i, (_, label) in enumerate(ctx.first.timeline, 1))
    if steps:
        fig.text(0.01, 0.035, "timeline: " + steps, fontsize=7, color="0.3")


def figure(ctx, panels, title=None):
    """The dashboard's figure; returns it and (panel name, title, axes) per panel drawn."""
    columns = 1 if len(panels) == 1 else 2
    rows = (len(panels) + columns - 1) // columns
    fig, axes = plt.subplots(rows, columns, figsize=(8 * columns, 3.6 * rows + 1.0),
                             squeeze=False)
    drawn = [(name, PANELS[name](ax, ctx), ax) for ax, name in zip(axes.flat, panels)]
    for ax in list(axes.flat)[len(panels):]:
        ax.axis("off")
    footer(fig, ctx)
    fig.suptitle(title or "gpumarket: " + " vs ".join(c.label for c in ctx.cases),
                 fontsize=13, fontweight="bold")
    fig.tight_layout(rect=(0, 0.06, 1, 0.97))
    return fig, drawn


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("output", help="PNG file to write")
    parser.add_argument("runs", nargs="+", metavar="file",
                        help="run files (`gpumarket run`) and ensemble files "
                             "(`gpumarket run --replications N`)")
    parser.add_argument("--panels", default=DEFAULT_PANELS,
                        help=f"comma-separated, of {', '.join(PANELS)} (default {DEFAULT_PANELS})")
    parser.add_argument("--log-prices", action="store_true",
                        help="draw prices on a log axis instead of clipping spikes")
    parser.add_argument("--quartiles", action="store_true",
                        help="ensembles: a darker 25-75 %% band inside the 5-95 %% band")
    parser.add_argument("--title", help="figure title (default: the cases' labels)")
    args = parser.parse_args(argv)
    panels = [p.strip() for p in args.panels.split(",") if p.strip()]
    unknown = [p for p in panels if p not in PANELS]
    if unknown or not panels:
        parser.error(f"--panels: unknown panel(s) {', '.join(unknown) or '(none given)'}; "
                     f"choose from {', '.join(PANELS)}")
    try:
        sources = [open_source(path) for path in args.runs]
    except (OSError, ValueError) as error:  # gm.FormatError is a ValueError
        print(f"dashboard.py: error: {error}", file=sys.stderr)
        return 1
    ctx = Context(cases_of(sources), args.log_prices, args.quartiles)
    for case in ctx.cases:
        kind = f"ensemble: {case.describe(args.quartiles)}" if case.ensemble else \
            f"{case.replications} replications (mean, 5-95 % band)" if case.replications > 1 \
            else "1 run"
        print(f"case: {case.label}: {kind}")
    fig, drawn = figure(ctx, panels, args.title)
    for _, title, _ in drawn:
        print(f"panel: {title}")
    try:
        fig.savefig(args.output, dpi=100)
    except OSError as error:
        print(f"dashboard.py: error: {args.output}: cannot write the picture: {error.strerror}.",
              file=sys.stderr)
        return 1
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
