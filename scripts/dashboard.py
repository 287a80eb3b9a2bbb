#!/usr/bin/python3
"""Draw a PNG dashboard of gpumarket runs for reading.

Usage:
    /usr/bin/python3 scripts/dashboard.py out.png results/bear.h5 [more runs ...]
        [--panels prices,capacity,daa,bridges,fees,utilisation,headline] [--log-prices]

Runs of one scenario (same scenario file and overrides, different seeds) are replications:
each line is their mean and the shaded band their 5-95 % range. Runs of different
scenarios are overlaid, one line style each. Colours are venues (or bridges), fixed by the
order of the venues in the files, the same in every panel. Every time panel marks the
scenario's timeline steps (numbered, listed under the figure) and shades the DAA windows
(indicators.daa_before/daa_after). Prices are clipped where they spike, saying how many
points lie above the axis; --log-prices draws them on a log axis instead. Sums over a day
are labelled "daily sum" and use the headline table's units (PF*h/day for bridges).

Prints the title of each panel it drew, then the file it wrote. Reads the files with the
gpumarket Python package (python/ in the source tree, or installed); needs Debian's
python3-h5py, python3-h5netcdf, python3-xarray, python3-pandas and python3-matplotlib.
"""

import argparse
import sys
from pathlib import Path

# The package beside the scripts: python/ in the source tree, share/gpumarket/python installed.
_PACKAGE = Path(__file__).resolve().parent.parent / "python"
if (_PACKAGE / "gpumarket").is_dir():
    sys.path.insert(0, str(_PACKAGE))

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

    def __init__(self, path):
        self.path = Path(path)
        self.tick = gm.open_run(path, "tick")
        self.day = gm.open_run(path, "day")
        self.summary = gm.open_run(path, "summary")
        self.windows = gm.indicator_windows(self.tick)
        self.timeline = gm.timeline(self.tick)
        overrides = self.tick.attrs.get("overrides", [])
        self.case = (str(self.tick.attrs.get("scenario_file", "")),
                     tuple([overrides] if isinstance(overrides, str) else list(overrides)))


class Case:
    """Runs of one scenario: replications of it when there are several."""

    def __init__(self, runs, label, style):
        self.runs, self.label, self.style = runs, label, style


def cases_of(runs):
    grouped = {}
    for run in runs:
        grouped.setdefault(run.case, []).append(run)
    cases = []
    for i, (key, members) in enumerate(grouped.items()):
        label = Path(key[0]).stem + "".join(f" {o}" for o in key[1])
        cases.append(Case(members, label, CASE_STYLES[i % len(CASE_STYLES)]))
    return cases


def by_interval_start(da, ds):
    """`da` indexed by the start of each row's interval, so that a day's rows are that day's.
    Read into memory first: resampling a lazy array reads the file once per day."""
    return da.load().assign_coords(time=ds.time_bnds.isel(nv=0).values)


def daily(da, ds, how):
    days = by_interval_start(da, ds).resample(time="1D")
    return days.sum(min_count=1) if how == "sum" else days.mean()


def long_run(ds):
    time = ds.time.values
    return len(time) > 1 and (time[-1] - time[0]) > np.timedelta64(DAILY_AFTER_DAYS, "D")


def stacked(case, getter):
    """The getter's DataArray of every run of the case along a new dimension `run`."""
    arrays = [a for a in (getter(run) for run in case.runs) if a is not None]
    if not arrays:
        return None
    return xr.concat(arrays, dim="run", join="outer", coords="minimal", compat="override")


def draw_lines(ax, cases, getter, dim, colour_of):
    """Draws each case's mean per label of `dim` and, for replications, the 5-95 % band.
    Returns the values drawn (for the axis limits) and the labels in colour order."""
    drawn, labels = [], []
    for case in cases:
        da = stacked(case, getter)
        if da is None:
            continue
        mean = da.mean("run")
        band = da.sizes["run"] > 1
        if band:
            low, high = da.quantile(0.05, dim="run"), da.quantile(0.95, dim="run")
        for label in (mean[dim].values if dim else [None]):
            pick = (lambda a: a.sel({dim: label})) if dim else (lambda a: a)
            colour = colour_of(label)
            x = mean.time.values
            ax.plot(x, pick(mean).values, color=colour, linestyle=case.style, linewidth=1.3)
            drawn.append(pick(mean).values)
            if band:
                ax.fill_between(x, pick(low).values, pick(high).values, color=colour, alpha=0.2,
                                linewidth=0)
                drawn.append(pick(high).values)
            if label is not None and label not in labels:
                labels.append(label)
    return drawn, labels


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


def mark_dates(ax, run):
    """Timeline steps as numbered vertical lines; DAA windows shaded."""
    for key, colour in WINDOW_COLOURS.items():
        if key in run.windows:
            start, end = run.windows[key]
            ax.axvspan(start, end, color=colour, alpha=0.08, linewidth=0)
    for i, (date, _) in enumerate(run.timeline, start=1):
        ax.axvline(date, color="0.35", linestyle="--", linewidth=0.8)
        ax.text(date, 1.0, f" {i}", transform=ax.get_xaxis_transform(), fontsize=7,
                color="0.35", va="top")


def headline_segments(ax, cases, segments):
    """Headline values as horizontal segments over the dates they cover: `segments` holds
    (summary name, start, end); replications draw their mean."""
    for case in cases:
        for name, start, end in segments:
            values = [float(r.summary[name]) for r in case.runs if name in r.summary]
            if values and np.isfinite(np.mean(values)):
                ax.hlines(np.mean(values), start, end, colors="black", linestyles=case.style,
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


def tick_getter(name, how=None):
    def get(run):
        if name not in run.tick:
            return None
        da = run.tick[name].load()
        if how == "sum":
            return daily(da, run.tick, "sum")
        if how == "mean" or long_run(run.tick):
            return daily(da, run.tick, "mean")
        return da
    return get


def panel_prices(ax, ctx):
    title = "Prices"
    if not any("price" in r.tick for c in ctx.cases for r in c.runs):
        return absent(ax, title, "tick/price") or title
    averaged = long_run(ctx.first.tick)
    drawn, _ = draw_lines(ax, ctx.cases, tick_getter("price"), "venue", ctx.venue_colour)
    if ctx.log_prices:
        ax.set_yscale("log")
    else:
        clipped = clip_axis(ax, drawn)
        if clipped:
            note(ax, f"{clipped} point{'s' if clipped > 1 else ''} above the axis (clipped at {ax.get_ylim()[1]:.3g})")
    mark_dates(ax, ctx.first)
    finish_time_axis(ax, title, "tick/price" + (", daily mean" if averaged else ""),
                     "USD/(PF*h)")
    return title


def panel_capacity(ax, ctx):
    title = "Capacity"
    if not any("capacity_pf" in r.tick for c in ctx.cases for r in c.runs):
        return absent(ax, title, "tick/capacity_pf") or title
    draw_lines(ax, ctx.cases, tick_getter("capacity_pf"), "venue", ctx.venue_colour)
    # A pool of 150 PF beside marketplaces of 5 PF: a log axis keeps every venue visible.
    ax.set_yscale("log")
    mark_dates(ax, ctx.first)
    finish_time_axis(ax, title, "tick/capacity_pf, log axis", "PF")
    return title


def panel_daa(ax, ctx):
    title = "Daily active addresses"
    if not any("daa" in r.day for c in ctx.cases for r in c.runs):
        return absent(ax, title, "day/daa") or title
    draw_lines(ax, ctx.cases, lambda r: r.day["daa"].load() if "daa" in r.day else None, "venue",
               ctx.venue_colour)
    windows = ctx.first.windows
    venue = windows.get("daa_venue")
    if venue and "daa_before" in windows and "daa_after" in windows:
        headline_segments(ax, ctx.cases, [(f"{venue}_daa_before", *windows["daa_before"]),
                                          (f"{venue}_daa_after", *windows["daa_after"])])
        note(ax, f"shaded: DAA windows; black: {venue}'s headline means")
    mark_dates(ax, ctx.first)
    finish_time_axis(ax, title, "day/daa", "addresses")
    return title


def panel_bridges(ax, ctx):
    title = "Bridge volume (daily sum)"
    if not any("bridge_volume_pfh" in r.tick for c in ctx.cases for r in c.runs):
        return absent(ax, title, "tick/bridge_volume_pfh") or title
    order = []
    for case in ctx.cases:
        for run in case.runs:
            order += [b for b in run.tick.bridge.values.tolist() if b not in order]
    _, labels = draw_lines(ax, ctx.cases, tick_getter("bridge_volume_pfh", "sum"), "bridge",
                           lambda b: BRIDGE_COLOURS(order.index(b) % 8))
    total = stacked(ctx.cases[0], lambda r: daily(r.tick.bridge_volume_pfh.sum("bridge"),
                                                    r.tick, "sum"))
    if total is not None:
        ax.plot(total.time.values, total.mean("run").values, color="0.5", linewidth=0.8,
                label="all bridges")
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
    finish_time_axis(ax, title, "tick/bridge_volume_pfh summed per day; dotted: bridge_split",
                     "PF*h/day")
    return title


def panel_fees(ax, ctx):
    title = "Fee and price indices"
    names = [n for n in ("fee_index", "decentralized_price_index")
             if any(n in r.tick for c in ctx.cases for r in c.runs)]
    if not names:
        return absent(ax, title, "tick/fee_index") or title
    drawn = []
    for i, name in enumerate(names):
        d, _ = draw_lines(ax, ctx.cases, tick_getter(name, "mean"), None,
                          lambda _, i=i: plt.get_cmap("Set1")(i))
        drawn += d
    clipped = clip_axis(ax, drawn)
    if clipped:
        note(ax, f"{clipped} point{'s' if clipped > 1 else ''} above the axis (clipped at {ax.get_ylim()[1]:.3g})")
    ax.legend(handles=[Line2D([], [], color=plt.get_cmap("Set1")(i), label=n)
                       for i, n in enumerate(names)], fontsize=7, loc="upper left")
    mark_dates(ax, ctx.first)
    finish_time_axis(ax, title, "daily mean", "USD/(PF*h)")
    return title


def panel_utilisation(ax, ctx):
    title = "Utilisation"
    if not any("utilisation" in r.tick for c in ctx.cases for r in c.runs):
        return absent(ax, title, "tick/utilisation") or title
    draw_lines(ax, ctx.cases, tick_getter("utilisation", "mean"), "venue", ctx.venue_colour)
    mark_dates(ax, ctx.first)
    finish_time_axis(ax, title, "tick/utilisation, daily mean", "1")
    return title


def headline_value(case, name):
    values = np.array([float(r.summary[name]) for r in case.runs if name in r.summary])
    if values.size == 0:
        return "", ""
    if values.size == 1:
        return f"{values[0]:.4g}", values
    low, high = np.percentile(values, [5, 95])
    return f"{values.mean():.4g} [{low:.3g}, {high:.3g}]", values


def panel_headline(ax, ctx):
    title = "Headline indicators"
    ax.axis("off")
    ax.set_title(title, loc="left", fontweight="bold")
    venue = ctx.first.windows.get("daa_venue", "golem")
    names = [n.format(venue=venue) for n in HEADLINE]
    names = [n for n in names if any(n in r.summary for c in ctx.cases for r in c.runs)]
    rows = []
    for name in names:
        unit = next((str(r.summary[name].attrs.get("units_label", "")) for c in ctx.cases
                     for r in c.runs if name in r.summary), "")
        rows.append([name] + [headline_value(c, name)[0] for c in ctx.cases] + [unit])
    header = ["indicator"] + [c.label + (f" (mean [5-95 %] of {len(c.runs)})"
                                         if len(c.runs) > 1 else "") for c in ctx.cases] + ["unit"]
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
    def __init__(self, cases, log_prices):
        self.cases = cases
        self.first = cases[0].runs[0]
        self.log_prices = log_prices
        self.venues = []
        for case in cases:
            for run in case.runs:
                if "venue" in run.tick.dims:
                    self.venues += [v for v in run.tick.venue.values.tolist()
                                    if v not in self.venues]
        self.venue_colour = venue_colour(self.venues)


def footer(fig, ctx):
    """Venue colours, line styles of the cases and the numbered timeline steps."""
    handles = [Line2D([], [], color=ctx.venue_colour(v), linewidth=3, label=v)
               for v in ctx.venues]
    handles += [Line2D([], [], color="0.2", linestyle=c.style,
                       label=c.label + (f" ({len(c.runs)} replications: mean, 5-95 % band)"
                                        if len(c.runs) > 1 else f" (seed {c.runs[0].tick.attrs.get('seed')})"))
                for c in ctx.cases]
    fig.legend(handles=handles, loc="lower center", ncol=min(len(handles), 6), fontsize=8,
               frameon=False, bbox_to_anchor=(0.5, 0.0))
    steps = "   ".join(f"{i}: {label}" for i, (_, label) in enumerate(ctx.first.timeline, 1))
    if steps:
        fig.text(0.01, 0.035, "timeline: " + steps, fontsize=7, color="0.3")


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("output", help="PNG file to write")
    parser.add_argument("runs", nargs="+", help="run files written by `gpumarket run`")
    parser.add_argument("--panels", default=DEFAULT_PANELS,
                        help=f"comma-separated, of {', '.join(PANELS)} (default {DEFAULT_PANELS})")
    parser.add_argument("--log-prices", action="store_true",
                        help="draw prices on a log axis instead of clipping spikes")
    parser.add_argument("--title", help="figure title (default: the cases' labels)")
    args = parser.parse_args(argv)
    panels = [p.strip() for p in args.panels.split(",") if p.strip()]
    unknown = [p for p in panels if p not in PANELS]
    if unknown or not panels:
        parser.error(f"--panels: unknown panel(s) {', '.join(unknown) or '(none given)'}; "
                     f"choose from {', '.join(PANELS)}")
    try:
        runs = [Run(path) for path in args.runs]
    except (OSError, gm.FormatError) as error:
        print(f"dashboard.py: error: {error}", file=sys.stderr)
        return 1
    ctx = Context(cases_of(runs), args.log_prices)
    for case in ctx.cases:
        kind = f"{len(case.runs)} replications (mean, 5-95 % band)" if len(case.runs) > 1 else \
            "1 run"
        print(f"case: {case.label}: {kind}")

    columns = 1 if len(panels) == 1 else 2
    rows = (len(panels) + columns - 1) // columns
    fig, axes = plt.subplots(rows, columns, figsize=(8 * columns, 3.6 * rows + 1.0),
                             squeeze=False)
    for ax, name in zip(axes.flat, panels):
        print(f"panel: {PANELS[name](ax, ctx)}")
    for ax in list(axes.flat)[len(panels):]:
        ax.axis("off")
    footer(fig, ctx)
    fig.suptitle(args.title or "gpumarket: " + " vs ".join(c.label for c in ctx.cases),
                 fontsize=13, fontweight="bold")
    fig.tight_layout(rect=(0, 0.06, 1, 0.97))
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
